import assert from 'node:assert/strict';
import { WebSocket as WsClient } from 'ws';
import { Body } from '../../../components/body';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import { Logger } from '../../../lib/config/logger';
import { inject } from '../../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';

describe('Logger', () => {
  it('writes one JSON line per event at or above its level', () => {
    const lines: string[] = [];
    const logger = new Logger('warn', (line) => lines.push(line));
    logger.log('info', 'quiet');
    logger.log('error', 'loud', { code: 1 });
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(record.level, 'error');
    assert.equal(record.event, 'loud');
    assert.equal(record.code, 1);
    assert.ok(!Number.isNaN(Date.parse(record.time as string)));
    assert.equal(logger.enabled('warn'), true);
    assert.equal(logger.enabled('info'), false);
  });

  it('rejects an unknown level', () => {
    assert.throws(() => new Logger('loud' as never), /Log level must be one of/);
  });

  describe('at level info, in an app', () => {
    const lines: Record<string, unknown>[] = [];
    let app: App;
    let base: string;

    before(async () => {
      const echo = inject([WebSocket], async (ws) => {
        await ws.accept();
        for await (const message of ws) await ws.send(message);
      });
      app = new App({
        routes: [
          new Route(
            '/items',
            'POST',
            inject([Body()], () => ({ ok: true })),
          ),
          new WebSocketRoute('/ws', echo),
        ],
        settings: { logLevel: 'info', logWrite: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
      });
      const server = await app.listen(0);
      base = `127.0.0.1:${App.portOf(server)}`;
    });
    after(() => app.close());

    it('logs one line per HTTP request, without the payload or query', async () => {
      await fetch(`http://${base}/items?secret=1`, {
        method: 'POST',
        body: JSON.stringify({ password: 'hunter2' }),
        headers: { 'content-type': 'application/json' },
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const http = lines.filter((line) => line.event === 'http');
      assert.equal(http.length, 1);
      assert.equal(http[0].method, 'POST');
      assert.equal(http[0].path, '/items');
      assert.equal(http[0].status, 200);
      assert.equal(http[0].client, '127.0.0.1');
      assert.equal(typeof http[0].ms, 'number');
      assert.doesNotMatch(JSON.stringify(lines), /hunter2|secret/);
    });

    it('logs a WebSocket opening and closing, with its close code and duration, not its messages', async () => {
      const client = new WsClient(`ws://${base}/ws`);
      await new Promise((resolve) => client.once('open', resolve));
      client.send('private words');
      await new Promise((resolve) => client.once('message', resolve));
      client.close(4001, 'done');
      await new Promise((resolve) => client.once('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const open = lines.find((line) => line.event === 'ws.open');
      const close = lines.find((line) => line.event === 'ws.close');
      assert.ok(open && close, 'both lines written');
      assert.equal(open.path, '/ws');
      assert.equal(close.id, open.id);
      assert.equal(close.code, 4001);
      assert.equal(typeof close.ms, 'number');
      assert.doesNotMatch(JSON.stringify(lines), /private words/);
    });
  });
});
