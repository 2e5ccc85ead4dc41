import assert from 'node:assert/strict';

type OutboxModule = typeof import('../../client/outbox.mjs');

describe('client/outbox', () => {
  let Outbox: OutboxModule['Outbox'];
  before(async () => {
    ({ Outbox } = await import('../../client/outbox.mjs'));
  });

  it('holds messages in order up to its capacity, then throws naming maxQueue', () => {
    const outbox = new Outbox(2);
    outbox.hold('a');
    outbox.hold('b', 7);
    assert.throws(() => outbox.hold('c'), /2 messages already wait for the connection \(maxQueue\)/);
    assert.deepEqual(outbox.takeAll(), [
      { text: 'a', requestId: undefined },
      { text: 'b', requestId: 7 },
    ]);
    assert.deepEqual(outbox.takeAll(), []);
  });

  it('withdraws the message of a request that gave up', () => {
    const outbox = new Outbox(5);
    outbox.hold('a', 1);
    outbox.hold('b', 2);
    outbox.withdraw(1);
    assert.deepEqual(
      outbox.takeAll().map((entry) => entry.text),
      ['b'],
    );
  });
});
