import assert from 'node:assert/strict';
import { App } from '../../lib/app';
import { createApp, type echoJsonRoute } from '../../samples/echo/app';
import { within } from '../support/ws-client';
import { type ClientModule, loadClient, NodeWebSocket, WAIT } from './client-harness';

describe('client/websocket-route-types', () => {
  let client: ClientModule;
  let app: App;
  let url: string;
  before(async () => {
    client = await loadClient();
  });
  beforeEach(async () => {
    app = createApp();
    url = `ws://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`;
  });
  afterEach(() => app.close());

  it('a client typed by the echo sample’s /echo/json route sends its messages and receives its replies', async () => {
    const echo = client.connect<typeof echoJsonRoute>(`${url}/echo/json`, { WebSocket: NodeWebSocket, heartbeat: false });
    try {
      const replies: string[] = [];
      // `reply` is typed { echo: string } by the route's `sends`; the value is what the server sent.
      const two = within(
        new Promise<void>((resolve) => echo.on('message', (reply) => replies.push(reply.echo) === 2 && resolve())),
        WAIT,
        'the echoes',
      );
      echo.send({ text: 'hello' });
      echo.send({ text: 'again' });
      await two;
      assert.deepEqual(replies, ['hello', 'again']);
    } finally {
      echo.close();
    }
  });
});
