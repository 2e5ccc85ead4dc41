import { ConnectionClosedError } from './errors.mjs';
import { isServerMessage, type ClientEvents, type ServerMessage } from './options.mjs';
import { isAfter, isStreamId } from './stream-ids.mjs';

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

/**
 * The client's memory of where each room and channel stands: the last history id it emitted,
 * so it can drop duplicates and, after a reconnect, ask for what followed. While a stream's
 * history is being fetched its live messages are held back, so that they come out after the
 * missed ones, in id order, each once.
 */
export class Resume<In> {
  private readonly lastIds = new Map<string, string>();
  private readonly held = new Map<string, { messages: ServerMessage[]; overflowed: boolean }>();

  constructor(
    private readonly emit: (message: In) => void,
    private readonly resumed: (event: ClientEvents['resumed']) => void,
    private readonly fail: (error: Error) => void,
  ) {}

  /** The streams a message with an id was seen on. */
  streams(): string[] {
    return [...this.lastIds.keys()];
  }

  /** The `history` request that asks `stream` for what followed the last id seen. */
  historyRequest(stream: string): { type: 'history'; after: string | undefined; [kindField: string]: string | undefined } {
    const { kind, name } = split(stream);
    return { type: 'history', [kind]: name, after: this.lastIds.get(stream) };
  }

  /** Whether to emit a live message now: not when it is a duplicate, nor while its stream catches up. */
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
    if (!isAfter(id, this.lastIds.get(stream))) return false;
    this.lastIds.set(stream, id);
    return true;
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
    let newest: string | undefined = isStreamId(reply.after) ? reply.after : reply.complete === true ? '0-0' : undefined;
    for (const message of reply.messages) {
      if (isServerMessage(message) && isStreamId(message.id) && isAfter(message.id, newest)) newest = message.id;
    }
    if (newest !== undefined && isAfter(newest, this.lastIds.get(stream))) this.lastIds.set(stream, newest);
  }

  /** Holds `stream`'s live messages until `reply` (the answer to `historyRequest(stream)`) settles. */
  begin(stream: string, reply: Promise<ServerMessage>): void {
    this.held.set(stream, { messages: [], overflowed: false });
    reply.then((answer) => this.finish(stream, answer), (error: unknown) => this.abort(stream, error));
  }

  private finish(stream: string, reply: ServerMessage): void {
    const { messages: held = [], overflowed = false } = this.held.get(stream) ?? {};
    this.held.delete(stream);
    const { kind, name } = split(stream);
    let complete = reply.complete === true && !overflowed;
    let missed = 0;
    if (reply.type === 'history' && Array.isArray(reply.messages)) {
      for (const message of reply.messages) if (isServerMessage(message) && this.pass(stream, message)) missed++;
    } else {
      complete = false;
      this.fail(new Error(`StarwireClient: resuming ${kind} ${name}, the server answered ${JSON.stringify(reply).slice(0, 200)}`));
    }
    for (const message of held) this.pass(stream, message);
    this.resumed({ [kind]: name, complete, missed });
  }

  private abort(stream: string, error: unknown): void {
    const { messages: held = [] } = this.held.get(stream) ?? {};
    this.held.delete(stream);
    // Closed again (or by the app): the held messages are in the history the next resume asks for.
    if (error instanceof ConnectionClosedError) return;
    const { kind, name } = split(stream);
    const reason = error instanceof Error ? error.message : String(error);
    this.fail(new Error(`StarwireClient: could not resume ${kind} ${name}: ${reason}`, { cause: error }));
    for (const message of held) this.pass(stream, message);
    this.resumed({ [kind]: name, complete: false, missed: 0 });
  }

  /** Emits `message` if it follows the stream's last id; ids without order are emitted as they come. */
  private pass(stream: string, message: ServerMessage): boolean {
    const id = message.id;
    if (isStreamId(id)) {
      if (!isAfter(id, this.lastIds.get(stream))) return false;
      this.lastIds.set(stream, id);
    }
    this.emit(message as In);
    return true;
  }
}
