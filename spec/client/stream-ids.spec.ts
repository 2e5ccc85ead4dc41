import assert from 'node:assert/strict';
import { type ClientModule, loadClient } from './client-harness';

describe('client/stream-ids', () => {
  let client: ClientModule;
  before(async () => {
    client = await loadClient();
  });

  it('orders <epoch>:<offset> ids by epoch, then by offset as a number, not as a string', () => {
    const { compareStreamIds } = client;
    assert.ok(compareStreamIds('mxa7143fm15ic9:10', 'mxa7143fm15ic9:9') > 0);
    assert.ok(compareStreamIds('mxa7143fm15ic9:1', 'mxa7150000000a:1') < 0, 'a later epoch follows');
    assert.ok(compareStreamIds('mxa7143fm15ic9:99', 'mxa7150000000a:1') < 0, 'whatever the offsets');
    assert.equal(compareStreamIds('e:5', 'e:5'), 0);
    assert.ok(compareStreamIds('not an id', 'e:1') < 0, 'what is not an id comes first');
    assert.deepEqual(client.parseStreamId('e1:42'), { epoch: 'e1', offset: 42 });
    assert.equal(client.parseStreamId('1-0'), undefined);
  });
});
