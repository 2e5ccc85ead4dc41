/**
 * Connection setup over WebSocket, in two parts.
 *
 * A. Handshakes per second: Starwire (one `WebSocketRoute` whose handler injects `WebSocket`,
 *    accepts and echoes each message; default settings) against a plain `ws` `WebSocketServer`
 *    doing the same (support/handshake-servers.ts), each in its own process. A separate client
 *    process per system (support/handshake-client.ts, a bare client over `node:net`) keeps
 *    `--concurrency` cycles in flight, each cycle: open a connection, send one message, receive
 *    its echo, close, wait for the TCP close. Systems alternate round by round after a warm-up;
 *    reported are the medians of handshakes per second, and of the server's CPU time per
 *    handshake measured in the server process (`process.cpuUsage()` deltas around the window),
 *    with the ratios starwire ÷ ws (target ≥ 0.9; for CPU, ws ÷ starwire so higher is better).
 * B. Idle connections held by one Starwire process (support/hold-bench.ts): `--hold` (default
 *    50,000) connections opened by client processes of at most `--per-client` each, one source
 *    address 127.0.0.x per client process; the server's open-file limit is raised with
 *    `ulimit -n` (if the hard limit is lower, the bench says so and holds what fits). Reported:
 *    the setup rate, server CPU per connection set up, heap and RSS in total and per connection.
 *
 * The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- ws-handshake [--duration 4] [--rounds 3] [--warmup 2] [--concurrency 50]
 *       [--hold 50000] [--per-client 12500] [--hold-concurrency 100] [--idle 2] [--part a|b|both]
 *       [--profile starwire|ws]` (`--hold 0` skips part B; `--profile` writes a `--cpu-prof`
 * profile of that server in part A).
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ChildServer, startChildServer } from './support/child-server';
import { nextMessage } from './support/fd-limit';
import { HANDSHAKE_PATH, HANDSHAKE_SYSTEMS, type HandshakeSystem } from './support/handshake-servers';
import { fitHold, type HoldResult, holdIdle } from './support/hold-bench';
import { positive } from './support/options';
import { median, round } from './support/stats';
import { formatTable } from './support/table';

const SERVER_SCRIPT = join(__dirname, 'support', 'handshake-servers.js');
const CLIENT_SCRIPT = join(__dirname, 'support', 'handshake-client.js');
const TARGET = 0.9;
/** Load before each measured window, so every window starts in a steady state. */
const RAMP_SECONDS = 0.5;

interface Options {
  duration: number;
  rounds: number;
  warmup: number;
  concurrency: number;
  hold: number;
  perClient: number;
  holdConcurrency: number;
  idle: number;
  part: 'a' | 'b' | 'both';
  profile: HandshakeSystem | undefined;
  profileDir: string;
}

interface Sample {
  handshakesPerSecond: number;
  cpuPerHandshake: number;
  cpuPercent: number;
  failures: number;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      duration: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '50' },
      hold: { type: 'string', default: '50000' },
      'per-client': { type: 'string', default: '12500' },
      'hold-concurrency': { type: 'string', default: '100' },
      idle: { type: 'string', default: '2' },
      part: { type: 'string', default: 'both' },
      profile: { type: 'string' },
      'profile-dir': { type: 'string', default: join(tmpdir(), 'starwire-bench-profiles') },
    },
  });
  const part = values.part;
  if (part !== 'a' && part !== 'b' && part !== 'both') throw new Error(`--part must be a, b or both, got ${part}`);
  const profile = values.profile;
  if (profile !== undefined && !(HANDSHAKE_SYSTEMS as readonly string[]).includes(profile)) {
    throw new Error(`--profile must be one of ${HANDSHAKE_SYSTEMS.join(', ')}, got ${profile}`);
  }
  const hold = Math.round(Number(values.hold));
  if (!(hold >= 0)) throw new Error(`--hold must be ≥ 0, got ${values.hold}`);
  return {
    duration: positive('duration', values.duration),
    rounds: Math.round(positive('rounds', values.rounds)),
    warmup: Number(values.warmup),
    concurrency: Math.round(positive('concurrency', values.concurrency)),
    hold: part === 'a' ? 0 : hold,
    perClient: Math.round(positive('per-client', values['per-client'])),
    holdConcurrency: Math.round(positive('hold-concurrency', values['hold-concurrency'])),
    idle: Number(values.idle),
    part,
    profile: profile as HandshakeSystem | undefined,
    profileDir: resolve(values['profile-dir']),
  };
}

