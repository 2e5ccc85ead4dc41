/**
 * Server memory per idle WebSocket connection at 10,000 connections: Starwire in its two handler
 * forms (`starwire`: a handler that injects `WebSocket`, accepts and `for await`s messages, so
 * each connection also keeps that handler's suspended call; `starwire-messages`: a message
 * handler, run once per message; default settings, heartbeat on) against a plain `ws`
 * `WebSocketServer` whose `message` listener is the counterpart of a message handler (see
 * support/ws-servers.ts, `--handler idle`).
 *
 * Each server runs alone in its own process with `--expose-gc`; the connections come from
 * separate client processes (support/ws-idle-client.ts, at most `--per-client` each) over
 * 127.0.0.1. The server measures itself after full GCs: a baseline once a warm-up batch of
 * connections has come and gone, then again once all connections are open and have idled for
 * `--idle` seconds. The deltas divided by the connection count are the cost per connection.
 * The last line printed is one JSON object for tooling.
 *
 * Run: `npm run bench -- ws-idle [--connections 10000] [--per-client 5000] [--idle 2] [--warmup 200]`
 */

import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { fdLimits, nextMessage, spawnNode, stopProcess } from './support/fd-limit';
import { positive } from './support/options';
import { round } from './support/stats';
import { formatTable } from './support/table';
import { type MemorySample, WS_PATH, WS_SYSTEMS, type WsSystem } from './support/ws-servers';

const SERVER_SCRIPT = join(__dirname, 'support', 'ws-servers.js');
const CLIENT_SCRIPT = join(__dirname, 'support', 'ws-idle-client.js');
const TARGET = 1.25;
const RSS_TARGET = 1.1;
/** Descriptors a process needs beyond its sockets (stdio, IPC, libuv, the listener...). */
const FD_SLACK = 256;

interface Options {
  connections: number;
  perClient: number;
  idle: number;
  warmup: number;
}

interface Row {
  system: WsSystem;
  connections: number;
  rssPerConnection: number;
  heapPerConnection: number;
  externalPerConnection: number;
  baseline: MemorySample;
  loaded: MemorySample;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      connections: { type: 'string', default: '10000' },
      'per-client': { type: 'string', default: '5000' },
      idle: { type: 'string', default: '2' },
      warmup: { type: 'string', default: '200' },
    },
  });
  return {
    connections: Math.round(positive('connections', values.connections)),
    perClient: Math.round(positive('per-client', values['per-client'])),
    idle: Number(values.idle),
    warmup: Math.round(Number(values.warmup)),
  };
}

/** Lowers the counts to what the open-file hard limit allows, saying so. */
function fitToLimits(options: Options): Options {
  const { soft, hard } = fdLimits();
  let { connections, perClient } = options;
  if (connections + FD_SLACK > hard) {
    const fitted = Math.max(100, hard - FD_SLACK);
    console.log(
      `NOTE: the open-file hard limit is ${hard}, too low for ${connections} sockets in one server process; measuring ${fitted} connections instead.`,
    );
    connections = fitted;
  }
  if (perClient + FD_SLACK > hard) perClient = Math.max(100, hard - FD_SLACK);
  const raise = connections + FD_SLACK > soft ? ` (children raise their soft limit ${soft} with ulimit -n)` : '';
  console.log(`open-file limits: soft ${soft}, hard ${hard}${raise}`);
  return { ...options, connections, perClient };
}

function isPort(message: unknown): message is { port: number } {
  return typeof message === 'object' && message !== null && typeof (message as { port?: unknown }).port === 'number';
}

function isMemory(message: unknown): message is { memory: MemorySample } {
  return typeof message === 'object' && message !== null && typeof (message as { memory?: unknown }).memory === 'object';
}

function isOpened(message: unknown): message is { opened: number; failed: number } {
  return typeof message === 'object' && message !== null && typeof (message as { opened?: unknown }).opened === 'number';
}

async function measure(server: ChildProcess): Promise<MemorySample> {
  const reply = nextMessage(server, isMemory, 'server memory');
  server.send('memory');
  const { memory } = await reply;
  if (!memory.collected) throw new Error('the server was not started with --expose-gc');
  return memory;
}

/** Opens `count` connections from client processes of at most `perClient` each. */
async function openClients(
  url: string,
  count: number,
  perClient: number,
): Promise<{ clients: ChildProcess[]; opened: number; failed: number }> {
  const clients: ChildProcess[] = [];
  const reports: Promise<{ opened: number; failed: number }>[] = [];
  for (let left = count; left > 0; left -= perClient) {
    const share = Math.min(left, perClient);
    const client = spawnNode(CLIENT_SCRIPT, [url, String(share)], [], share + FD_SLACK);
    clients.push(client);
    reports.push(nextMessage(client, isOpened, 'idle client'));
  }
  const settled = await Promise.all(reports);
  return {
    clients,
    opened: settled.reduce((sum, r) => sum + r.opened, 0),
    failed: settled.reduce((sum, r) => sum + r.failed, 0),
  };
}

