import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleClient, CLIENT_BUNDLE } from '../../scripts/bundle-client';

describe('scripts/bundle-client', function () {
  this.timeout(30_000);

  it('bundles starwire/client into one ES module with no import left, exporting what client/index.mts does', async () => {
    const file = await bundleClient();
    assert.equal(basename(file), CLIENT_BUNDLE);
    const source = readFileSync(file, 'utf8');
    assert.doesNotMatch(source, /^\s*import\s/m, 'no import statement: one request loads it all');
    const bundle = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const modular = (await import(pathToFileURL(file.replace(CLIENT_BUNDLE, 'index.mjs')).href)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(bundle).sort(), Object.keys(modular).sort());
    assert.equal(typeof bundle.connect, 'function');
  });
});
