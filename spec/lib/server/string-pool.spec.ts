import assert from 'node:assert/strict';
import { StringPool } from '../../../lib/server/string-pool';

describe('StringPool (lib/server/string-pool.ts)', () => {
  it('gives back a value equal to the one it is given, before and after it holds it', () => {
    const pool = new StringPool(4);
    const fresh = ['web', 'socket'].join('');
    assert.equal(pool.share(fresh), 'websocket');
    assert.equal(pool.share(['websock', 'et'].join('')), 'websocket');
  });

  it('stops growing at its limit and still gives every value back', () => {
    const pool = new StringPool(2);
    const values = ['a', 'b', 'c', 'd', 'a', 'c'];
    assert.deepEqual(
      values.map((value) => pool.share(value)),
      values,
    );
    assert.equal((pool as unknown as { strings: Map<string, string> }).strings.size, 2);
  });
});
