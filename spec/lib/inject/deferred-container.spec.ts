import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { container as globalContainer, injectable } from 'tsyringe';
import { DeferredContainer } from '../../../lib/inject/deferred-container';

const ROOT = join(__dirname, '..', '..', '..');

describe('DeferredContainer', () => {
  it('is a child of tsyringe’s global container: what is registered there resolves here, not the other way', () => {
    const token = Symbol('clock');
    const own = Symbol('own');
    // Symbols of this test's own: nothing else resolves them.
    globalContainer.register(token, { useValue: 'global clock' });
    const deferred = new DeferredContainer();
    deferred.register(own, { useValue: 'app value' });
    assert.equal(deferred.resolve(token), 'global clock');
    assert.equal(deferred.resolve(own), 'app value');
    assert.equal(globalContainer.isRegistered(own, true), false);
  });

  it('chains registrations on itself and answers the container’s questions', () => {
    @injectable()
    class Service {}
    const deferred = new DeferredContainer();
    const a = Symbol('a');
    const b = Symbol('b');
    assert.equal(deferred.register(a, { useValue: 1 }).registerInstance(b, 2), deferred);
    assert.deepEqual([deferred.resolve(a), deferred.resolve(b)], [1, 2]);
    assert.equal(deferred.isRegistered(a), true);
    assert.ok(deferred.resolve(Service) instanceof Service);
    const child = deferred.createChildContainer();
    assert.equal(child.resolve(a), 1);
  });

  it('has nothing to dispose before its first use', () => {
    assert.equal(new DeferredContainer().dispose(), undefined);
  });

  it('lets new App() of an app that lists its components, and its first request, run without loading tsyringe', () => {
    const script = `
      const { createApp } = require(${JSON.stringify(join(ROOT, 'samples', 'hello', 'app.js'))});
      const { TestClient } = require(${JSON.stringify(join(ROOT, 'index.js'))});
      const loaded = () => Object.keys(require.cache).some((file) => file.includes('/tsyringe/'));
      const app = createApp();
      const constructed = loaded();
      new TestClient(app).get('/hello').then(async (response) => {
        console.log(JSON.stringify({ constructed, served: loaded(), status: response.status }));
        await app.close();
      });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    assert.deepEqual(out, { constructed: false, served: false, status: 200 });
  });
});
