import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { App } from '../../lib/app';
import { createApp as createAuthApp, SUBPROTOCOL } from '../../samples/auth/app';
import { createApp as createEchoApp } from '../../samples/echo/app';

// Drives the samples with an independent client, Python's `websockets`, to check what a peer
// that shares no code with Starwire sees on the wire: frames, close codes and reasons, HTTP
// refusals, the negotiated subprotocol.

const ROOT = resolve(__dirname, '../../..');
const VENV = join(ROOT, '.venv');
const PYTHON = join(VENV, 'bin', 'python');
const CLIENT = join(ROOT, 'spec', 'samples', 'interop_client.py');
/** The oldest release with the asyncio client (`websockets.asyncio.client.connect`) the script uses. */
const WEBSOCKETS_REQUIREMENT = 'websockets>=13';

type Step =
  | { op: 'send_text'; data: string }
  | { op: 'send_bytes'; hex: string }
  | { op: 'send_json'; data: unknown }
  | { op: 'receive'; count?: number }
  | { op: 'wait_closed' }
  | { op: 'close'; code?: number; reason?: string };

interface Scenario {
  url: string;
  subprotocols?: string[];
  headers?: Record<string, string>;
  steps?: Step[];
  timeout?: number;
}

type Received = { type: 'text'; data: string } | { type: 'bytes'; hex: string };

