import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const INDEX = join(__dirname, '..', '..', '..', 'index');

/** Runs `script` in a fresh node where `require('prom-client')` fails as if it were not installed. */
function withoutPromClient(script: string): string {
  const hide = `const Module = require('node:module'); const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'prom-client') { const error = new Error("Cannot find module 'prom-client'\\nRequire stack: ..."); error.code = 'MODULE_NOT_FOUND'; throw error; }
      return resolve.call(this, request, ...rest);
    };`;
  return execFileSync(process.execPath, ['-e', `${hide} require('reflect-metadata'); ${script}`], { encoding: 'utf8' });
}

describe('loadPromClient (lib/server/prom-client-loader.ts)', () => {
  it('without prom-client installed, an app without metrics works and one with metrics says what to install', () => {
    const out = withoutPromClient(`const { App } = require(${JSON.stringify(INDEX)});
      new App({ routes: [] });
      try { new App({ routes: [], metrics: true }); process.stdout.write('made'); } catch (error) { process.stdout.write(error.message); }`);
    assert.equal(
      out,
      'new App({ metrics }) needs the prom-client package, an optional peer dependency of starwire: npm install prom-client',
    );
  });
});
