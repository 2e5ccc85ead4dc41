import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { QueryParam } from '../../../components/query-param';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import type { ChannelMessage } from '../../../lib/channels/channel-layer';
import { inject } from '../../../lib/inject/inject';
import { RealtimeManager } from '../../../lib/realtime/manager';
import { WebSocketRoute } from '../../../lib/routing/routes';
import { connectAdmin, deleteKeys, REDIS_URL } from '../../support/redis-admin';
import { type LiveSocket, openLive, testTransport, within } from '../../support/ws-client';

/** Messages of the real-time layer's shape with a field missing or of the wrong type. */
const WRONG_SHAPES: readonly Record<string, unknown>[] = [
  { type: 'realtime.deliver', origin: 'elsewhere' },
  { type: 'realtime.deliver', origin: 'elsewhere', target: { kind: 'all' }, payload: 5, except: [] },
  { type: 'realtime.deliver', origin: 'elsewhere', target: { kind: 'user', id: 7 }, payload: '{}', except: [] },
  { type: 'realtime.deliver', origin: 'elsewhere', target: { kind: 'all' }, payload: '{}', except: 'ann' },
  { type: 'realtime.deliver', origin: 'elsewhere', target: { kind: 'nowhere' }, payload: '{}', except: [] },
  { type: 'realtime.membership', origin: 'elsewhere', kind: 'room', id: 1, userId: 'ann', member: true },
  { type: 'realtime.membership', origin: 'elsewhere', kind: 'attic', id: 'x', userId: 'ann', member: true },
  { type: 'realtime.deliver', target: { kind: 'all' }, payload: '{}', except: [] },
  { type: 'something.else', origin: 'elsewhere' },
];

const chat = inject([WebSocket, QueryParam('user'), RealtimeManager], async (ws, userId, realtime) => {
  await ws.accept();
  await realtime.addUser({ id: userId ?? 'anon' }, ws);
  await ws.sendJson({ type: 'ready' });
  for await (const _ of ws);
});

describe('Malformed messages on the real-time layer', function () {
  this.timeout(15000);

  describe('in one process (in-memory layer)', () => {
    it('drops each one, reports it through logError and stats().malformed, and goes on delivering', async () => {
      const logged: { message: string; error: unknown }[] = [];
      const app = new App({
        routes: [new WebSocketRoute('/chat', chat)],
        settings: { logError: (message, error) => logged.push({ message, error }) },
      });
      try {
        const ann = await testTransport(app).open('/chat?user=ann');
        assert.deepEqual(await ann.receiveJson(), { type: 'ready' });
        // The switchboard's own channel: what other processes send to, and app code could too.
        const processChannel = (app.realtime as unknown as { switchboard: { processId: string } }).switchboard.processId;
        for (const message of WRONG_SHAPES) await app.channelLayer.send(processChannel, message as ChannelMessage);
        const delivery = await app.realtime.sendToUser('ann', { type: 'dm', text: 'still delivered' });
        assert.equal(delivery.delivered, 1);
        assert.deepEqual(await ann.receiveJson(), { type: 'dm', text: 'still delivered' });
        assert.equal((await app.realtime.stats()).malformed, WRONG_SHAPES.length);
        assert.equal(logged.length, WRONG_SHAPES.length);
        assert.ok(
          logged.every((entry) => /^Realtime dropped a malformed message from the channel layer: /.test(entry.message)),
          logged[0]?.message,
        );
        assert.match(logged[0].message, /target is not an object/);
        await ann.close();
      } finally {
        await app.close();
      }
    });

    it("refuses app code's groupSend to the real-time layer's reserved groups, naming the group", async () => {
      const app = new App({ routes: [new WebSocketRoute('/chat', chat)] });
      try {
        await app.realtime.start();
        const forged = { type: 'realtime.deliver', origin: 'me', target: { kind: 'all' }, payload: 5, except: [] };
        for (const group of ['rt.all', `rt.user.${Buffer.from('ann').toString('base64url')}`, 'rt.room.x']) {
          await assert.rejects(
            app.channelLayer.groupSend(group, forged),
            (error: Error) =>
              error instanceof TypeError &&
              error.message.includes(JSON.stringify(group)) &&
              /reserved for Starwire's real-time layer/.test(error.message),
          );
        }
        assert.equal((await app.realtime.stats()).malformed, 0, 'nothing reached the switchboard');
      } finally {
        await app.close();
      }
    });
  });

  describe('published raw on Redis to a running app process', () => {
    const prefix = `sw-test-malformed-${randomBytes(4).toString('hex')}`;
    let admin: Redis;
    before(async () => {
      admin = await connectAdmin();
    });
    after(async () => {
      await deleteKeys(admin, prefix);
      admin.disconnect();
    });

    it('garbage, truncated and wrong-shape payloads leave the process running and serving', async () => {
      const child = fork(join(__dirname, '..', '..', 'support', 'realtime-node.js'), [], {
        env: { ...process.env, RT_PREFIX: prefix, REDIS_URL },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        execArgv: [],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? '')));
      let ann: LiveSocket | undefined;
      try {
        const port = await within(
          new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port))),
          8000,
          'the app process to listen',
        );
        ann = await openLive(`ws://127.0.0.1:${port}/chat?user=ann`);
        assert.equal(((await ann.receiveJson()) as { type: string }).type, 'ready');

        const userGroup = `${prefix}:group:rt.user.${Buffer.from('ann').toString('base64url')}`;
        const [inbox] = (await admin.pubsub('CHANNELS', `${prefix}:inbox:*`)) as string[];
        const payloads = [
          'garbage',
          '{"o":"x","m":{"type":"realtime.del',
          'null',
          '[1,2]',
          '{"m":"text"}',
          '{"o":"x","m":{"type":""}}',
          ...WRONG_SHAPES.map((m) => JSON.stringify({ o: 'elsewhere', m })),
        ];
        for (const channel of [`${prefix}:group:rt.all`, userGroup]) {
          for (const payload of payloads) assert.equal(await admin.publish(channel, payload), 1, `the process listens on ${channel}`);
        }
        await admin.publish(inbox, 'garbage');
        await admin.publish(inbox, JSON.stringify({ c: 'realtime.elsewhere!1', m: { type: 'x' } }));

        const response = await fetch(`http://127.0.0.1:${port}/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'ann', message: { type: 'dm', text: 'after the garbage' } }),
          signal: AbortSignal.timeout(3000),
        });
        assert.equal(response.status, 200, stderr);
        assert.deepEqual(await ann.receiveJson(), { type: 'dm', text: 'after the garbage' });
        assert.equal(child.exitCode, null, `the process exited: ${stderr}`);
        assert.match(stderr, /Realtime dropped a malformed message from the channel layer/);
        assert.match(stderr, /RedisChannelLayer dropped a malformed message/);
      } finally {
        ann?.socket.terminate();
        if (child.exitCode === null) child.kill('SIGTERM');
        assert.equal(await within(exited, 5000, 'the app process to exit'), 0, `a clean exit on SIGTERM: ${stderr}`);
      }
    });
  });
});
