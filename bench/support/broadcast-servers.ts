/**
 * The broadcast servers `bench/broadcast.ts` and `bench/broadcast-redis.ts` compare, each on its
 * own `node:http` server at 127.0.0.1, path `/bc`. Every socket that connects joins the room
 * `bench` and is sent one "joined" message once it is a member; a socket that connects with
 * `?role=control` joins nothing and only carries acks (the broadcast seq as text, or a Socket.IO
 * `ack` event) from a client process back to the broadcasting server.
 *
 * - `starwire`: an `App` whose handler injects `WebSocket` and `RealtimeManager`, registers the
 *   socket (`addUser`) and joins it to the room (`joinRoom`); a broadcast is
 *   `app.realtime.broadcastToRoom('bench', msg)` (room made with `keepHistory: false`, as the
 *   peers keep none). With `--redis`, the app's channel layer is a `RedisChannelLayer`; with
 *   `--redis --history` the store is a `RedisRealtimeStore` too and the room keeps history, so
 *   each broadcast is one Lua script appending to the room's stream and publishing.
 * - `ws-loop`: a plain `WebSocketServer`; a broadcast is the naive loop
 *   `for (const c of members) c.send(JSON.stringify(msg))`.
 * - `ws-loop-once`: the same loop with the message stringified once before it.
 * - `socketio`: Socket.IO (websocket transport only, no compression); a broadcast is
 *   `io.to('bench').emit('tick', msg)`. With `--redis`, `@socket.io/redis-adapter` over ioredis.
 *
 * The message is a 64-byte JSON object `{"type":"tick","seq":N,"data":"xx…"}`.
 *
 * Forked (support/fd-limit.ts `spawnNode`), it speaks a small IPC protocol: it sends `{ port }`
 * once listening; it answers `'cpu'` with `{ cpu }` (µs of CPU so far), `'members'` with
 * `{ members }` (room sockets held here), and `{ run: { seconds, window, ackers } }` with
 * `{ result }` after broadcasting in a loop (see `BroadcastPump`); it exits when the parent
 * disconnects. Run: `node dist/bench/support/broadcast-servers.js <system> [--redis] [--prefix P]`.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { App, inject, RealtimeManager, RedisChannelLayer, RedisRealtimeStore, WebSocket, WebSocketRoute } from '../../index';
import { percentile } from './stats';

export const BROADCAST_SYSTEMS = ['starwire', 'ws-loop', 'ws-loop-once', 'socketio'] as const;
export type BroadcastSystem = (typeof BROADCAST_SYSTEMS)[number];
export const BROADCAST_PATH = '/bc';
export const ROOM = 'bench';
export const MESSAGE_BYTES = 64;

export function isBroadcastSystem(name: string): name is BroadcastSystem {
  return (BROADCAST_SYSTEMS as readonly string[]).includes(name);
}

/** The clients a system needs: Socket.IO speaks its own protocol on top of WebSocket. */
export function clientKind(system: BroadcastSystem): 'ws' | 'socketio' {
  return system === 'socketio' ? 'socketio' : 'ws';
}

export interface TickMessage {
  type: 'tick';
  seq: number;
  data: string;
}

/** The broadcast message for `seq`, padded so that its JSON is exactly `MESSAGE_BYTES` long. */
export function tick(seq: number): TickMessage {
  const bare = JSON.stringify({ type: 'tick', seq, data: '' }).length;
  return { type: 'tick', seq, data: 'x'.repeat(MESSAGE_BYTES - bare) };
}

/** What one `run` reports. */
export interface RunResult {
  /** Broadcasts issued, every one of them acked by every acker. */
  broadcasts: number;
  /** From the first broadcast to the last ack, in seconds. */
  seconds: number;
  /** This process's CPU time over the same window, µs. */
  cpuMicros: number;
  /** Room sockets here when the run started (deliveries per broadcast from this process). */
  members: number;
  /** Deliveries the server itself reported dropped (Starwire's send-buffer policy). */
  dropped: number;
  /** True when acks stopped coming (a lost delivery to an acker): the run ended early. */
  stalled: boolean;
  /**
   * From issuing a broadcast to its last ack, ms, median and 99th percentile over the run's
   * broadcasts: the time until the last socket of the room has it (each process acks from the
   * socket a broadcast reaches last there), plus one small ack back over loopback.
   */
  latencyMs: { p50: number; p99: number };
}

export interface RunRequest {
  seconds: number;
  /** Broadcasts outstanding (issued, not yet acked by every acker) at most. */
  window: number;
  /** Acks (one per client process) that complete a broadcast. */
  ackers: number;
}