async function measureSystem(system: WsSystem, options: Options): Promise<Row> {
  const server = spawnNode(SERVER_SCRIPT, [system, '--handler', 'idle'], ['--expose-gc'], options.connections + FD_SLACK);
  let clients: ChildProcess[] = [];
  try {
    const { port } = await nextMessage(server, isPort, `${system} server`);
    const url = `ws://127.0.0.1:${port}${WS_PATH}`;
    if (options.warmup > 0) {
      // A batch that comes and goes first, so code, pools and caches warmed up by the first
      // connections are in the baseline rather than counted per connection.
      const warm = await openClients(url, options.warmup, options.perClient);
      await Promise.all(warm.clients.map((client) => stopProcess(client)));
      await sleep(1000);
    }
    const baseline = await measure(server);
    const started = Date.now();
    const opened = await openClients(url, options.connections, options.perClient);
    clients = opened.clients;
    if (opened.failed > 0 || opened.opened !== options.connections) {
      throw new Error(`${system}: opened ${opened.opened} of ${options.connections} connections (${opened.failed} failed)`);
    }
    const openSeconds = (Date.now() - started) / 1000;
    await sleep(options.idle * 1000);
    const loaded = await measure(server);
    const n = options.connections;
    console.log(
      `  ${system.padEnd(8)} ${n} connections opened in ${openSeconds.toFixed(1)}s; ` +
        `rss ${mib(baseline.rss)} → ${mib(loaded.rss)} MiB, heapUsed ${mib(baseline.heapUsed)} → ${mib(loaded.heapUsed)} MiB, ` +
        `external ${mib(baseline.external)} → ${mib(loaded.external)} MiB`,
    );
    return {
      system,
      connections: n,
      rssPerConnection: (loaded.rss - baseline.rss) / n,
      heapPerConnection: (loaded.heapUsed - baseline.heapUsed) / n,
      externalPerConnection: (loaded.external - baseline.external) / n,
      baseline,
      loaded,
    };
  } finally {
    await Promise.all(clients.map((client) => stopProcess(client)));
    await stopProcess(server);
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

export async function main(args: string[]): Promise<void> {
  const options = fitToLimits(parseOptions(args));
  console.log(
    `ws-idle bench: ${options.connections} idle connections per system from ${Math.ceil(options.connections / options.perClient)} client process(es), ` +
      `warm-up ${options.warmup} connections, ${options.idle}s idle before measuring`,
  );
  const rows: Row[] = [];
  for (const system of WS_SYSTEMS) rows.push(await measureSystem(system, options));

  const row = (system: WsSystem): Row => rows.find((r) => r.system === system)!;
  // Each Starwire handler form against ws: heap and RSS per connection.
  const forms = [
    ['starwire_vs_ws_mem', 'starwire'],
    ['messages_vs_ws_mem', 'starwire-messages'],
  ] as const;
  const ratios: Record<string, number> = {};
  const rssRatios: Record<string, number> = {};
  for (const [name, system] of forms) {
    ratios[name] = round(row(system).heapPerConnection / row('ws').heapPerConnection, 3);
    rssRatios[name] = round(row(system).rssPerConnection / row('ws').rssPerConnection, 3);
  }
  console.log('');
  console.log(
    formatTable(
      ['system', 'connections', 'rss B/conn', 'heapUsed B/conn', 'external B/conn'],
      rows.map((r) => [
        r.system,
        r.connections,
        Math.round(r.rssPerConnection),
        Math.round(r.heapPerConnection),
        Math.round(r.externalPerConnection),
      ]),
    ),
  );
  console.log('');
  for (const [name, system] of forms) {
    const heap = ratios[name];
    const rss = rssRatios[name];
    console.log(
      `${name} (${system}, heap per connection): ${heap} (target ≤ ${TARGET}) ${heap <= TARGET ? 'ok' : 'ABOVE TARGET'}; ` +
        `by rss: ${rss} (target ≤ ${RSS_TARGET}) ${rss <= RSS_TARGET ? 'ok' : 'ABOVE TARGET'}`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'ws-idle',
      rows: rows.map((r) => ({
        system: r.system,
        connections: r.connections,
        rss_bytes_per_conn: Math.round(r.rssPerConnection),
        heap_bytes_per_conn: Math.round(r.heapPerConnection),
      })),
      ratios,
      rss_ratios: rssRatios,
    }),
  );
}
