import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/cli-process';

const SCRIPT = join(ROOT, 'scripts', 'check-layers.mjs');

function run(root: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, '--root', root], { timeout: 30_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout });
    });
  });
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'starwire-layers-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

describe('layer check (scripts/check-layers.mjs)', function () {
  this.timeout(30_000);
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('passes a tree whose lib/ folders import downwards and whose top imports components/', async () => {
    const root = tree({
      'lib/errors/status.ts': 'export const OK = 200;\n',
      'lib/http/response.ts': "import { OK } from '../errors/status';\nexport const ok = OK;\n",
      // app.ts, server/ and testing/ are one top tier: they import each other.
      'lib/app.ts':
        "import { ws } from '../components/websocket';\nimport { listen } from './server/node-listener';\nexport const app = ws + listen;\n",
      'lib/server/node-listener.ts': "import { ok } from '../http/response';\nexport const listen = ok;\n",
      'lib/server/serve.ts': "import { app } from '../app';\nexport const served = app;\n",
      'lib/testing/test-client.ts':
        "import { app } from '../app';\nimport { listen } from '../server/node-listener';\nexport const client = app + listen;\n",
      'components/websocket.ts': "import { ok } from '../lib/http/response';\nexport const ws = ok;\n",
      // An import in a doc comment's example is not an import.
      'lib/inject/inject.ts': "/**\n * @example\n * import { ws } from '../../components/websocket';\n */\nexport const inject = 1;\n",
    });
    roots.push(root);
    const { code, stdout } = await run(root);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /no violations/);
  });

  it('fails on an upward import and on a lib/ folder below app.ts importing components/, type imports included', async () => {
    const root = tree({
      'lib/errors/error-response.ts': "import { Response } from '../http/response';\nexport const r = Response;\n",
      'lib/http/response.ts': 'export class Response {}\n',
      'lib/inject/connection.ts': "import type { WebSocket } from '../../components/websocket';\nexport type C = WebSocket;\n",
      'components/websocket.ts': 'export class WebSocket {}\n',
      // Below the top tier, reaching up into it is still a violation.
      'lib/realtime/manager.ts': "import { app } from '../app';\nexport const m = app;\n",
      'lib/app.ts': 'export const app = 1;\n',
    });
    roots.push(root);
    const { code, stdout } = await run(root);
    assert.equal(code, 1);
    assert.match(
      stdout,
      /^lib\/errors\/error-response\.ts -> lib\/http\/response\.ts: errors \(rank 1\) imports http \(rank 4\), above it$/m,
    );
    assert.match(stdout, /^lib\/inject\/connection\.ts -> components\/websocket\.ts: lib\/inject \(below app\.ts\) imports components\/$/m);
    assert.match(stdout, /^lib\/realtime\/manager\.ts -> lib\/app\.ts: realtime \(rank 7\) imports app\.ts \(rank 8\), above it$/m);
    assert.match(stdout, /3 violation\(s\)/);
  });

  it('lets bench/ and samples/ import only the package entry points and their own folder', async () => {
    const root = tree({
      'index.ts': "export { App } from './lib/app';\n",
      'lib/app.ts': 'export class App {}\n',
      'client/index.mts': 'export const connect = 1;\n',
      'samples/chat/app.ts':
        "import { App } from '../../index';\nimport { connect } from '../../client/index.mjs';\nimport { protocol } from './protocol';\nexport const a = [App, connect, protocol];\n",
      'samples/chat/protocol.ts': 'export const protocol = 1;\n',
      'bench/support/servers.ts': "import { App } from '../../lib/app';\nexport const b = App;\n",
    });
    roots.push(root);
    const { code, stdout } = await run(root);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^bench\/support\/servers\.ts -> lib\/app\.ts: bench\/ imports lib\/app\.ts, not a public entry point/m);
    assert.match(stdout, /1 violation\(s\)/);
  });
});