/**
 * Broadcasts in a loop with windowed flow control: at most `window` broadcasts are outstanding;
 * a broadcast is complete once each of the `ackers` client processes acked it (each acks from
 * the socket that joined the room last, i.e. the last one a broadcast reaches there). New
 * broadcasts stop after `seconds`; the run ends when the outstanding ones complete.
 */
export class BroadcastPump {
  private seq = 0;
  private acks = new Map<number, number>();
  /** When each outstanding broadcast was issued, by seq. */
  private issued = new Map<number, number>();
  private active:
    | {
        request: RunRequest;
        firstSeq: number;
        stopAt: number;
        sent: number;
        completed: number;
        stopping: boolean;
        t0: number;
        cpu0: NodeJS.CpuUsage;
        members: number;
        dropped0: number;
        lastAck: number;
        latencies: number[];
        finish: (result: RunResult) => void;
        watchdog: NodeJS.Timeout;
      }
    | undefined;

  constructor(
    private readonly broadcast: (seq: number) => void,
    /** Room sockets held here. */
    readonly members: () => number,
    private readonly dropped: () => number = () => 0,
  ) {}

  run(request: RunRequest): Promise<RunResult> {
    if (this.active) return Promise.reject(new Error('a run is already going'));
    return new Promise((finish) => {
      const t0 = performance.now();
      const watchdog = setInterval(() => {
        // No ack for 5 s: some delivery to an acker was lost; end with what completed.
        if (this.active && performance.now() - this.active.lastAck > 5000) this.end(true);
      }, 500);
      this.active = {
        request,
        firstSeq: this.seq,
        stopAt: t0 + request.seconds * 1000,
        sent: 0,
        completed: 0,
        stopping: false,
        t0,
        cpu0: process.cpuUsage(),
        members: this.members(),
        dropped0: this.dropped(),
        lastAck: t0,
        latencies: [],
        finish,
        watchdog,
      };
      this.acks.clear();
      this.issued.clear();
      this.pump();
    });
  }

  /** An ack for `seq` from one client process. */
  ack(seq: number): void {
    const run = this.active;
    if (!run || !(seq >= run.firstSeq)) return;
    const count = (this.acks.get(seq) ?? 0) + 1;
    run.lastAck = performance.now();
    if (count < run.request.ackers) {
      this.acks.set(seq, count);
      return;
    }
    this.acks.delete(seq);
    const issued = this.issued.get(seq);
    if (issued !== undefined) run.latencies.push(run.lastAck - issued);
    this.issued.delete(seq);
    run.completed++;
    this.pump();
  }

  private pump(): void {
    const run = this.active!;
    while (!run.stopping && run.sent - run.completed < run.request.window) {
      if (performance.now() >= run.stopAt) {
        run.stopping = true;
        break;
      }
      run.sent++;
      this.issued.set(this.seq, performance.now());
      this.broadcast(this.seq++);
    }
    if (run.stopping && run.completed === run.sent) this.end(false);
  }

  private end(stalled: boolean): void {
    const run = this.active!;
    const cpu = process.cpuUsage(run.cpu0);
    clearInterval(run.watchdog);
    this.active = undefined;
    const latencies = run.latencies.sort((a, b) => a - b);
    run.finish({
      broadcasts: run.completed,
      seconds: (run.lastAck - run.t0) / 1000,
      cpuMicros: cpu.user + cpu.system,
      members: run.members,
      dropped: this.dropped() - run.dropped0,
      stalled,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    });
  }
}

function textOf(data: string | Buffer): string {
  return typeof data === 'string' ? data : data.toString('utf8');
}

interface Started {
  server: Server;
  pump: BroadcastPump;
}

async function starwire(redis: boolean, history: boolean, prefix: string): Promise<Started> {
  let channelLayer: RedisChannelLayer | undefined;
  let store: RedisRealtimeStore | undefined;
  if (redis) {
    channelLayer = new RedisChannelLayer({ prefix });
    await channelLayer.ready();
  }
  if (redis && history) {
    store = new RedisRealtimeStore({ prefix });
    await store.ready();
  }
  let members = 0;
  let nextUser = 0;
  let dropped = 0;
  let pump: BroadcastPump | undefined;
  const handler = inject([WebSocket, RealtimeManager], async (ws, realtime) => {
    await ws.accept();
    if (ws.scope.query.role === 'control') {
      for await (const data of ws) pump!.ack(Number(textOf(data)));
      return;
    }
    const userId = `u${++nextUser}`;
    await realtime.addUser({ id: userId }, ws);
    await realtime.joinRoom(ROOM, userId);
    members++;
    await ws.sendText('{"type":"joined"}');
    try {
      for await (const data of ws) void data;
    } finally {
      members--;
    }
  });
  const app = new App({ routes: [new WebSocketRoute(BROADCAST_PATH, handler)], channelLayer, realtime: { store } });
  await app.realtime.createRoom({ id: ROOM, keepHistory: store !== undefined });
  pump = new BroadcastPump(
    (seq) => {
      app.realtime.broadcastToRoom(ROOM, tick(seq)).then(
        (delivery) => {
          dropped += delivery.dropped;
        },
        (error: unknown) => {
          console.error('starwire broadcast failed:', error);
        },
      );
    },
    () => members,
    () => dropped,
  );
  const server = await app.listen(0, '127.0.0.1');
  return { server, pump };
}

