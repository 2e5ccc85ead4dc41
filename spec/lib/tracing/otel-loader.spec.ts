import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../support/cli-process';

/** Runs `code` in a fresh node with dist/index.js loaded as `starwire`, where `@opentelemetry/api` cannot be found when `hide` is set. */
function run(code: string, hide: boolean): Promise<string> {
  const prelude = [
    "require('reflect-metadata');",
    "const Module = require('node:module');",
    hide
      ? "const resolve = Module._resolveFilename; Module._resolveFilename = function (request, ...rest) { if (request === '@opentelemetry/api') { const e = new Error(`Cannot find module '@opentelemetry/api'`); e.code = 'MODULE_NOT_FOUND'; throw e; } return resolve.call(this, request, ...rest); };"
      : '',
    `const starwire = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', `${prelude}\n${code}`], { cwd: ROOT, timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

describe('@opentelemetry/api, an optional peer dependency loaded lazily', function () {
  this.timeout(20_000);

  it('is not loaded by require("starwire") nor by an App without tracing', async () => {
    const out = await run(
      "new starwire.App({ routes: [] }); console.log(Object.keys(require.cache).some((f) => f.includes('@opentelemetry')));",
      false,
    );
    assert.equal(out, 'false');
  });

  it('is loaded by an App with tracing: true', async () => {
    const out = await run(
      "new starwire.App({ routes: [], tracing: true }); console.log(Object.keys(require.cache).some((f) => f.includes('@opentelemetry')));",
      false,
    );
    assert.equal(out, 'true');
  });

  it('missing, tracing: true fails in new App() saying what to install; without tracing the App works', async () => {
    const out = await run(
      [
        "new starwire.App({ routes: [] }); console.log('untraced ok');",
        'try { new starwire.App({ routes: [], tracing: true }); } catch (e) { console.log(e.message); }',
      ].join('\n'),
      true,
    );
    assert.equal(
      out,
      'untraced ok\nnew App({ tracing }) needs the @opentelemetry/api package, an optional peer dependency of starwire: npm install @opentelemetry/api',
    );
  });
});
