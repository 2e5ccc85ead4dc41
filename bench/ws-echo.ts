/**
 * Messages per second and p50/p99 round-trip latency of a JSON echo over WebSocket: Starwire
 * (a handler injecting `WebSocket` and a per-connection component, one `onRequest` hook; and the
 * same echo as a message handler, `starwire-messages`; see support/ws-servers.ts) against a
 * plain `ws` `WebSocketServer` doing the same JSON parse + echo, and the same Starwire app with Prometheus metrics on (`starwire-metrics`), reported
 * against metrics off as `metrics_on_vs_off_<payload>` in messages per second and in server CPU
 * per message (target ≥ 0.95 for both). Each server runs in its own process; this process is the load generator (`ws`
 * clients, support/ws-load.ts): 50 connections × 10 messages in flight, payloads of 64 B and
 * 16 KiB, over 127.0.0.1. Systems alternate round by round after a warm-up, and the medians
 * over rounds are reported. The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- ws-echo [--duration 5] [--rounds 3] [--warmup 2] [--connections 50]
 *       [--in-flight 10] [--payloads 64,16384] [--heartbeat ms] [--profile starwire]`
 * (`--heartbeat` overrides Starwire's default 25 s ping interval, 0 turns it off; `--profile`
 * writes a `--cpu-prof` profile of that server).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ChildServer, startChildServer } from './support/child-server';
import { positive } from './support/options';
import { median, round } from './support/stats';
import { formatTable } from './support/table';
import { percentile, roundTrip, runLoad } from './support/ws-load';
import { ECHO_SYSTEMS, isWsSystem, WS_PATH, type WsSystem } from './support/ws-servers';

const SERVER_SCRIPT = join(__dirname, 'support', 'ws-servers.js');
const TARGET = 1.05;
/** Metrics on may cost at most 5 %: on ÷ off, in messages per second and in CPU per message. */
const METRICS_TARGET = 0.95;

interface Options {
  duration: number;
  rounds: number;
  warmup: number;
  connections: number;
  inFlight: number;
  payloads: number[];
  heartbeat: number | undefined;
  profile: WsSystem | undefined;
  profileDir: string;
}

export interface Sample {
  msgsPerSecond: number;
  p50: number;
  p99: number;
  /** Server CPU time per echoed message, µs. */
  cpuPerMessage: number;
  /** Server CPU use over the window, % of one core: near 100 means the server was the bottleneck. */
  cpuPercent: number;
  /** This process's (the load generator's) CPU use over the same window, % of one core. */
  clientCpuPercent: number;
  failures: number;
}

/** The flags of a closed-loop load run, shared with bench/workers.ts. */
export const LOAD_FLAGS = {
  duration: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '2' },
  connections: { type: 'string', default: '50' },
  'in-flight': { type: 'string', default: '10' },
} as const;

export type LoadOptions = Pick<Options, 'duration' | 'rounds' | 'warmup' | 'connections' | 'inFlight'>;

/** `LOAD_FLAGS`' values, checked. */
export function loadOptions(values: Record<keyof typeof LOAD_FLAGS, string>): LoadOptions {
  return {
    duration: positive('duration', values.duration),
    rounds: Math.round(positive('rounds', values.rounds)),
    warmup: Number(values.warmup),
    connections: Math.round(positive('connections', values.connections)),
    inFlight: Math.round(positive('in-flight', values['in-flight'])),
  };
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...LOAD_FLAGS,
      payloads: { type: 'string', default: '64,16384' },
      heartbeat: { type: 'string' },
      profile: { type: 'string' },
      'profile-dir': { type: 'string', default: join(tmpdir(), 'starwire-bench-profiles') },
    },
  });
  if (values.profile !== undefined && !isWsSystem(values.profile)) {
    throw new Error(`--profile must be one of ${ECHO_SYSTEMS.join(', ')}, got ${values.profile}`);
  }
  const payloads = values.payloads.split(',').map((size) => Math.round(positive('payloads', size)));
  const heartbeat = values.heartbeat === undefined ? undefined : Number(values.heartbeat);
  if (heartbeat !== undefined && !(heartbeat >= 0)) throw new Error(`--heartbeat must be ≥ 0 ms, got ${values.heartbeat}`);
  return {
    ...loadOptions(values),
    payloads,
    heartbeat,
    profile: values.profile,
    profileDir: resolve(values['profile-dir']),
  };
}