function plainWs(once: boolean): Promise<Started> {
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
  });
  // Starwire's defaults for the options that matter here: 1 MiB max payload, no compression.
  const wss = new WebSocketServer({ server, path: BROADCAST_PATH, maxPayload: 1024 * 1024, perMessageDeflate: false });
  // The room: every socket but the control ones.
  const clients = new Set<WsSocket>();
  let pump: BroadcastPump;
  wss.on('connection', (socket, request) => {
    socket.on('error', () => {});
    if (new URL(request.url ?? '/', 'http://x').searchParams.get('role') === 'control') {
      socket.on('message', (data: Buffer) => pump.ack(Number(data.toString('utf8'))));
      return;
    }
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('message', () => {});
    socket.send('{"type":"joined"}');
  });
  wss.on('error', () => {});
  const broadcast = once
    ? (seq: number): void => {
        const msg = tick(seq);
        const text = JSON.stringify(msg);
        for (const c of clients) c.send(text);
      }
    : (seq: number): void => {
        const msg = tick(seq);
        for (const c of clients) c.send(JSON.stringify(msg));
      };
  pump = new BroadcastPump(broadcast, () => clients.size);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, pump }));
  });
}

async function socketio(redis: boolean, prefix: string): Promise<Started> {
  const { Server: IoServer } = await import('socket.io');
  const server = createServer();
  const io = new IoServer(server, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: 1024 * 1024,
  });
  if (redis) {
    const { createAdapter } = await import('@socket.io/redis-adapter');
    const { Redis } = await import('ioredis');
    const pub = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on('error', (error) => console.error('socketio redis:', error.message));
    io.adapter(createAdapter(pub, sub, { key: prefix }));
  }
  let members = 0;
  let pump: BroadcastPump;
  io.on('connection', (socket) => {
    if (socket.handshake.query.role === 'control') {
      socket.on('ack', (seq: number) => pump.ack(seq));
      return;
    }
    void socket.join(ROOM);
    members++;
    socket.on('disconnect', () => {
      members--;
    });
    socket.emit('joined');
  });
  pump = new BroadcastPump(
    (seq) => {
      io.to(ROOM).emit('tick', tick(seq));
    },
    () => members,
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, pump }));
  });
}

function isRunMessage(message: unknown): message is { run: RunRequest } {
  return typeof message === 'object' && message !== null && 'run' in message;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      redis: { type: 'boolean', default: false },
      history: { type: 'boolean', default: false },
      prefix: { type: 'string', default: `bench-broadcast-${process.pid}` },
    },
  });
  const system = positionals[0] ?? '';
  if (!isBroadcastSystem(system)) throw new Error(`usage: broadcast-servers.js <${BROADCAST_SYSTEMS.join('|')}> [--redis] [--prefix P]`);
  if (values.redis && system !== 'starwire' && system !== 'socketio') throw new Error(`--redis: ${system} has no Redis mode`);
  const started =
    system === 'starwire'
      ? await starwire(values.redis, values.history, values.prefix)
      : system === 'socketio'
        ? await socketio(values.redis, values.prefix)
        : await plainWs(system === 'ws-loop-once');
  const port = (started.server.address() as AddressInfo).port;
  const send = process.send?.bind(process);
  if (!send) {
    console.log(`${system} listening on ws://127.0.0.1:${port}${BROADCAST_PATH}`);
    return;
  }
  process.on('message', (message: unknown) => {
    if (message === 'cpu') {
      const { user, system: sys } = process.cpuUsage();
      send({ cpu: user + sys });
    } else if (message === 'members') {
      send({ members: started.pump.members() });
    } else if (isRunMessage(message)) {
      void started.pump.run(message.run).then((result) => send({ result }));
    }
  });
  // A plain exit (not a signal) lets `--cpu-prof` write its profile.
  process.once('disconnect', () => process.exit(0));
  send({ port });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
