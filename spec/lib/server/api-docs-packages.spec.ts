import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigurationError } from '../../../index';
import { findBrowserBundle, SWAGGER_UI } from '../../../lib/server/api-docs-packages';

const INDEX = join(__dirname, '..', '..', '..', 'index');

/** Runs `script` in a fresh node where `packages` fail to resolve as if they were not installed. */
function without(packages: readonly string[], script: string): string {
  const hide = `const Module = require('node:module'); const resolve = Module._resolveFilename;
    const hidden = ${JSON.stringify(packages)};
    Module._resolveFilename = function (request, ...rest) {
      if (hidden.some((name) => request === name || request.startsWith(name + '/'))) {
        const error = new Error("Cannot find module '" + request + "'\\nRequire stack: ..."); error.code = 'MODULE_NOT_FOUND'; throw error;
      }
      return resolve.call(this, request, ...rest);
    };`;
  return execFileSync(process.execPath, ['-e', `${hide} require('reflect-metadata'); ${script}`], { encoding: 'utf8' });
}

/** What `apiDocsPages(options)` does in that node: the routes it made, or its error. */
function attempt(options: string): string {
  return `try { const routes = require(${JSON.stringify(INDEX)}).apiDocsPages(${options});
      process.stdout.write(routes.map((route) => route.path).join(' ') + '\\n');
    } catch (error) { process.stdout.write(error.name + ': ' + error.message + '\\n'); }`;
}

describe('findBrowserBundle (lib/server/api-docs-packages.ts)', () => {
  it('without swagger-ui-dist, the HTTP page names the package to install and the WebSocket page alone still works', () => {
    const out = without(['swagger-ui-dist'], `${attempt('')} ${attempt('{ openapiUrl: false }')}`);
    assert.equal(
      out,
      'ConfigurationError: apiDocsPages() (the HTTP page) needs the swagger-ui-dist package, an optional peer dependency of starwire: ' +
        'npm install swagger-ui-dist (or openapiUrl: false leaves the page out)\n' +
        '/docs/websocket /docs/assets/{file:path}\n',
    );
  });

  it('without @asyncapi/react-component, the WebSocket page names the package to install and the HTTP page alone still works', () => {
    const out = without(['@asyncapi/react-component'], `${attempt('')} ${attempt('{ asyncapiUrl: false }')}`);
    assert.equal(
      out,
      'ConfigurationError: apiDocsPages() (the WebSocket page) needs the @asyncapi/react-component package, an optional peer dependency of starwire: ' +
        'npm install @asyncapi/react-component (or asyncapiUrl: false leaves the page out)\n' +
        '/docs /docs/assets/{file:path}\n',
    );
  });

  it('an installed package without the files the page serves is an error naming the file', () => {
    assert.throws(
      () => findBrowserBundle({ ...SWAGGER_UI, scripts: ['no-such-bundle.js'] }, 'the test page', 'or not'),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /^the test page: swagger-ui-dist@[\d.]+ at .*swagger-ui-dist has no no-such-bundle\.js; install a version this starwire supports/.test(
          error.message,
        ),
    );
    const found = findBrowserBundle({ ...SWAGGER_UI, extras: ['swagger-ui.css.map', 'not-shipped.map'] }, 'the test page', 'or not');
    assert.deepEqual(found.extras, ['swagger-ui.css.map'], 'optional extras are served only when present');
  });
});
