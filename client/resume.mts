import { ConnectionClosedError } from './errors.mjs';
import { type ClientEvents, isServerMessage, type ServerMessage } from './options.mjs';
import { StreamCursor } from './stream-cursor.mjs';
import { compareStreamIds, isStreamId } from './stream-ids.mjs';

/** Live messages held per stream while its history is fetched; past this, the catch-up reports itself incomplete. */
const MAX_HELD = 10_000;

/** `room:<id>` or `channel:<id>`: which history a message belongs to. */
export function streamOf(message: ServerMessage): string | undefined {
  if (typeof message.room === 'string') return `room:${message.room}`;
  if (typeof message.channel === 'string') return `channel:${message.channel}`;
  return undefined;
}

function split(stream: string): { kind: 'room' | 'channel'; name: string } {
  const colon = stream.indexOf(':');
  return { kind: stream.slice(0, colon) === 'channel' ? 'channel' : 'room', name: stream.slice(colon + 1) };
}

/** Live messages of a stream held back while its history is fetched. */
interface Held {
  readonly messages: ServerMessage[];
  overflowed: boolean;
}

/**
 * The client's memory of where each room and channel stands: the epoch and offset of the last
 * history message it emitted. Offsets have no gaps, so a message whose offset is not the next
 * one tells the client it missed some: it asks the history for them (`recover`), as it does
 * for every stream after a reconnect. While a stream's history is being fetched its live
 * messages are held back, so that they come out after the missed ones, in offset order, each once.
 */
export class Resume<In> {
  private readonly cursors = new Map<string, StreamCursor>();
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly emit: (message: In) => void,
    private readonly resumed: (event: ClientEvents['resumed']) => void,
    private readonly fail: (error: Error) => void,
    /** Sends the history request for a stream now, if the connection is open. */
    private readonly recover: (stream: string) => Promise<ServerMessage> | undefined,
  ) {}

  /** The streams a message with an id was seen on. */
  streams(): string[] {
    return [...this.cursors.keys()];
  }

  /** Stops tracking `stream`: no resume asks for it, and a resume under way for it emits nothing more. */
  forget(stream: string): void {
    this.cursors.delete(stream);
    this.held.delete(stream);
  }

  /** The `history` request that asks `stream` for what followed the last message emitted. */
  historyRequest(stream: string): { type: 'history'; after: string | undefined; [kindField: string]: string | undefined } {
    const { kind, name } = split(stream);
    return { type: 'history', [kind]: name, after: this.cursors.get(stream)?.id };
  }

  /**
   * Whether to emit a live message now: not when it repeats one emitted, nor while its stream
   * catches up; one that reveals a gap is held while the missed ones are fetched.
   */
  admit(message: ServerMessage): boolean {
    const stream = streamOf(message);
    const id = message.id;
    if (stream === undefined || !isStreamId(id)) return true;
    const held = this.held.get(stream);
    if (held) {
      if (held.messages.length < MAX_HELD) held.messages.push(message);
      else held.overflowed = true;
      return false;
    }
    const cursor = this.cursor(stream);
    const arrival = cursor.classify(id);
    if (arrival === 'repeat') return false;
    if (arrival === 'gap') {
      const reply = this.recover(stream);
      if (reply) {
        this.begin(stream, reply);
        this.held.get(stream)?.messages.push(message);
        return false;
      }
    }
    cursor.advance(id);
    return true;
  }

  /**
   * Learns from a `history` reply the app asked for (on joining a room, say): its messages
   * were delivered, so live copies are repeats, and its `last` (the newest id the history
   * has, `<epoch>:0` when empty) is where a resume starts.
   */
  noteReply(reply: ServerMessage): void {
    if (reply.type !== 'history' || !Array.isArray(reply.messages)) return;
    const stream = streamOf(reply);
    if (stream === undefined) return;
    const ids = reply.messages.flatMap((message) => (isServerMessage(message) && isStreamId(message.id) ? [message.id] : []));
    if (isStreamId(reply.last)) ids.push(reply.last);
    if (ids.length === 0) return;
    const cursor = this.cursor(stream);
    for (const id of ids.sort(compareStreamIds)) cursor.advance(id);
  }

  /** Holds `stream`'s live messages until `reply` (the answer to `historyRequest(stream)`) settles. */
  begin(stream: string, reply: Promise<ServerMessage>): void {
    const held: Held = { messages: [], overflowed: false };
    this.held.set(stream, held);
    const current = (): boolean => {
      // Forgotten meanwhile: the app has left the room and wants nothing more of it.
      if (this.held.get(stream) !== held) return false;
      this.held.delete(stream);
      return true;
    };
    reply.then(
      (answer) => current() && this.finish(stream, held, answer),
      (error: unknown) => current() && this.abort(stream, held, error),
    );
  }

  private finish(stream: string, { messages: held, overflowed }: Held, reply: ServerMessage): void {
    const { kind, name } = split(stream);
    let complete = reply.complete === true && !overflowed;
    let missed = 0;
    const cursor = this.cursor(stream);
    if (reply.type === 'history' && Array.isArray(reply.messages)) {
      const missing = reply.messages.filter(isServerMessage);
      // In offset order, whatever order the server listed them in; messages without an id keep their place after them.
      const ordered = missing.filter((message) => isStreamId(message.id)).sort((a, b) => compareStreamIds(String(a.id), String(b.id)));
      for (const message of ordered) {
        if (!cursor.advance(String(message.id))) continue;
        this.emit(message as In);
        missed++;
      }
      for (const message of missing.filter((message) => !isStreamId(message.id))) this.emit(message as In);
      // The history's newest id when it was read: held messages up to it were in the reply.
      if (isStreamId(reply.last)) cursor.advance(reply.last);
    } else {
      complete = false;
      this.fail(new Error(`StarwireClient: resuming ${kind} ${name}, the server answered ${JSON.stringify(reply).slice(0, 200)}`));
    }
    // A gap among the held ones (a message lost after the history was read) is recovered anew
    // only when the reply said how far the history reached, so this cannot go round for ever.
    const again = isStreamId(reply.last);
    for (const message of held) this.readmit(stream, message, again);
    this.resumed({ [kind]: name, complete, missed });
  }

  private abort(stream: string, { messages: held }: Held, error: unknown): void {
    // Closed again (or by the app): the held messages are in the history the next resume asks for.
    if (error instanceof ConnectionClosedError) return;
    const { kind, name } = split(stream);
    const reason = error instanceof Error ? error.message : String(error);
    this.fail(new Error(`StarwireClient: could not resume ${kind} ${name}: ${reason}`, { cause: error }));
    for (const message of held) this.readmit(stream, message, false);
    this.resumed({ [kind]: name, complete: false, missed: 0 });
  }

  /** A held message, once its stream caught up: emitted, dropped as a repeat, or (`recover`) held for another catch-up. */
  private readmit(stream: string, message: ServerMessage, recover: boolean): void {
    if (this.held.has(stream) || (recover && this.cursor(stream).classify(String(message.id)) === 'gap')) {
      if (this.admit(message)) this.emit(message as In);
      return;
    }
    if (this.cursor(stream).advance(String(message.id))) this.emit(message as In);
  }

  private cursor(stream: string): StreamCursor {
    let cursor = this.cursors.get(stream);
    if (!cursor) this.cursors.set(stream, (cursor = new StreamCursor()));
    return cursor;
  }
}