function has<K extends string>(key: K, value?: unknown) {
  return (message: unknown): message is Record<K, unknown> =>
    typeof message === 'object' &&
    message !== null &&
    (value === undefined ? (message as Record<string, unknown>)[key] !== undefined : (message as Record<string, unknown>)[key] === value);
}

/** One measured window of `client` against `server`: ramp, mark, count, mark, settle. */
async function measureWindow(server: ChildServer, client: ChildProcess, ramp: number, seconds: number): Promise<Sample> {
  const started = nextMessage(client, has('mark', 'start'), 'handshake client');
  const ended = nextMessage(client, has('mark', 'end'), 'handshake client');
  const settled = nextMessage(client, has('settled'), 'handshake client');
  client.send({ ramp, run: seconds });
  await started;
  const cpuBefore = await server.cpuMicros();
  const end = (await ended) as unknown as { handshakes: number; failures: number; seconds: number };
  const cpu = (await server.cpuMicros()) - cpuBefore;
  await settled;
  return {
    handshakesPerSecond: end.handshakes / end.seconds,
    cpuPerHandshake: end.handshakes > 0 ? cpu / end.handshakes : Number.NaN,
    cpuPercent: cpu / 1e4 / end.seconds,
    failures: end.failures,
  };
}

async function handshakes(options: Options): Promise<Map<HandshakeSystem, Sample[]>> {
  const servers = new Map<HandshakeSystem, ChildServer>();
  const clients = new Map<HandshakeSystem, ChildProcess>();
  const samples = new Map<HandshakeSystem, Sample[]>(HANDSHAKE_SYSTEMS.map((system) => [system, []]));
  try {
    for (const system of HANDSHAKE_SYSTEMS) {
      const execArgv = options.profile === system ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
      if (execArgv.length > 0) mkdirSync(options.profileDir, { recursive: true });
      const server = await startChildServer(SERVER_SCRIPT, [system], execArgv);
      servers.set(system, server);
      const client = fork(CLIENT_SCRIPT, [String(server.port), HANDSHAKE_PATH, String(options.concurrency)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      clients.set(system, client);
      await nextMessage(client, has('ready'), 'handshake client');
    }
    for (const system of HANDSHAKE_SYSTEMS) {
      // The warm-up window doubles as a check that each server completes cycles at all.
      const warm = await measureWindow(servers.get(system)!, clients.get(system)!, Math.max(0, options.warmup - 0.5), 0.5);
      if (!(warm.handshakesPerSecond > 0)) throw new Error(`${system}: no cycle completed during the warm-up`);
    }
    for (let r = 0; r < options.rounds; r++) {
      // Rotating the order keeps either system from always running first.
      const order = HANDSHAKE_SYSTEMS.map((_, i) => HANDSHAKE_SYSTEMS[(i + r) % HANDSHAKE_SYSTEMS.length]);
      for (const system of order) {
        const sample = await measureWindow(servers.get(system)!, clients.get(system)!, RAMP_SECONDS, options.duration);
        samples.get(system)!.push(sample);
        console.log(
          `  round ${r + 1}/${options.rounds} ${system.padEnd(8)} ${Math.round(sample.handshakesPerSecond)} handshakes/s  ` +
            `${sample.cpuPerHandshake.toFixed(1)} µs server cpu/handshake  server cpu ${Math.round(sample.cpuPercent)}%` +
            `${sample.failures ? `  ${sample.failures} failures` : ''}`,
        );
      }
    }
  } finally {
    for (const client of clients.values()) if (client.connected) client.disconnect();
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  if (options.profile) console.log(`cpu profile of ${options.profile} written to ${options.profileDir}`);
  return samples;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function reportHold(hold: HoldResult): void {
  console.log(
    formatTable(
      ['connections', 'clients', 'setup s', 'setup conn/s', 'server µs cpu/conn', 'heapUsed MiB', 'rss MiB', 'heap B/conn', 'rss B/conn'],
      [
        [
          hold.connections,
          hold.clients,
          round(hold.setupSeconds, 2),
          Math.round(hold.setupPerSecond),
          round(hold.cpuPerConnection, 1),
          `${mib(hold.baseline.heapUsed)} → ${mib(hold.loaded.heapUsed)}`,
          `${mib(hold.baseline.rss)} → ${mib(hold.loaded.rss)}`,
          Math.round(hold.heapPerConnection),
          Math.round(hold.rssPerConnection),
        ],
      ],
    ),
  );
  if (hold.connections < hold.asked) console.log(`(held ${hold.connections} of the ${hold.asked} asked for: see the NOTE above)`);
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const json: Record<string, unknown> = { bench: 'ws-handshake' };
  if (options.part !== 'b') {
    console.log(
      `ws-handshake bench A: ${options.rounds} rounds × ${HANDSHAKE_SYSTEMS.length} systems × ${options.duration}s, ` +
        `${options.concurrency} cycles in flight (connect, one message, echo, close), warm-up ${options.warmup}s each`,
    );
    const samples = await handshakes(options);
    const rows = HANDSHAKE_SYSTEMS.map((system) => {
      const list = samples.get(system)!;
      return {
        system,
        handshakes_per_s: Math.round(median(list.map((s) => s.handshakesPerSecond))),
        cpu_us: round(median(list.map((s) => s.cpuPerHandshake)), 1),
        cpu_percent: Math.round(median(list.map((s) => s.cpuPercent))),
        rounds: list.map((s) => Math.round(s.handshakesPerSecond)).join(' '),
        failures: list.reduce((sum, s) => sum + s.failures, 0),
      };
    });
    const row = (system: HandshakeSystem): (typeof rows)[number] => rows.find((r) => r.system === system)!;
    const ratio = round(row('starwire').handshakes_per_s / row('ws').handshakes_per_s, 3);
    const cpuRatio = round(row('ws').cpu_us / row('starwire').cpu_us, 3);
    console.log('');
    console.log(
      formatTable(
        ['system', 'handshakes/s (median)', 'server µs cpu/handshake', 'server cpu %', 'handshakes/s per round', 'failures'],
        rows.map((r) => [r.system, r.handshakes_per_s, r.cpu_us, r.cpu_percent, r.rounds, r.failures]),
      ),
    );
    console.log('');
    console.log(
      `starwire_vs_ws_handshakes: ${ratio} handshakes/s (target ≥ ${TARGET}) ${ratio >= TARGET ? 'ok' : 'BELOW TARGET'}; ` +
        `by server cpu/handshake (ws ÷ starwire): ${cpuRatio} (target ≥ ${TARGET}) ${cpuRatio >= TARGET ? 'ok' : 'BELOW TARGET'}`,
    );
    json.rows = rows.map(({ system, handshakes_per_s, cpu_us }) => ({ system, handshakes_per_s, cpu_us_per_handshake: cpu_us }));
    json.ratios = { starwire_vs_ws_handshakes: ratio };
    json.cpu_ratios = { starwire_vs_ws_handshakes: cpuRatio };
  }
  if (options.hold > 0) {
    const fitted = fitHold({
      connections: options.hold,
      perClient: options.perClient,
      concurrency: options.holdConcurrency,
      idle: options.idle,
      warmup: 200,
    });
    console.log(
      `\nws-handshake bench B: one starwire process holds ${fitted.connections} idle connections from ` +
        `${Math.ceil(fitted.connections / fitted.perClient)} client process(es), ${fitted.concurrency} handshakes in flight each, ${fitted.idle}s idle before measuring`,
    );
    const hold = await holdIdle(fitted, options.hold);
    reportHold(hold);
    json.hold = {
      asked: hold.asked,
      connections: hold.connections,
      setup_per_s: Math.round(hold.setupPerSecond),
      cpu_us_per_connection: round(hold.cpuPerConnection, 1),
      heap_bytes: hold.loaded.heapUsed,
      rss_bytes: hold.loaded.rss,
      heap_bytes_per_conn: Math.round(hold.heapPerConnection),
      rss_bytes_per_conn: Math.round(hold.rssPerConnection),
    };
  }
  console.log(JSON.stringify(json));
}
