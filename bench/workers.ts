/**
 * What `starwire serve --workers 2` buys over `--workers 1`, and how long a graceful shutdown
 * takes. Both servers serve bench/support/ws-servers.ts's Starwire JSON echo app
 * (`starwireEchoApp`) through the real command line, each in its own process tree; this
 * process is the load generator (support/ws-load.ts, as bench/ws-echo.ts uses it):
 * `--connections` × `--in-flight` messages of `--payload` bytes over 127.0.0.1, rounds
 * alternating between the two after a warm-up, medians reported. Server CPU is the whole
 * process tree's (primary and workers, from /proc).
 *
 * Then a fresh `--workers 2` server gets `--sockets` open WebSockets and a SIGTERM: the time
 * until the process exits, and how many of the sockets saw close code 1001.
 *
 * The load generator is one thread: on a machine with few cores it competes with the workers,
 * which caps what a second worker can show (the table gives both CPU figures to judge by).
 *
 * Run: `npm run bench -- workers [--duration 5] [--rounds 3] [--warmup 2] [--connections 50]
 *       [--in-flight 10] [--payload 64] [--sockets 1000]`
 */
import { parseArgs } from 'node:util';
import type { WebSocket as WsClient } from 'ws';
import { positive } from './support/options';
import { type StarwireServer, startStarwire } from './support/starwire-cli';
import { median, round } from './support/stats';
import { formatTable } from './support/table';
import { closeAll, connect } from './support/ws-load';
import { checkEcho, jsonPayload, LOAD_FLAGS, type LoadOptions, load, loadOptions, type Sample, url } from './ws-echo';

const APP = 'dist/bench/support/ws-servers.js:starwireEchoApp';
const WORKER_COUNTS = [1, 2] as const;

interface Options extends LoadOptions {
  payload: number;
  sockets: number;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...LOAD_FLAGS, payload: { type: 'string', default: '64' }, sockets: { type: 'string', default: '1000' } },
  });
  return {
    ...loadOptions(values),
    payload: Math.round(positive('payload', values.payload)),
    sockets: Math.round(positive('sockets', values.sockets)),
  };
}

function serve(workers: number): Promise<StarwireServer> {
  return startStarwire([APP, '--port', '0', '--workers', String(workers)]);
}

async function throughput(options: Options): Promise<Map<number, Sample[]>> {
  const payload = jsonPayload(options.payload);
  const servers = new Map<number, StarwireServer>();
  const samples = new Map<number, Sample[]>(WORKER_COUNTS.map((workers) => [workers, []]));
  try {
    for (const workers of WORKER_COUNTS) {
      const server = await serve(workers);
      servers.set(workers, server);
      await checkEcho(`--workers ${workers}`, server, payload);
    }
    if (options.warmup > 0) for (const workers of WORKER_COUNTS) await load(servers.get(workers)!, payload, options.warmup, options);
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? WORKER_COUNTS : [...WORKER_COUNTS].reverse();
      for (const workers of order) {
        const sample = await load(servers.get(workers)!, payload, options.duration, options);
        samples.get(workers)!.push(sample);
        console.log(
          `  round ${r + 1}/${options.rounds} --workers ${workers}  ${Math.round(sample.msgsPerSecond)} msg/s  ` +
            `p99 ${sample.p99.toFixed(2)} ms  server cpu ${Math.round(sample.cpuPercent)}%  client cpu ${Math.round(sample.clientCpuPercent)}%` +
            `${sample.failures ? `  ${sample.failures} failures` : ''}`,
        );
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.terminate()));
  }
  return samples;
}

interface ShutdownResult {
  sockets: number;
  closed_1001: number;
  ms: number;
  exit_code: number | null;
}

/** Opens `count` sockets on a fresh `--workers 2` server, sends SIGTERM, times the exit. */
async function shutdown(count: number): Promise<ShutdownResult> {
  const server = await serve(2);
  const clients: WsClient[] = [];
  const codes: Promise<number>[] = [];
  try {
    // In batches, within the listen backlog.
    for (let opened = 0; opened < count; opened += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, count - opened) }, () => connect(url(server))));
      for (const client of batch) {
        clients.push(client);
        codes.push(new Promise((resolve) => client.once('close', (code: number) => resolve(code))));
      }
    }
    const ended = await server.terminate();
    // Every client has its close frame by the time the server is gone, or never will.
    const closed = await Promise.race([Promise.all(codes), new Promise<number[]>((resolve) => setTimeout(() => resolve([]), 5000))]);
    return { sockets: count, closed_1001: closed.filter((code) => code === 1001).length, ms: Math.round(ended.ms), exit_code: ended.code };
  } finally {
    await closeAll(clients);
    await server.terminate();
  }
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const seconds = 2 * (options.warmup + options.rounds * (options.duration + 1));
  console.log(
    `workers bench: starwire serve --workers 1 vs 2, JSON echo of ${options.payload} B, ${options.connections} connections × ` +
      `${options.inFlight} in flight, ${options.rounds} rounds × ${options.duration}s after ${options.warmup}s warm-up (~${Math.ceil(seconds)}s); ` +
      `then SIGTERM with ${options.sockets} open sockets`,
  );
  const samples = await throughput(options);
  const result = await shutdown(options.sockets);

  const rows = WORKER_COUNTS.map((workers) => {
    const list = samples.get(workers)!;
    return {
      workers,
      msgs_per_s: Math.round(median(list.map((s) => s.msgsPerSecond))),
      p99_ms: round(median(list.map((s) => s.p99)), 3),
      server_cpu_percent: Math.round(median(list.map((s) => s.cpuPercent))),
      client_cpu_percent: Math.round(median(list.map((s) => s.clientCpuPercent))),
      rounds: list.map((s) => Math.round(s.msgsPerSecond)).join(' '),
      failures: list.reduce((sum, s) => sum + s.failures, 0),
    };
  });
  const ratio = round(rows[1].msgs_per_s / rows[0].msgs_per_s, 3);
  console.log('');
  console.log(
    formatTable(
      ['--workers', 'msg/s (median)', 'p99 ms', 'server cpu %', 'client cpu %', 'msg/s per round', 'failures'],
      rows.map((r) => [r.workers, r.msgs_per_s, r.p99_ms, r.server_cpu_percent, r.client_cpu_percent, r.rounds, r.failures]),
    ),
  );
  console.log('');
  console.log(`workers2_vs_workers1: ${ratio} (${rows[1].msgs_per_s} ÷ ${rows[0].msgs_per_s} msg/s)`);
  console.log(
    `shutdown with ${result.sockets} open sockets (--workers 2): exited ${result.ms} ms after SIGTERM with code ${result.exit_code}; ` +
      `${result.closed_1001}/${result.sockets} saw 1001${result.closed_1001 === result.sockets ? '' : ' — NOT ALL'}`,
  );
  console.log(
    JSON.stringify({
      bench: 'workers',
      rows: rows.map(({ workers, msgs_per_s, p99_ms, server_cpu_percent, client_cpu_percent }) => ({
        workers,
        msgs_per_s,
        p99_ms,
        server_cpu_percent,
        client_cpu_percent,
      })),
      ratios: { workers2_vs_workers1: ratio },
      shutdown: result,
    }),
  );
}
