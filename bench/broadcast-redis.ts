/**
 * `bench/broadcast.ts` across two server processes sharing Redis (`REDIS_URL`, default
 * redis://127.0.0.1:6379): 500 client sockets on each process, all in one room, every
 * broadcast issued on process A. Starwire (`new App({ channelLayer: new RedisChannelLayer({ prefix }) })`,
 * `app.realtime.broadcastToRoom`) against Socket.IO with `@socket.io/redis-adapter` over
 * ioredis (`io.to(room).emit(...)`). Each run uses its own key/channel prefix.
 *
 * Process layout: servers A and B; one client process per server (its sockets on that server)
 * whose control connection goes to A, so each broadcast is complete once both client
 * processes' last-joined sockets acked it: the one on B only after the message went through
 * Redis. Deliveries per second count both processes' sockets; server CPU per delivery sums A
 * and B. The last line printed is one JSON object for tooling.
 *
 * With `--history`, Starwire's room keeps history in a `RedisRealtimeStore` on the same Redis:
 * each broadcast is then one Lua script that appends to the room's stream and publishes, and
 * every process (A too) delivers it as it comes back from Redis (Socket.IO keeps none).
 *
 * Run: `npm run bench -- broadcast-redis [--duration 3] [--rounds 3] [--warmup 1] [--sockets 1000]
 *       [--window 16] [--systems starwire,socketio] [--profile starwire] [--history]`
 * (`--sockets` is the total, split evenly; `--client-procs` is ignored: one per server.)
 */
import { Redis } from 'ioredis';
import {
  BROADCAST_TARGET,
  checkMembers,
  latencyRounds,
  parseBroadcastOptions,
  printRatio,
  printTable,
  profileArgv,
  type Rig,
  ratio,
  reportRows,
  rigChildren,
  runRounds,
} from './broadcast';
import { startClients, startServer, stopAll } from './support/broadcast-harness';
import { type BroadcastSystem, MESSAGE_BYTES } from './support/broadcast-servers';

const SYSTEMS = ['starwire', 'socketio'] as const satisfies readonly BroadcastSystem[];

async function checkRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`broadcast-redis needs Redis at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys the runs' stores left under their prefixes (history, rooms, presence). */
async function deleteKeys(url: string, prefixes: readonly string[]): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await client.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

export async function main(args: string[]): Promise<void> {
  const history = args.includes('--history');
  const options = parseBroadcastOptions(
    args.filter((arg) => arg !== '--history'),
    { systems: SYSTEMS, clientProcs: '2', sockets: '1000' },
  );
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await checkRedis(url);
  const half = Math.floor(options.sockets / 2);
  const split = [options.sockets - half, half];
  const rigs = new Map<BroadcastSystem, Rig>();
  const prefixes: string[] = [];
  const total = options.systems.length * (options.warmup + options.rounds * (options.duration + 0.5)) + options.systems.length * 4;
  console.log(
    `broadcast-redis bench: ${options.sockets} sockets in one room over 2 server processes (${split.join(' + ')}) sharing Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')}, ` +
      `broadcasts from process A, ${MESSAGE_BYTES} B JSON, window ${options.window}, ${options.rounds} rounds × ${options.systems.length} systems × ${options.duration}s, ` +
      `warm-up ${options.warmup}s each (~${Math.ceil(total)}s)`,
  );
  try {
    for (const system of options.systems) {
      const prefix = `bench-bc-${process.pid}-${Date.now().toString(36)}-${system}`;
      prefixes.push(prefix);
      const a = await startServer(system, { sockets: split[0], redis: true, history, prefix, execArgv: profileArgv(system, options) });
      const rig: Rig = { driver: a, others: [], clients: [] };
      rigs.set(system, rig);
      const b = await startServer(system, { sockets: split[1], redis: true, history, prefix });
      rig.others.push(b);
      rig.clients.push(await startClients(a, a, split[0]));
      rig.clients.push(await startClients(b, a, split[1]));
      await checkMembers(rig, split);
    }
    const samples = await runRounds(rigs, options);
    const rows = reportRows(samples, await latencyRounds(rigs, options));
    printTable(rows);
    const ratios: Record<string, number> = {};
    const cpuRatios: Record<string, number> = {};
    const value = ratio(rows, 'socketio');
    if (value) {
      ratios.starwire_vs_socketio_redis = value.throughput;
      cpuRatios.starwire_vs_socketio_redis = value.cpu;
      printRatio('starwire_vs_socketio_redis', value, BROADCAST_TARGET);
    }
    if (options.profile) console.log(`cpu profile of ${options.profile} (process A) written to ${options.profileDir}`);
    console.log(
      JSON.stringify({
        bench: history ? 'broadcast-redis --history' : 'broadcast-redis',
        rows: rows.map(({ system, deliveries_per_s, server_us_per_delivery, lost }) => ({
          system,
          deliveries_per_s,
          server_us_per_delivery,
          lost,
        })),
        ratios,
        cpu_ratios: cpuRatios,
      }),
    );
  } finally {
    await stopAll([...rigs.values()].flatMap(rigChildren));
    if (history) await deleteKeys(url, prefixes);
  }
}
