import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that a spec can sever and restore, to cut a browser's WebSocket the way a
 * lost network does. Chromium's offline emulation (`context.setOffline(true)`) does not: it holds
 * an open WebSocket's frames in both directions and delivers them when back online, so neither end
 * ever sees a close. Severing destroys both halves of every proxied connection (each end sees its
 * socket end, 1006 on the WebSocket), and refuses new ones until `restore()`.
 *
 * @example
 * const proxy = await TcpProxy.start(serverPort);
 * await page.goto(`http://127.0.0.1:${proxy.port}/`);
 * proxy.sever();      // the page's connection drops; reconnects fail
 * proxy.restore();    // the next reconnect gets through
 * await proxy.close();
 */
export class TcpProxy {
  private readonly pairs = new Set<readonly [Socket, Socket]>();
  private severed = false;
  /** Connections turned away while severed: each is one failed attempt the browser may log. */
  refused = 0;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on 127.0.0.1 at a free port and forwards to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Drops every connection through the proxy and turns new ones away. */
  sever(): void {
    this.severed = true;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Lets connections through again. */
  restore(): void {
    this.severed = false;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.severed) {
      this.refused++;
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair = [client, upstream] as const;
    this.pairs.add(pair);
    const drop = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // Either side ending or failing ends both: a half-open pair would hide the cut.
    for (const socket of pair) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
