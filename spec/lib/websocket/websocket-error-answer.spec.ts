import assert from 'node:assert/strict';
import { CurrentError } from '../../../components/current-error';
import { QueryParam } from '../../../components/query-param';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { JsonWebSocketConsumer } from '../../../lib/channels/consumer';
import { WebSocketException } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';
import { JSONResponse } from '../../../lib/http/response';
import { inject } from '../../../lib/inject/inject';
import { Include, WebSocketRoute } from '../../../lib/routing/routes';
import { forEachTransport } from '../../support/ws-client';

class RoomGone extends Error {
  constructor(readonly room: string) {
    super(`room ${room} is gone`);
  }
}
class Muted extends Error {}
class Broken extends Error {}
class BadCode extends Error {}

const logged: string[] = [];

/** Throws RoomGone before or after accept, as the query says. */
const join = inject([WebSocket, QueryParam('when')], async (ws, when) => {
  if (when === 'after') await ws.accept();
  throw new RoomGone('lobby');
});

const onRoomGone = inject([CurrentError, WebSocket], (error, ws) => {
  const room = (error as RoomGone).room;
  // Before accept: the handshake's refusal; after: a close frame.
  return ws.connecting ? new JSONResponse({ gone: room }, { status: status.HTTP_410_GONE }) : { code: 4410, reason: `gone: ${room}` };
});

class Chat extends JsonWebSocketConsumer {
  override async connect(): Promise<void> {
    await this.accept();
  }
  override async receiveJson(content: unknown): Promise<void> {
    if ((content as { say?: string }).say === 'gone') throw new RoomGone('kitchen');
    await this.sendJson(content);
  }
}

function makeApp(): App {
  return new App({
    settings: { logError: (message, error) => logged.push(`${message}: ${(error as Error).message}`) },
    exceptionHandlers: [
      [RoomGone, onRoomGone],
      [Muted, inject([], () => new WebSocketException(status.WS_1008_POLICY_VIOLATION, 'muted'))],
      [
        Broken,
        inject([], (): never => {
          throw new Error('handler broke');
        }),
      ],
      [BadCode, inject([], () => ({ code: 1005 }))],
    ],
    routes: [
      new WebSocketRoute('/join', join),
      new WebSocketRoute(
        '/accept-close',
        inject([WebSocket], (): never => {
          throw new Muted('early');
        }),
      ),
      new WebSocketRoute(
        '/muted',
        inject([WebSocket], async (ws): Promise<never> => {
          await ws.accept();
          throw new Muted();
        }),
      ),
      new WebSocketRoute(
        '/broken',
        inject([WebSocket], async (ws): Promise<never> => {
          await ws.accept();
          throw new Broken();
        }),
      ),
      new WebSocketRoute(
        '/broken-early',
        inject([WebSocket], (): never => {
          throw new Broken();
        }),
      ),
      new WebSocketRoute(
        '/bad-code',
        inject([WebSocket], async (ws): Promise<never> => {
          await ws.accept();
          throw new BadCode();
        }),
      ),
      new Include('/inner', [new WebSocketRoute('/join', join)], {
        exceptionHandlers: [[RoomGone, inject([], () => ({ code: 4000, reason: 'include' }))]],
      }),
      new WebSocketRoute('/chat', Chat),
    ],
  });
}

describe('WebSocket exception handlers', () => {
  forEachTransport(makeApp, (transport) => {
    beforeEach(() => {
      logged.length = 0;
    });

    it('refuses the handshake with the Response a handler returns before accept', async () => {
      const refusal = await transport().refusal('/join?when=before');
      assert.equal(refusal.status, 410);
      assert.deepEqual(JSON.parse(refusal.body), { gone: 'lobby' });
    });

    it('closes with the { code, reason } a handler returns after accept', async () => {
      const ending = await transport().ending('/join?when=after');
      assert.deepEqual({ code: ending.code, reason: ending.reason }, { code: 4410, reason: 'gone: lobby' });
      assert.deepEqual(logged, []);
    });

    it('accepts then closes when a handler returns a close before accept; a WebSocketException is a close too', async () => {
      for (const path of ['/accept-close', '/muted']) {
        const ending = await transport().ending(path);
        assert.deepEqual({ code: ending.code, reason: ending.reason }, { code: 1008, reason: 'muted' }, path);
      }
    });

    it("prefers an Include's handler for the same class", async () => {
      const ending = await transport().ending('/inner/join?when=after');
      assert.deepEqual({ code: ending.code, reason: ending.reason }, { code: 4000, reason: 'include' });
    });

    it('closes 1011 (or refuses 500 before accept) and logs when the handler throws', async () => {
      const ending = await transport().ending('/broken');
      assert.equal(ending.code, 1011);
      const refusal = await transport().refusal('/broken-early');
      assert.equal(refusal.status, 500);
      assert.deepEqual(JSON.parse(refusal.body), { detail: 'Internal Server Error' });
      assert.equal(
        logged.filter((line) => /exception handler .* for Broken failed: handler broke/.test(line)).length,
        2,
        logged.join('\n'),
      );
    });

    it('counts a close code that cannot be sent as a failed handler: 1011, logged', async () => {
      const ending = await transport().ending('/bad-code');
      assert.equal(ending.code, 1011);
      assert.ok(
        logged.some((line) => /for BadCode failed: WebSocket close code 1005 cannot be sent/.test(line)),
        logged.join('\n'),
      );
    });

    it("closes a consumer with its handler's answer when a lifecycle method throws", async () => {
      const peer = await transport().open('/chat');
      peer.sendJson({ say: 'hi' });
      assert.deepEqual(await peer.receiveJson(), { say: 'hi' });
      peer.sendJson({ say: 'gone' });
      const close = await peer.closed;
      assert.deepEqual(close, { code: 4410, reason: 'gone: kitchen' });
      assert.deepEqual(logged, [], 'a handled error is not reported');
    });
  });
});
