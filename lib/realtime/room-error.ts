/**
 * A room or channel refused a join, or does not exist.
 *
 * @example
 * try {
 *   await app.realtime.joinRoom(roomId, userId);
 * } catch (error) {
 *   if (error instanceof RoomError && error.reason === 'full') throw new WebSocketException(status.WS_1013_TRY_AGAIN_LATER, 'Room is full');
 *   throw error;
 * }
 */
export class RoomError extends Error {
  constructor(
    readonly id: string,
    readonly reason: 'missing' | 'full' | 'forbidden',
    kind = 'Room',
  ) {
    super(reason === 'missing' ? `${kind} ${id} does not exist` : reason === 'full' ? `${kind} ${id} is full` : `${kind} ${id} is private`);
    this.name = 'RoomError';
  }
}
