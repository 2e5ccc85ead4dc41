/** A room or channel refused a join, or does not exist. */
export class RoomError extends Error {
  constructor(readonly id: string, readonly reason: 'missing' | 'full' | 'forbidden', kind = 'Room') {
    super(reason === 'missing' ? `${kind} ${id} does not exist` : reason === 'full' ? `${kind} ${id} is full` : `${kind} ${id} is private`);
    this.name = 'RoomError';
  }
}
