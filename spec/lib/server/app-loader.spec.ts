import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from '../../../lib/app';
import { AppLoadError, loadApp } from '../../../lib/server/app-loader';

/** The compiled index.js, which the ES modules below import as a project would import starwire. */
const INDEX = pathToFileURL(join(__dirname, '..', '..', '..', 'index.js')).href;

/** An ES module that awaits before it exports: require() cannot load it on any Node. */
const TOP_LEVEL_AWAIT = `const { App } = await import(${JSON.stringify(INDEX)});\nexport const app = new App({ routes: [] });\n`;

describe('loadApp (lib/server/app-loader.ts)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'starwire-load-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a .js ES module with top-level await ("type": "module"), which require() refuses', async () => {
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
    writeFileSync(join(dir, 'server.js'), TOP_LEVEL_AWAIT);
    const app = await loadApp({ module: 'server.js', exportName: undefined }, dir);
    assert.ok(app instanceof App);
  });

  it('loads a .mjs module with top-level await', async () => {
    writeFileSync(join(dir, 'server.mjs'), TOP_LEVEL_AWAIT.replace('export const app =', 'export default'));
    const app = await loadApp({ module: 'server.mjs', exportName: undefined }, dir);
    assert.ok(app instanceof App);
  });

  it('reports a module that throws while loading, naming it', async () => {
    writeFileSync(join(dir, 'broken.js'), 'throw new Error("no config");\n');
    await assert.rejects(loadApp({ module: 'broken.js', exportName: undefined }, dir), (error: unknown) => {
      assert.ok(error instanceof AppLoadError);
      assert.match(error.message, /^Loading broken\.js failed: Error: no config/);
      return true;
    });
  });
});
