/**
 * What `Offload` buys a real-time server: HTTP clients ask for `--work-ms` (20) of CPU work per
 * request while WebSocket clients echo small messages and measure their round trip. The same
 * app runs twice, in its own process each time (support/offload-server.ts): the work inline on
 * the event loop, then through `Offload` in worker threads. Reported per mode: echo p50/p99
 * (ms), echoes/s, and HTTP requests/s. The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- offload [--duration 5] [--http 4] [--ws 10] [--threads 1] [--work-ms 20]`
 * (`--http` requests in flight, `--ws` echo connections, `--threads` the Offload pool size).
 */
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChildServer } from './support/child-server';
import type { OffloadMode } from './support/offload-server';
import { positive } from './support/options';
import { round } from './support/stats';
import { formatTable } from './support/table';
import { percentile, runLoad } from './support/ws-load';

const SERVER_SCRIPT = join(__dirname, 'support', 'offload-server.js');

interface Options {
  duration: number;
  http: number;
  ws: number;
  threads: number;
  workMs: number;
}

interface Sample {
  mode: OffloadMode;
  echoP50: number;
  echoP99: number;
  echoesPerSecond: number;
  httpPerSecond: number;
  httpFailures: number;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      duration: { type: 'string', default: '5' },
      http: { type: 'string', default: '4' },
      ws: { type: 'string', default: '10' },
      threads: { type: 'string', default: '1' },
      'work-ms': { type: 'string', default: '20' },
    },
  });
  return {
    duration: positive('duration', values.duration),
    http: Math.round(positive('http', values.http)),
    ws: Math.round(positive('ws', values.ws)),
    threads: Math.round(positive('threads', values.threads)),
    workMs: positive('work-ms', values['work-ms']),
  };
}

/** Keeps `inFlight` GET /work requests going until `stop()`; counts the answers. */
function httpLoad(port: number, inFlight: number): { stop: () => Promise<{ ok: number; failed: number }> } {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  let running = true;
  let ok = 0;
  let failed = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = request({ port, host: '127.0.0.1', path: '/work', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const loops = Array.from({ length: inFlight }, async () => {
    while (running) await one();
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return { ok, failed };
    },
  };
}

async function measure(mode: OffloadMode, options: Options): Promise<Sample> {
  const server = await startChildServer(SERVER_SCRIPT, [
    '--mode',
    mode,
    '--threads',
    String(options.threads),
    '--work-ms',
    String(options.workMs),
  ]);
  try {
    const load = httpLoad(server.port, options.http);
    const echo = await runLoad({
      url: `ws://127.0.0.1:${server.port}/echo`,
      payload: Buffer.from(JSON.stringify({ ping: 'x'.repeat(48) })),
      seconds: options.duration,
      connections: options.ws,
      inFlight: 1,
      rampSeconds: 1,
    });
    const http = await load.stop();
    return {
      mode,
      echoP50: round(percentile(echo.latencies, 50), 2),
      echoP99: round(percentile(echo.latencies, 99), 2),
      echoesPerSecond: round(echo.messages / echo.seconds),
      // The HTTP count spans the ramp too: the same window for both modes.
      httpPerSecond: round(http.ok / (echo.seconds + 1)),
      httpFailures: http.failed,
    };
  } finally {
    await server.stop();
  }
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  console.log(
    `offload: ${options.workMs} ms of CPU per HTTP request, ${options.http} in flight; ${options.ws} WebSocket echo clients; ` +
      `${options.threads} worker thread(s); ${options.duration} s per mode`,
  );
  const samples: Sample[] = [];
  for (const mode of ['inline', 'offload'] as const) samples.push(await measure(mode, options));
  console.log(
    formatTable(
      ['mode', 'echo p50 ms', 'echo p99 ms', 'echoes/s', 'HTTP req/s', 'HTTP failures'],
      samples.map((s) => [s.mode, s.echoP50, s.echoP99, s.echoesPerSecond, s.httpPerSecond, s.httpFailures]),
    ),
  );
  console.log(JSON.stringify({ bench: 'offload', options, samples }));
}
