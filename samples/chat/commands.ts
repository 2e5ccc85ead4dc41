/**
 * What the chat does with each command a client sends over `/ws`, and what it answers. A
 * command that carries a `requestId` always gets one reply carrying `replyTo` (an `ok` when the
 * command has nothing else to say); one without gets the replies it always got.
 */
import { type HistoryEntry, inject, Message, RealtimeManager, RoomError, User, type ValidationError, WebSocket } from '../../index';
import { type Author, type ChatCommand, type ChatLine, commandSchema, requestIdOf } from './protocol';

/** What a command handler needs to know of the app's configuration. */
export interface CommandOptions {
  /** Messages a client gets on joining a room. */
  readonly joinHistory: number;
  /** Rooms clients may create by joining them. */
  readonly maxRooms: number;
}

type Reply = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** History entries as the live broadcasts look: the message with its id, so the page handles both alike. */
function withIds(entries: readonly HistoryEntry[]): Record<string, unknown>[] {
  return entries.map((entry) => (isRecord(entry.message) ? { ...entry.message, id: entry.id } : { id: entry.id, message: entry.message }));
}

function errorReply(detail: string): Reply {
  return { type: 'error', detail };
}

function author(user: User): Author {
  return { id: user.id, name: user.name };
}

/** `reply` answering `requestId`; a command with nothing to say still acknowledges a request. */
function answering(reply: Reply | undefined, requestId: number | undefined): Reply | undefined {
  if (requestId === undefined) return reply;
  return { ...(reply ?? { type: 'ok' }), replyTo: requestId };
}

/**
 * The route's `onInvalidMessage` policy: the standard error reply, plus `replyTo` when the
 * message (valid JSON, but not a valid command) carried a usable `requestId`, so a client's
 * `request()` gets its answer instead of a timeout.
 */
export function invalidCommandReply(error: ValidationError, message: unknown): Reply | undefined {
  return answering({ ...errorReply(error.message), errors: error.errors }, requestIdOf(message));
}

/** The `/ws` message handler: one validated command in, its reply (if any) out. */
export function commandHandler(options: CommandOptions) {
  /** Joins a room, making it first if it is new (within `maxRooms`); then its recent history. */
  async function join(ws: WebSocket, user: User, realtime: RealtimeManager, room: string): Promise<Reply> {
    if (!(await realtime.getRoom(room))) {
      if ((await realtime.listRooms()).length >= options.maxRooms) return errorReply(`No room ${room}, and no more rooms can be made`);
      await realtime.createRoom({ id: room, name: room });
    }
    await realtime.joinRoom(room, user.id);
    await ws.sendJson({ type: 'joined', room, members: await realtime.getRoomMembers(room) });
    // A message said between the join and this read arrives live and in here: clients skip ids they have.
    // `last` is where the client resumes from, even when the room has said nothing yet.
    const { entries, complete, last } = await realtime.getHistory('room', room, undefined, options.joinHistory);
    return { type: 'history', room, messages: withIds(entries), complete, last };
  }

  /** Whether the user is in `room`: saying or typing into a room takes membership. */
  async function isMember(realtime: RealtimeManager, room: string, userId: string): Promise<boolean> {
    return (await realtime.getRoomMembers(room)).includes(userId);
  }

  async function run(command: ChatCommand, user: User, realtime: RealtimeManager, ws: WebSocket): Promise<Reply | undefined> {
    switch (command.type) {
      case 'ping':
        return { type: 'pong' };
      case 'join':
        return join(ws, user, realtime, command.room);
      case 'leave':
        await realtime.leaveRoom(command.room, user.id);
        return { type: 'left', room: command.room };
      case 'say': {
        if (!(await isMember(realtime, command.room, user.id))) return errorReply(`Join ${command.room} before saying something there`);
        const line: ChatLine = {
          type: 'message',
          room: command.room,
          from: author(user),
          text: command.text,
          at: new Date().toISOString(),
        };
        // Every member gets the line with its history id, the sender too; a request also gets
        // the id in its acknowledgement.
        const { id } = await realtime.broadcastToRoom(command.room, line);
        return command.requestId === undefined ? undefined : { type: 'said', room: command.room, id };
      }
      case 'typing':
        if (!(await isMember(realtime, command.room, user.id))) return errorReply(`Join ${command.room} first`);
        // Typing notices are for the moment: not kept in history.
        await realtime.broadcastToRoom(
          command.room,
          { type: 'typing', room: command.room, user: author(user), typing: command.typing },
          { except: [user.id], history: false },
        );
        return undefined;
      case 'status':
        // STATUS_CHANGED (in app.ts) tells everyone, this user included.
        await realtime.setStatus(user.id, command.status);
        return undefined;
      case 'history': {
        const room = await realtime.getRoom(command.room);
        if (!room) return errorReply(`No room ${command.room}`);
        // Public rooms' history is for anyone who could join them (a client resuming before it
        // has rejoined, say); a private room's is for its members.
        if (room.isPrivate && !(await isMember(realtime, command.room, user.id))) return errorReply(`No room ${command.room}`);
        const { entries, complete, last } = await realtime.getHistory('room', command.room, command.after);
        return { type: 'history', room: command.room, after: command.after ?? null, messages: withIds(entries), complete, last };
      }
    }
  }

  return inject(
    [Message(commandSchema), User, RealtimeManager, WebSocket],
    async (message, user, realtime, ws): Promise<Reply | undefined> => {
      // ajv validated `message` against `commandSchema`; FromSchema does not read `allOf`/`if`, so
      // the union it guarantees is stated here, once.
      const command = message as ChatCommand;
      try {
        return answering(await run(command, user, realtime, ws), command.requestId);
      } catch (error) {
        // Full, private or deleted rooms are the user's problem to hear about, not a reason to disconnect.
        if (error instanceof RoomError) return answering(errorReply(error.message), command.requestId);
        throw error;
      }
    },
  );
}
