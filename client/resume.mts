import { ConnectionClosedError } from './errors.mjs';
import { isServerMessage, type ClientEvents, type ServerMessage } from './options.mjs';
import { SeenIds } from './seen-ids.mjs';
import { compareStreamIds, isStreamId } from './stream-ids.mjs';

/** Live messages held per stream while its history is fetched; past this, the resume reports itself incomplete. */
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
 * The client's memory of where each room and channel stands: the ids it emitted recently, so it
 * can drop repeats, and the newest, so that after a reconnect it can ask for what followed.
 * While a stream's history is being fetched its live messages are held back, so that they come
 * out after the missed ones (those in id order), each once.
 */
export class Resume<In> {
  private readonly seen = new Map<string, SeenIds>();
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly emit: (message: In) => void,
    private readonly resumed: (event: ClientEvents['resumed']) => void,
    private readonly fail: (error: Error) => void,
  ) {}

  /** The streams a message with an id was seen on. */
  streams(): string[] {
    return [...this.seen.keys()];
  }

  /** Stops tracking `stream`: no resume asks for it, and a resume under way for it emits nothing more. */
  forget(stream: string): void {
    this.seen.delete(stream);
    this.held.delete(stream);
  }

  /** The `history` request that asks `stream` for what followed the last id seen. */
  historyRequest(stream: string): { type: 'history'; after: string | undefined; [kindField: string]: string | undefined } {
    const { kind, name } = split(stream);
    return { type: 'history', [kind]: name, after: this.seen.get(stream)?.newest };
  }

  /** Whether to emit a live message now: not when it repeats one seen, nor while its stream catches up. */
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
    return this.seenIds(stream).addIfNew(id);
  }

  /**
   * Learns from a `history` reply the app asked for (on joining a room, say): its messages
   * were delivered, so live copies are duplicates and a resume starts after them. An empty,
   * complete history means nothing came before: a resume asks for everything after `0-0`.
   */
  noteReply(reply: ServerMessage): void {
    if (reply.type !== 'history' || !Array.isArray(reply.messages)) return;
    const stream = streamOf(reply);
    if (stream === undefined) return;
    const start = isStreamId(reply.after) ? reply.after : reply.complete === true ? '0-0' : undefined;
    const ids = reply.messages.flatMap((message) => (isServerMessage(message) && isStreamId(message.id) ? [message.id] : []));
    if (start === undefined && ids.length === 0) return;
    const seen = this.seenIds(stream);
    if (start !== undefined) seen.advance(start);
    for (const id of ids) seen.addIfNew(id);
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
    if (reply.type === 'history' && Array.isArray(reply.messages)) {
      const missing = reply.messages.filter(isServerMessage);
      // In id order, whatever order the server listed them in; ids it cannot order keep their place after them.
      const ordered = missing.filter((message) => isStreamId(message.id)).sort((a, b) => compareStreamIds(String(a.id), String(b.id)));
      for (const message of [...ordered, ...missing.filter((message) => !isStreamId(message.id))]) if (this.pass(stream, message)) missed++;
    } else {
      complete = false;
      this.fail(new Error(`StarwireClient: resuming ${kind} ${name}, the server answered ${JSON.stringify(reply).slice(0, 200)}`));
    }
    for (const message of held) this.pass(stream, message);
    this.resumed({ [kind]: name, complete, missed });
  }

  private abort(stream: string, { messages: held }: Held, error: unknown): void {
    // Closed again (or by the app): the held messages are in the history the next resume asks for.
    if (error instanceof ConnectionClosedError) return;
    const { kind, name } = split(stream);
    const reason = error instanceof Error ? error.message : String(error);
    this.fail(new Error(`StarwireClient: could not resume ${kind} ${name}: ${reason}`, { cause: error }));
    for (const message of held) this.pass(stream, message);
    this.resumed({ [kind]: name, complete: false, missed: 0 });
  }

  /** Emits `message` unless its id was seen; messages without a stream id are emitted as they come. */
  private pass(stream: string, message: ServerMessage): boolean {
    const id = message.id;
    if (isStreamId(id) && !this.seenIds(stream).addIfNew(id)) return false;
    this.emit(message as In);
    return true;
  }

  private seenIds(stream: string): SeenIds {
    let seen = this.seen.get(stream);
    if (!seen) this.seen.set(stream, (seen = new SeenIds()));
    return seen;
  }
}
