import assert from 'node:assert/strict';
import type { ServerMessage } from '../../client/options.mjs';

type PendingModule = typeof import('../../client/pending-requests.mjs');

describe('client/pending-requests', () => {
  let PendingRequests: PendingModule['PendingRequests'];
  before(async () => {
    ({ PendingRequests } = await import('../../client/pending-requests.mjs'));
  });

  function waiter(requests: InstanceType<PendingModule['PendingRequests']>, type = 'join') {
    const id = requests.nextId();
    const outcome: { reply?: ServerMessage; error?: Error } = {};
    requests.add(id, {
      type,
      sent: false,
      timer: setTimeout(() => assert.fail('the timer should have been cleared'), 1000),
      resolve: (reply) => {
        outcome.reply = reply;
      },
      reject: (error) => {
        outcome.error = error;
      },
    });
    return { id, outcome };
  }

  it('resolves the request a reply names, once, and clears its timer', () => {
    const requests = new PendingRequests();
    const { id, outcome } = waiter(requests);
    assert.equal(requests.settle(id, { type: 'joined', replyTo: id }), true);
    assert.deepEqual(outcome.reply, { type: 'joined', replyTo: id });
    assert.equal(requests.settle(id, { type: 'joined', replyTo: id }), false, 'a second reply finds nothing');
  });

  it('knows reply ids only up to the last id it gave', () => {
    const requests = new PendingRequests();
    const { id } = waiter(requests);
    assert.equal(requests.isReplyId(id), true);
    for (const other of [0, -1, id + 1, 1.5, '1', undefined]) assert.equal(requests.isReplyId(other), false, String(other));
    requests.forget(id);
  });

  it('a forgotten request is not settled by a late reply', () => {
    const requests = new PendingRequests();
    const { id, outcome } = waiter(requests);
    requests.forget(id);
    assert.equal(requests.settle(id, { type: 'late', replyTo: id }), false);
    assert.deepEqual(outcome, {});
  });

  it('abandons the selected requests with ConnectionClosedError saying whether each was sent', () => {
    const requests = new PendingRequests();
    const sent = waiter(requests, 'say');
    const queued = waiter(requests, 'join');
    requests.markSent(sent.id);
    requests.abandon((request) => request.sent, 'connection lost');
    assert.match(String(sent.outcome.error), /say/);
    assert.equal((sent.outcome.error as Error & { lost: boolean }).lost, true);
    assert.deepEqual(queued.outcome, {}, 'an unsent request waits for the reconnect');
    requests.abandon(() => true, 'closed');
    assert.equal((queued.outcome.error as Error & { lost: boolean }).lost, false);
  });
});
