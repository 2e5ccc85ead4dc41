import assert from 'node:assert/strict';
import { compactHeaders } from '../../../lib/server/compact-headers';

describe('compactHeaders (lib/server/compact-headers.ts)', () => {
  const headers = {
    host: '127.0.0.1:8000',
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'user-agent': 'x'.repeat(300),
    'set-cookie': ['a=1', 'b=2'],
  };

  it('keeps every name and value, long, unique and repeated ones alike', () => {
    const kept = compactHeaders(headers);
    assert.deepEqual({ ...kept }, headers);
    assert.deepEqual(Object.keys(kept), Object.keys(headers));
  });

  it('makes a plain object, as Node gives headers', () => {
    const kept = compactHeaders(headers);
    assert.equal(Object.getPrototypeOf(kept), Object.prototype);
    assert.equal(kept.constructor, Object);
    assert.equal(JSON.stringify(kept), JSON.stringify(headers));
  });

  it('copies: the headers it was given are left as they were', () => {
    const given = { ...headers };
    const kept = compactHeaders(given);
    assert.notEqual(kept, given);
    kept.upgrade = 'other';
    assert.equal(given.upgrade, 'websocket');
  });
});
