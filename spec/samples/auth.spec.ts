import assert from 'node:assert/strict';
import { WebSocketDisconnect } from '../../lib/errors/exceptions';
import { BYE, createApp, SUBPROTOCOL } from '../../samples/auth/app';
import { forEachTransport, type Peer } from '../support/ws-client';

/** Asserts the next receive fails because the server closed with `code`; returns the reason. */
async function expectClose(peer: Peer, code: number): Promise<string> {
  let error: unknown;
  try {
    await peer.receive();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof WebSocketDisconnect, `expected a close ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `close reason: ${error.reason}`);
  return error.reason;
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const GOODBYE = { status: 'ok', message: 'Have a nice Day!' };
const NEEDS_SUBPROTOCOL = `Subprotocol required: one of ${SUBPROTOCOL}`;

describe('samples/auth', () => {
  forEachTransport(createApp, (transport) => {
    describe('/chat (refuses before the upgrade)', () => {
      it('greets the user by name on chat.v1 and echoes text and bytes', async () => {
        const peer = await transport().open('/chat', { subprotocols: [SUBPROTOCOL], headers: bearer('alice-token') });
        assert.equal(peer.protocol, SUBPROTOCOL);
        assert.deepEqual(await peer.receiveJson(), { greeting: 'Hello, Alice!', subprotocol: SUBPROTOCOL });
        peer.send('hi there');
        peer.send(Buffer.from([1, 2, 255]));
        assert.equal(await peer.receive(), 'hi there');
        assert.deepEqual(await peer.receive(), Buffer.from([1, 2, 255]));
        assert.equal((await peer.close(1000)).code, 1000);
      });

      it('picks chat.v1 out of several offered subprotocols, and reads a token from ?token=', async () => {
        const peer = await transport().open('/chat?token=bob-token', { subprotocols: ['chat.v0', SUBPROTOCOL] });
        assert.equal(peer.protocol, SUBPROTOCOL);
        assert.deepEqual(await peer.receiveJson(), { greeting: 'Hello, Bob!', subprotocol: SUBPROTOCOL });
        await peer.close(1000);
      });

      it("sends the Goodbye hook's JSON after the handler returns, then closes with 1000", async () => {
        const peer = await transport().open('/chat', { subprotocols: [SUBPROTOCOL], headers: bearer('alice-token') });
        await peer.receiveJson();
        peer.send(BYE);
        assert.deepEqual(await peer.receiveJson(), GOODBYE);
        assert.equal(await expectClose(peer, 1000), '');
      });

      it('answers HTTP 401 with WWW-Authenticate: Bearer to a handshake without a token', async () => {
        const refusal = await transport().refusal('/chat', { subprotocols: [SUBPROTOCOL] });
        assert.equal(refusal.status, 401, refusal.body);
        assert.equal(refusal.headers['www-authenticate'], 'Bearer');
        assert.deepEqual(JSON.parse(refusal.body), { detail: 'Authentication required' });
      });

      it('answers HTTP 401 to an unknown token', async () => {
        const refusal = await transport().refusal('/chat', { subprotocols: [SUBPROTOCOL], headers: bearer('mallory-token') });
        assert.equal(refusal.status, 401, refusal.body);
        assert.deepEqual(JSON.parse(refusal.body), { detail: 'Invalid token' });
      });

      it('answers HTTP 400 to a signed-in client that does not offer chat.v1', async () => {
        for (const subprotocols of [[], ['chat.v0']]) {
          const refusal = await transport().refusal('/chat', { subprotocols, headers: bearer('alice-token') });
          assert.equal(refusal.status, 400, refusal.body);
          assert.deepEqual(JSON.parse(refusal.body), { detail: NEEDS_SUBPROTOCOL });
        }
      });
    });

    describe('/browser/chat (accepts, then closes, so browsers can read the code)', () => {
      it('greets a user whose token came in ?token=, echoes, and says goodbye', async () => {
        const peer = await transport().open('/browser/chat?token=alice-token', { subprotocols: [SUBPROTOCOL] });
        assert.equal(peer.protocol, SUBPROTOCOL);
        assert.deepEqual(await peer.receiveJson(), { greeting: 'Hello, Alice!', subprotocol: SUBPROTOCOL });
        peer.send('ping');
        assert.equal(await peer.receive(), 'ping');
        peer.send(BYE);
        assert.deepEqual(await peer.receiveJson(), GOODBYE);
        await expectClose(peer, 1000);
      });

      // A real client that offered chat.v1 fails a 101 naming no subprotocol, so over real
      // sockets these also check the accept-then-close negotiated one.
      it('closes with 3000 "Authentication required" without a token', async () => {
        const ending = await transport().ending('/browser/chat', { subprotocols: [SUBPROTOCOL] });
        assert.deepEqual(
          { code: ending.code, reason: ending.reason, messages: ending.messages },
          { code: 3000, reason: 'Authentication required', messages: [] },
        );
      });

      it('closes with 3000 "Invalid token" for an unknown token', async () => {
        const ending = await transport().ending('/browser/chat?token=nope', { subprotocols: [SUBPROTOCOL] });
        assert.deepEqual({ code: ending.code, reason: ending.reason }, { code: 3000, reason: 'Invalid token' });
      });

      it('closes with 1002 when chat.v1 is not offered, before looking at the token', async () => {
        for (const path of ['/browser/chat?token=alice-token', '/browser/chat']) {
          const ending = await transport().ending(path);
          assert.deepEqual(
            { code: ending.code, reason: ending.reason, messages: ending.messages },
            { code: 1002, reason: NEEDS_SUBPROTOCOL, messages: [] },
            path,
          );
        }
      });

      it('closes with 1002 a client that offered only other subprotocols (it still sees the code)', async () => {
        const ending = await transport().ending('/browser/chat?token=alice-token', { subprotocols: ['chat.v0'] });
        assert.deepEqual({ code: ending.code, reason: ending.reason }, { code: 1002, reason: NEEDS_SUBPROTOCOL });
      });
    });
  });
});
