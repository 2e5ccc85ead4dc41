import assert from 'node:assert/strict';
import { loadClient, type ClientModule } from './client-harness';

describe('client/stream-ids', () => {
  let client: ClientModule;
  before(async () => { client = await loadClient(); });

  it('orders <ms>-<seq> ids as pairs of numbers, not as strings', () => {
    const { compareStreamIds } = client;
    assert.ok(compareStreamIds('10-0', '9-5') > 0);
    assert.ok(compareStreamIds('9-10', '9-9') > 0);
    assert.ok(compareStreamIds('1700000000000-0', '1700000000000-1') < 0);
    assert.equal(compareStreamIds('5-5', '5-5'), 0);
  });
});