interface ClientResult {
  websockets: string;
  subprotocol: string | null;
  received: Received[];
  close: { code: number; reason: string; by: 'server' | 'client' } | null;
  refused?: { exception: string; status: number; body: string };
  error?: { exception: string; message: string };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never rejects except when it cannot be started at all. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * pip arguments naming the machine's package indexes, read from `pip config list` at run time
 * so no URL is baked in here. The first becomes `--index-url`, which keeps pip from retrying
 * the unreachable public index; with none configured, `--no-index` leaves pip only the
 * find-links directories its configuration names.
 */
function indexArguments(configList: string): string[] {
  const urls: string[] = [];
  for (const key of ['index-url', 'extra-index-url']) {
    for (const line of configList.split('\n')) {
      const match = /^[^=]*\.([\w-]+)='(.*)'$/.exec(line.trim());
      if (match?.[1] === key) urls.push(...match[2].split(/\s+/).filter(Boolean));
    }
  }
  const unique = [...new Set(urls)];
  if (unique.length === 0) return ['--no-index'];
  return ['--index-url', unique[0], ...unique.slice(1).flatMap((url) => ['--extra-index-url', url])];
}

function failure(what: string, ran: Ran): Error {
  return new Error(`interop setup: ${what} (exit ${ran.code}).\n${ran.stderr || ran.stdout}`.trim());
}

/** Makes `.venv/` with `websockets` in it unless it is there already; returns the version. */
async function ensureWebsockets(): Promise<string> {
  const probe = (): Promise<Ran> =>
    run(PYTHON, ['-c', 'import websockets, websockets.asyncio.client; print(websockets.__version__)'], 30_000);
  if (existsSync(PYTHON)) {
    const found = await probe();
    if (found.code === 0) return found.stdout.trim();
  }
  // A venv whose interpreter no longer runs (its base Python moved) is rebuilt in place.
  const broken = existsSync(PYTHON) && (await run(PYTHON, ['-c', ''], 30_000)).code !== 0;
  if (!existsSync(PYTHON) || broken) {
    const base = process.env.PYTHON ?? 'python3';
    const made = await run(base, ['-m', 'venv', ...(broken ? ['--clear'] : []), VENV], 120_000).catch((error: Error) => ({
      code: null,
      stdout: '',
      stderr: `${base}: ${error.message}`,
    }));
    if (made.code !== 0) {
      throw failure(`could not create ${VENV} with "${base} -m venv" (on Debian or Ubuntu, apt-get install python3-venv)`, made);
    }
  }
  const config = await run(PYTHON, ['-m', 'pip', 'config', 'list'], 30_000);
  if (config.code !== 0) throw failure('"pip config list" failed in the venv', config);
  const install = await run(
    PYTHON,
    ['-m', 'pip', 'install', '--disable-pip-version-check', ...indexArguments(config.stdout), WEBSOCKETS_REQUIREMENT],
    150_000,
  );
  if (install.code !== 0) throw failure(`could not pip install "${WEBSOCKETS_REQUIREMENT}" into ${VENV}`, install);
  const installed = await probe();
  if (installed.code !== 0) throw failure('websockets was installed but its asyncio client does not import', installed);
  return installed.stdout.trim();
}

async function client(scenario: Scenario): Promise<ClientResult> {
  const ran = await run(PYTHON, [CLIENT, JSON.stringify(scenario)], 15_000);
  if (ran.code !== 0) throw failure('interop_client.py failed', ran);
  const result = JSON.parse(ran.stdout) as ClientResult;
  if (result.error) throw new Error(`websockets client: ${result.error.exception}: ${result.error.message}`);
  return result;
}

const text = (data: string): Received => ({ type: 'text', data });

describe('samples over the wire, with Python websockets as the client', () => {
  let echoApp: App;
  let authApp: App;
  let echoBase: string;
  let authBase: string;

  before(async function () {
    // Creating the venv and installing from the local index can be slow on a cold machine.
    this.timeout(180_000);
    const version = await ensureWebsockets();
    assert.ok(Number(version.split('.')[0]) >= 13, `websockets ${version} predates the asyncio client`);
    echoApp = createEchoApp();
    authApp = createAuthApp();
    const url = (server: Server): string => `ws://127.0.0.1:${App.portOf(server)}`;
    echoBase = url(await echoApp.listen(0));
    authBase = url(await authApp.listen(0));
  });

  after(async () => {
    await echoApp?.close();
    await authApp?.close();
  });

  describe('samples/echo', () => {
    it("round-trips text, bytes and JSON on /echo, and answers the client's close with 1000", async () => {
      const result = await client({
        url: `${echoBase}/echo`,
        steps: [
          { op: 'send_text', data: 'héllo ✓' },
          { op: 'send_bytes', hex: '00fffe800a' },
          { op: 'send_json', data: { nested: [1, { two: 2 }] } },
          { op: 'receive', count: 3 },
          { op: 'close', code: 1000 },
        ],
      });
      assert.deepEqual(result.received, [text('héllo ✓'), { type: 'bytes', hex: '00fffe800a' }, text('{"nested":[1,{"two":2}]}')]);
      assert.deepEqual(result.close, { code: 1000, reason: '', by: 'client' });
    });

    it('replies with JSON on /echo/json and closes 1007 on malformed JSON', async () => {
      const result = await client({
        url: `${echoBase}/echo/json`,
        steps: [{ op: 'send_json', data: { text: 'hi' } }, { op: 'receive' }, { op: 'send_text', data: '{nope' }, { op: 'wait_closed' }],
      });
      assert.deepEqual(
        result.received.map((message) => message.type === 'text' && JSON.parse(message.data)),
        [{ echo: 'hi' }],
      );
      assert.equal(result.close?.by, 'server');
      assert.equal(result.close?.code, 1007);
      assert.match(result.close?.reason ?? '', /^Invalid JSON message/);
    });

    it("sends /hello's messages, then closes 1000 from the server side", async () => {
      const result = await client({ url: `${echoBase}/hello?count=3`, steps: [{ op: 'wait_closed' }] });
      assert.deepEqual(result.received, [text('Hello World!'), text('Hello World!'), text('Hello World!')]);
      assert.deepEqual(result.close, { code: 1000, reason: '', by: 'server' });
    });
  });

  describe('samples/auth', () => {
    it('refuses /chat without a token with HTTP 401: websockets raises InvalidStatus', async () => {
      const result = await client({ url: `${authBase}/chat`, subprotocols: [SUBPROTOCOL] });
      assert.equal(result.refused?.exception, 'InvalidStatus');
      assert.equal(result.refused?.status, 401);
      assert.deepEqual(JSON.parse(result.refused?.body ?? 'null'), { detail: 'Authentication required' });
    });

    it('refuses /chat without chat.v1 with HTTP 400', async () => {
      const result = await client({ url: `${authBase}/chat`, headers: { Authorization: 'Bearer alice-token' } });
      assert.equal(result.refused?.status, 400);
    });

    it('accepts /chat with a token, negotiating chat.v1, and greets and echoes', async () => {
      const result = await client({
        url: `${authBase}/chat`,
        subprotocols: ['chat.v0', SUBPROTOCOL],
        headers: { Authorization: 'Bearer alice-token' },
        steps: [{ op: 'receive' }, { op: 'send_text', data: 'over the wire' }, { op: 'receive' }, { op: 'close', code: 1000 }],
      });
      assert.equal(result.refused, undefined);
      assert.equal(result.subprotocol, SUBPROTOCOL);
      assert.deepEqual(result.received, [
        text(JSON.stringify({ greeting: 'Hello, Alice!', subprotocol: SUBPROTOCOL })),
        text('over the wire'),
      ]);
      assert.deepEqual(result.close, { code: 1000, reason: '', by: 'client' });
    });

    it('accepts /browser/chat without a token, then closes 3000 with its reason', async () => {
      const result = await client({ url: `${authBase}/browser/chat`, subprotocols: [SUBPROTOCOL], steps: [{ op: 'wait_closed' }] });
      assert.equal(result.subprotocol, SUBPROTOCOL);
      assert.deepEqual(result.received, []);
      assert.deepEqual(result.close, { code: 3000, reason: 'Authentication required', by: 'server' });
    });

    it('accepts /browser/chat without chat.v1, then closes 1002 with its reason', async () => {
      const result = await client({
        url: `${authBase}/browser/chat?token=alice-token`,
        subprotocols: ['chat.v0'],
        steps: [{ op: 'wait_closed' }],
      });
      assert.deepEqual(result.close, { code: 1002, reason: `Subprotocol required: one of ${SUBPROTOCOL}`, by: 'server' });
    });
  });
});

describe('interop setup: pip index arguments', () => {
  it('takes the first configured index as --index-url and the rest as --extra-index-url', () => {
    const list = [
      ":env:.find-links='/opt/wheels'",
      "global.extra-index-url='file:///a/simple file:///b/simple'",
      "global.cert='/x.crt'",
    ].join('\n');
    assert.deepEqual(indexArguments(list), ['--index-url', 'file:///a/simple', '--extra-index-url', 'file:///b/simple']);
    assert.deepEqual(indexArguments("global.index-url='http://mirror/simple'\nglobal.extra-index-url='http://mirror/simple'"), [
      '--index-url',
      'http://mirror/simple',
    ]);
  });

  it('falls back to --no-index when no index is configured', () => {
    assert.deepEqual(indexArguments(":env:.find-links='/opt/wheels'\n"), ['--no-index']);
  });
});
