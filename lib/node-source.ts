import type { IncomingMessage } from 'node:http';
import type { Address, IncomingSource } from './address';

/**
 * A Node request seen as an `IncomingSource`. Headers and addresses are read on first use:
 * Node builds `req.headers` lazily, and most requests never need the client's address.
 */
export class NodeSource implements IncomingSource {
  readonly method: string;
  readonly url: string;
  private clientAddress: Address | null | undefined = undefined;
  private serverAddress: Address | null | undefined = undefined;

  constructor(readonly req: IncomingMessage) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
  }

  get headers(): IncomingMessage['headers'] {
    return this.req.headers;
  }

  get body(): IncomingMessage {
    return this.req;
  }

  get client(): Address | null {
    if (this.clientAddress === undefined) {
      const socket = this.req.socket;
      this.clientAddress = socket.remoteAddress ? { host: socket.remoteAddress, port: socket.remotePort ?? 0 } : null;
    }
    return this.clientAddress;
  }

  get server(): Address | null {
    if (this.serverAddress === undefined) {
      const socket = this.req.socket;
      this.serverAddress = socket.localAddress ? { host: socket.localAddress, port: socket.localPort ?? 0 } : null;
    }
    return this.serverAddress;
  }
}