/** A JSON text message of exactly `size` bytes, which the echo gives back byte for byte. */
export function jsonPayload(size: number): Buffer {
  if (size < 32) throw new Error(`A ${size} B payload is too small for the JSON envelope (min 32)`);
  const head = '{"type":"echo","data":"';
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail);
}

function payloadLabel(size: number): string {
  return size % 1024 === 0 ? `${size / 1024}k` : String(size);
}

/** What a load run needs of a server: bench/workers.ts passes `starwire serve` processes. */
export type LoadTarget = Pick<ChildServer, 'port' | 'cpuMicros'>;

export function url(server: LoadTarget): string {
  return `ws://127.0.0.1:${server.port}${WS_PATH}`;
}

/** Fails unless `server` echoes `payload` byte for byte; `label` names it in the error. */
export async function checkEcho(label: string, server: LoadTarget, payload: Buffer): Promise<void> {
  const reply = await roundTrip(url(server), payload);
  if (reply !== payload.toString('utf8')) {
    throw new Error(`${label} echoed ${JSON.stringify(reply.slice(0, 80))}… (${reply.length} B) for a ${payload.length} B message`);
  }
}

/** One closed-loop load run against `server`'s echo route, with the server's and this process's CPU. */
export async function load(
  server: LoadTarget,
  payload: Buffer,
  seconds: number,
  options: Pick<Options, 'connections' | 'inFlight'>,
): Promise<Sample> {
  // mark() runs at the start and at the end of the measured window.
  const clientCpu: NodeJS.CpuUsage[] = [];
  const result = await runLoad({
    url: url(server),
    payload,
    seconds,
    connections: options.connections,
    inFlight: options.inFlight,
    mark: () => {
      clientCpu.push(process.cpuUsage());
      return server.cpuMicros();
    },
  });
  const clientMicros = clientCpu[1].user + clientCpu[1].system - clientCpu[0].user - clientCpu[0].system;
  return {
    msgsPerSecond: result.messages / result.seconds,
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    cpuPerMessage: result.messages > 0 ? result.markDelta / result.messages : Number.NaN,
    cpuPercent: result.markDelta / 1e4 / result.seconds,
    clientCpuPercent: clientMicros / 1e4 / result.seconds,
    failures: result.failures,
  };
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const payloads = options.payloads.map(jsonPayload);
  const servers = new Map<WsSystem, ChildServer>();
  const samples = new Map<string, Sample[]>();
  const key = (system: WsSystem, size: number): string => `${system}/${size}`;
  try {
    for (const system of ECHO_SYSTEMS) {
      const execArgv = options.profile === system ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
      if (execArgv.length > 0) mkdirSync(options.profileDir, { recursive: true });
      const serverArgs = system !== 'ws' && options.heartbeat !== undefined ? [system, '--heartbeat', String(options.heartbeat)] : [system];
      const server = await startChildServer(SERVER_SCRIPT, serverArgs, execArgv);
      servers.set(system, server);
      for (const payload of payloads) await checkEcho(system, server, payload);
    }
    const runs = ECHO_SYSTEMS.length * options.payloads.length;
    const total = runs * (options.warmup + options.rounds * options.duration + 1);
    console.log(
      `ws-echo bench: ${options.rounds} rounds × ${ECHO_SYSTEMS.length} systems × payloads ${options.payloads.join(', ')} B × ${options.duration}s, ` +
        `${options.connections} connections × ${options.inFlight} in flight, warm-up ${options.warmup}s each, ` +
        `starwire heartbeat ${options.heartbeat === undefined ? 'default (25 s)' : `${options.heartbeat} ms`} (~${Math.ceil(total)}s)`,
    );
    if (options.warmup > 0) {
      for (const payload of payloads) {
        for (const system of ECHO_SYSTEMS) await load(servers.get(system)!, payload, options.warmup, options);
      }
    }
    for (let r = 0; r < options.rounds; r++) {
      // Rotating the order keeps either system from always running first.
      const order = ECHO_SYSTEMS.map((_, i) => ECHO_SYSTEMS[(i + r) % ECHO_SYSTEMS.length]);
      for (const payload of payloads) {
        for (const system of order) {
          const sample = await load(servers.get(system)!, payload, options.duration, options);
          const list = samples.get(key(system, payload.length)) ?? [];
          list.push(sample);
          samples.set(key(system, payload.length), list);
          console.log(
            `  round ${r + 1}/${options.rounds} ${system.padEnd(16)} ${payloadLabel(payload.length).padStart(4)} B  ` +
              `${Math.round(sample.msgsPerSecond)} msg/s  p50 ${sample.p50.toFixed(2)} ms  p99 ${sample.p99.toFixed(2)} ms  ` +
              `${sample.cpuPerMessage.toFixed(1)} µs cpu/msg  server cpu ${Math.round(sample.cpuPercent)}%  client cpu ${Math.round(sample.clientCpuPercent)}%${sample.failures ? `  ${sample.failures} failures` : ''}`,
          );
        }
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  if (options.profile) console.log(`cpu profile of ${options.profile} written to ${options.profileDir}`);
  report(samples, options);
}

function report(samples: Map<string, Sample[]>, options: Options): void {
  const rows = options.payloads.flatMap((size) =>
    ECHO_SYSTEMS.map((system) => {
      const list = samples.get(`${system}/${size}`)!;
      return {
        system,
        payload: size,
        msgs_per_s: Math.round(median(list.map((s) => s.msgsPerSecond))),
        p50_ms: round(median(list.map((s) => s.p50)), 3),
        p99_ms: round(median(list.map((s) => s.p99)), 3),
        cpu: round(median(list.map((s) => s.cpuPerMessage)), 1),
        cpuPercent: Math.round(median(list.map((s) => s.cpuPercent))),
        clientCpuPercent: Math.round(median(list.map((s) => s.clientCpuPercent))),
        rounds: list.map((s) => Math.round(s.msgsPerSecond)).join(' '),
        failures: list.reduce((sum, s) => sum + s.failures, 0),
      };
    }),
  );
  const row = (system: WsSystem, size: number): (typeof rows)[number] | undefined =>
    rows.find((r) => r.system === system && r.payload === size);
  const ratios: Record<string, number> = {};
  const cpuRatios: Record<string, number> = {};
  // Each ratio is `system` against `baseline`: throughput, and CPU per message inverted so that higher is better too.
  const compare = (name: string, system: WsSystem, baseline: WsSystem, size: number): void => {
    ratios[name] = round(row(system, size)!.msgs_per_s / row(baseline, size)!.msgs_per_s, 3);
    cpuRatios[name] = round(row(baseline, size)!.cpu / row(system, size)!.cpu, 3);
  };
  for (const size of options.payloads) {
    compare(`starwire_vs_ws_${payloadLabel(size)}`, 'starwire', 'ws', size);
    compare(`messages_vs_ws_${payloadLabel(size)}`, 'starwire-messages', 'ws', size);
    // Metrics must cost under 5 %, in messages per second and in server CPU per message.
    compare(`metrics_on_vs_off_${payloadLabel(size)}`, 'starwire-metrics', 'starwire', size);
  }
  console.log('');
  console.log(
    formatTable(
      [
        'system',
        'payload B',
        'msg/s (median)',
        'p50 ms',
        'p99 ms',
        'server µs cpu/msg',
        'server cpu %',
        'client cpu %',
        'msg/s per round',
        'failures',
      ],
      rows.map((r) => [
        r.system,
        r.payload,
        r.msgs_per_s,
        r.p50_ms,
        r.p99_ms,
        r.cpu,
        r.cpuPercent,
        r.clientCpuPercent,
        r.rounds,
        r.failures,
      ]),
    ),
  );
  console.log('');
  for (const [name, value] of Object.entries(ratios)) {
    const metrics = name.startsWith('metrics_');
    const target = metrics ? METRICS_TARGET : TARGET;
    const cpu = cpuRatios[name];
    const cpuVerdict = ` (target ≥ ${target}) ${cpu >= target ? 'ok' : 'BELOW TARGET'}`;
    console.log(
      `${name}: ${value} msg/s (target ≥ ${target}) ${value >= target ? 'ok' : 'BELOW TARGET'}; ` +
        `by server cpu/msg (${metrics ? 'off ÷ on' : 'ws ÷ starwire'}): ${cpu}${cpuVerdict}`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'ws-echo',
      rows: rows.map(({ system, payload, msgs_per_s, p50_ms, p99_ms }) => ({ system, payload, msgs_per_s, p50_ms, p99_ms })),
      ratios,
      cpu_ratios: cpuRatios,
    }),
  );
}
