import assert from 'node:assert/strict';
import { Message } from '../../../components/message';
import { App } from '../../../lib/app';
import { JsonWebSocketConsumer } from '../../../lib/channels/consumer';
import { ValidationError } from '../../../lib/errors/exceptions';
import { inject } from '../../../lib/inject/inject';
import type { InvalidMessageReply } from '../../../lib/routing/routes';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { invalidMessageReply } from '../../../lib/websocket/invalid-message';

/** A policy that echoes the client's `requestId`, as the request/reply convention asks. */
const withReplyTo: InvalidMessageReply = (error, message) => {
  const requestId = typeof message === 'object' && message !== null ? (message as { requestId?: unknown }).requestId : undefined;
  return { type: 'error', detail: error.message, ...(typeof requestId === 'number' ? { replyTo: requestId } : {}) };
};

const double = inject(
  [Message({ type: 'object', properties: { n: { type: 'integer' }, requestId: { type: 'integer' } }, required: ['n'] })],
  (message) => ({ double: message.n * 2 }),
);

class Strict extends JsonWebSocketConsumer {
  override async receiveJson(content: unknown): Promise<void> {
    if (typeof (content as { n?: unknown }).n !== 'number') throw new ValidationError('message', [], 'message: n must be a number');
    await this.sendJson({ got: content });
  }
}

describe('lib/websocket/invalid-message', () => {
  it("builds the standard reply for 'reply' and calls a function policy with the error and the message", () => {
    const error = new ValidationError('message', [], '/n must be integer');
    assert.deepEqual(invalidMessageReply('reply', error, { n: 'x' }), { type: 'error', detail: '/n must be integer', errors: [] });
    assert.deepEqual(invalidMessageReply(withReplyTo, error, { n: 'x', requestId: 7 }), {
      type: 'error',
      detail: '/n must be integer',
      replyTo: 7,
    });
  });

  for (const [name, route] of [
    ['a message handler', new WebSocketRoute('/ws', double, { onInvalidMessage: withReplyTo })],
    ['a consumer', new WebSocketRoute('/ws', Strict, { onInvalidMessage: withReplyTo })],
  ] as const) {
    it(`lets ${name} answer invalid messages with what the policy function builds, and stay connected`, async () => {
      const app = new App({ routes: [route], settings: { logError: () => {} } });
      try {
        const ws = await new TestClient(app).websocket('/ws');
        ws.sendJson({ n: 'two', requestId: 3 });
        const reply = (await ws.receiveJson()) as { type: string; replyTo?: number; detail: string };
        assert.equal(reply.type, 'error');
        assert.equal(reply.replyTo, 3);
        ws.sendText('{not json');
        const unparsed = (await ws.receiveJson()) as { type: string; replyTo?: number; detail: string };
        assert.match(unparsed.detail, /Invalid JSON message/);
        assert.equal(unparsed.replyTo, undefined);
        ws.sendJson({ n: 2 });
        assert.ok(await ws.receiveJson());
        await ws.close();
      } finally {
        await app.close();
      }
    });
  }
});
