import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Address, IncomingSource } from '../http/address';
import type { TrustedProxies } from '../http/trusted-proxies';
import { compactHeaders } from './compact-headers';

/**
 * A Node request seen as an `IncomingSource`. Headers and addresses are read on first use:
 * Node builds `req.headers` lazily, and most requests never need the client's address (reading
 * it makes Node cache address objects on the socket).
 */
export class NodeSource implements IncomingSource {
  readonly method: string;
  readonly url: string;
  private req: IncomingMessage | undefined;
  private readonly socket: Socket;
  private headerBag: IncomingMessage['headers'] | undefined = undefined;
  private clientAddress: Address | null | undefined = undefined;
  private serverAddress: Address | null | undefined = undefined;

  constructor(
    req: IncomingMessage,
    private readonly proxies?: TrustedProxies,
  ) {
    this.req = req;
    this.socket = req.socket;
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
  }

  get headers(): IncomingMessage['headers'] {
    return this.headerBag ?? this.req!.headers;
  }

  header(name: string): string | undefined {
    if (this.headerBag !== undefined || this.req === undefined) {
      const value = this.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    }
    // Straight from the raw pairs: one lookup should not make Node build every header. Repeats
    // are merged as Node merges them into `req.headers`, so both ways read the same value.
    const raw = this.req.rawHeaders;
    const separator = name === 'cookie' ? '; ' : ', ';
    const firstOnly = SINGLE_VALUED.has(name);
    let found: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const key = raw[i];
      if (key.length !== name.length || key.toLowerCase() !== name) continue;
      if (found === undefined) found = raw[i + 1];
      else if (firstOnly) break;
      else found = `${found}${separator}${raw[i + 1]}`;
    }
    return found;
  }

  get body(): AsyncIterable<Buffer> {
    return this.req ?? NO_BODY;
  }

  get client(): Address | null {
    if (this.clientAddress === undefined) {
      const socket = this.socket;
      const peer = socket.remoteAddress;
      if (!peer) {
        this.clientAddress = null;
      } else if (this.proxies?.trusts(peer)) {
        // The port is the proxy's; the client's is not known.
        const host = this.proxies.walk(peer, this.headers['x-forwarded-for']);
        this.clientAddress = { host, port: host === peer ? (socket.remotePort ?? 0) : 0 };
      } else {
        this.clientAddress = { host: peer, port: socket.remotePort ?? 0 };
      }
    }
    return this.clientAddress;
  }

  get server(): Address | null {
    if (this.serverAddress === undefined) {
      const socket = this.socket;
      this.serverAddress = socket.localAddress ? { host: socket.localAddress, port: socket.localPort ?? 0 } : null;
    }
    return this.serverAddress;
  }

  /** Watches the socket: a client that aborts its request closes it. */
  watchClose(onClose: () => void): () => void {
    const socket = this.socket;
    if (socket.destroyed) {
      queueMicrotask(onClose);
      return () => {};
    }
    socket.once('close', onClose);
    return () => socket.off('close', onClose);
  }

  /**
   * Keeps the headers and the socket (which an open WebSocket holds anyway), lets the request go.
   * The headers are kept as a compact copy whose common values every open socket shares.
   */
  release(): void {
    if (!this.req) return;
    this.headerBag = compactHeaders(this.req.headers);
    this.req = undefined;
  }
}

/** Headers whose repeats Node drops, keeping the first (`matchKnownFields` in Node's `_http_incoming`). */
const SINGLE_VALUED: ReadonlySet<string> = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

const NO_BODY: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: async () => ({ value: undefined, done: true }) }) };
