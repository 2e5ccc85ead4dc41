import assert from 'node:assert/strict';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { StartupError } from '../../../lib/server/lifespan';

describe('lifespan', () => {
  it('runs startup handlers in order (options, then hooks) once, before listen() serves', async () => {
    const calls: string[] = [];
    class Db {
      async onStartup(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        calls.push('hook.start');
      }
      onShutdown(): void {
        calls.push('hook.stop');
      }
    }
    const app = new App({
      routes: [new Route('/', 'GET', () => ({ calls: [...calls] }))],
      hooks: [Db],
      onStartup: [
        function first() {
          calls.push('first');
        },
        async () => {
          calls.push('second');
        },
      ],
      onShutdown: [
        function last() {
          calls.push('stop.first');
        },
        () => {
          calls.push('stop.second');
        },
      ],
    });
    const server = await app.listen(0);
    await app.startup();
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${App.portOf(server)}/`)).json(), { calls: ['first', 'second', 'hook.start'] });
    await app.close();
    assert.deepEqual(calls.slice(3), ['hook.stop', 'stop.second', 'stop.first']);
  });

  it('rejects listen() with a StartupError naming the handler, and serves nothing', async () => {
    const app = new App({
      routes: [],
      onStartup: [
        function connectDatabase() {
          throw new Error('refused');
        },
      ],
    });
    await assert.rejects(
      app.listen(0),
      (error: unknown) =>
        error instanceof StartupError && /connectDatabase: refused/.test(error.message) && (error.cause as Error).message === 'refused',
    );
    await app.close();
  });

  it('runs every shutdown handler even when one fails, reporting the failure', async () => {
    const reported: string[] = [];
    const ran: string[] = [];
    const app = new App({
      routes: [],
      settings: {
        logError: (message) => {
          reported.push(message);
        },
      },
      onShutdown: [
        () => {
          ran.push('a');
        },
        function broken() {
          throw new Error('x');
        },
      ],
    });
    await app.close();
    assert.deepEqual(ran, ['a']);
    assert.deepEqual(reported, ['Shutdown handler broken failed']);
  });

  it('shuts down once when close() is called again while closing or after', async () => {
    let stops = 0;
    let layerCloses = 0;
    const app = new App({
      routes: [],
      onShutdown: [
        async () => {
          stops++;
          await new Promise((resolve) => setTimeout(resolve, 5));
        },
      ],
    });
    const close = app.channelLayer.close.bind(app.channelLayer);
    app.channelLayer.close = async () => {
      layerCloses++;
      await close();
    };
    const first = app.close();
    const second = app.close({ code: 1012 });
    assert.equal(second, first, "a second call returns the first call's promise");
    await Promise.all([first, second]);
    await app.close();
    assert.equal(stops, 1);
    assert.equal(layerCloses, 1);
  });

  it('closes open WebSockets with the code close() is given (1012 for a restart)', async () => {
    const handler = inject([WebSocket], async (ws) => {
      await ws.accept();
      for await (const message of ws) void message;
    });
    const app = new App({ routes: [new WebSocketRoute('/ws', handler)] });
    const server = await app.listen(0);
    const client = new WsClient(`ws://127.0.0.1:${App.portOf(server)}/ws`);
    await new Promise((resolve) => client.once('open', resolve));
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    await app.close({ code: 1012, reason: 'Restarting' });
    assert.equal(await closed, 1012);
  });
});
