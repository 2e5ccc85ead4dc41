import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeSource } from '../../../lib/server/node-source';

/** Sends one request with `rawHeaders` (name, value, name, value…) and returns what `read` made of it on the server. */
async function onServer<T>(rawHeaders: string[], read: (req: IncomingMessage) => T): Promise<T> {
  let result: T | undefined;
  const server = createServer((req, res) => {
    result = read(req);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      // An array of raw pairs gets no Host header of its own, and Node's server refuses a request without one.
      const req = request({ host: '127.0.0.1', port, path: '/', headers: ['host', `127.0.0.1:${port}`, ...rawHeaders] }, (res) => {
        res.resume();
        res.once('end', resolve);
      });
      req.once('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
  return result as T;
}

describe('NodeSource (lib/server/node-source.ts)', () => {
  it('reads one header from the raw pairs, any case, repeated values joined as Node joins them', async () => {
    const seen = await onServer(['X-Request-ID', 'first', 'accept', '*/*', 'x-request-id', 'second'], (req) => {
      const source = new NodeSource(req);
      return { id: source.header('x-request-id'), missing: source.header('x-absent'), node: req.headers['x-request-id'] };
    });
    assert.deepEqual(seen, { id: 'first, second', missing: undefined, node: 'first, second' });
  });

  it('merges every repeated header as req.headers does: first kept, cookies joined with "; ", others with ", "', async () => {
    const raw = ['Authorization', 'Bearer a', 'authorization', 'Bearer b', 'cookie', 'a=1', 'Cookie', 'b=2'];
    raw.push('x-tag', 'one', 'X-Tag', 'two', 'User-Agent', 'first', 'user-agent', 'second', 'set-cookie', 's=1', 'set-cookie', 't=2');
    const names = ['authorization', 'cookie', 'x-tag', 'user-agent', 'set-cookie'];
    const seen = await onServer(raw, (req) => {
      const source = new NodeSource(req);
      const fromRaw = names.map((name) => source.header(name));
      const fromNode = names.map((name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      });
      return { fromRaw, fromNode };
    });
    assert.deepEqual(seen.fromRaw, ['Bearer a', 'a=1; b=2', 'one, two', 'first', 's=1, t=2']);
    assert.deepEqual(seen.fromRaw, seen.fromNode);
  });

  it('reads the kept headers once the request is let go', async () => {
    const id = await onServer(['x-request-id', 'kept'], (req) => {
      const source = new NodeSource(req);
      source.release();
      return source.header('x-request-id');
    });
    assert.equal(id, 'kept');
  });
});
