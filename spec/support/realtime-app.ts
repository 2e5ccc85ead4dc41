/** The chat app and helpers the RealtimeManager specs share (manager, rooms, presence). */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryParam } from '../../components/query-param';
import { WebSocket } from '../../components/websocket';
import { App } from '../../lib/app';
import type { SettingsInput } from '../../lib/config/settings';
import { WebSocketDisconnect } from '../../lib/errors/exceptions';
import { inject } from '../../lib/inject/inject';
import { type EventData, EventType } from '../../lib/realtime/events';
import { RealtimeManager, type RealtimeOptions, RoomError } from '../../lib/realtime/manager';
import type { HistoryReplay } from '../../lib/realtime/store';
import { Route, WebSocketRoute } from '../../lib/routing/routes';
import { liveTransport, type Peer, type Transport, testTransport } from './ws-client';

export const GRACE = 100;
export const HISTORY_LIMIT = 3;

export type Command = { op: 'join'; room: string } | { op: 'say'; room: string; text: string };

export function isCommand(value: unknown): value is Command {
  if (typeof value !== 'object' || value === null) return false;
  const { op, room } = value as Record<string, unknown>;
  return (op === 'join' || op === 'say') && typeof room === 'string';
}

/**
 * A chat socket: `?user=` names the user (`&status=` optionally). It registers with the
 * injected RealtimeManager, says `ready`, then runs commands: join a room, say something to it.
 */
export const chat = inject([WebSocket, QueryParam('user'), QueryParam('status'), RealtimeManager], async (ws, userId, status, realtime) => {
  await ws.accept();
  if (!userId) return ws.close(4000, 'user required');
  await realtime.addUser({ id: userId, name: userId.toUpperCase(), status, metadata: { path: ws.path } }, ws);
  await ws.sendJson({ type: 'ready', user: userId });
  for await (const data of ws) {
    const command: unknown = JSON.parse(String(data));
    if (!isCommand(command)) {
      await ws.sendJson({ type: 'error', message: 'unknown command' });
      continue;
    }
    try {
      if (command.op === 'join') await realtime.joinRoom(command.room, userId);
      else await realtime.broadcastToRoom(command.room, { type: 'said', from: userId, text: command.text }, { except: [userId] });
      await ws.sendJson({ type: 'ok', op: command.op });
    } catch (error) {
      await ws.sendJson({ type: 'error', message: error instanceof RoomError ? error.reason : String(error) });
    }
  }
});

export const online = inject([RealtimeManager], async (realtime) => (await realtime.getOnlineUsers()).map((user) => user.id).sort());

export function makeApp(realtime: RealtimeOptions = {}, settings?: SettingsInput): App {
  return new App({
    routes: [new WebSocketRoute('/chat', chat), new WebSocketRoute('/lobby', chat), new Route('/online', 'GET', online)],
    realtime: { reconnectGrace: GRACE, historyLimit: HISTORY_LIMIT, ...realtime },
    settings,
  });
}

/** What `realtime.on` saw, in order. */
export function record(app: App): { type: EventType; data: EventData[EventType] }[] {
  const seen: { type: EventType; data: EventData[EventType] }[] = [];
  for (const type of Object.values(EventType))
    app.realtime.on(type, (t, data) => {
      seen.push({ type: t, data });
    });
  return seen;
}

/** Fails unless nothing arrives on `peer` within `ms` (the socket staying open). */
export async function nothingArrives(peer: Peer, ms = 150): Promise<void> {
  const outcome = await peer.receive(ms).then(
    (message) => ({ message }),
    (error: unknown) => ({ error }),
  );
  if ('message' in outcome) assert.fail(`expected nothing, got ${String(outcome.message)}`);
  assert.ok(!(outcome.error instanceof WebSocketDisconnect), 'the socket closed');
}

/** A history replay without its `last` (the epoch of an empty history is made up on the spot). */
export function withoutLast({ entries, complete }: HistoryReplay): Pick<HistoryReplay, 'entries' | 'complete'> {
  return { entries, complete };
}

/** Polls `check` until it holds, for at most `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Runs `suite` through the TestClient and over real sockets, with a fresh app for every test
 * (rooms and presence must not leak from one test into the next).
 */
export function eachTransport(suite: (ctx: () => { app: App; transport: Transport }) => void): void {
  for (const kind of ['TestClient', 'real sockets'] as const) {
    describe(`through ${kind === 'TestClient' ? 'the TestClient' : 'real sockets'}`, () => {
      let app: App;
      let transport: Transport;
      beforeEach(async () => {
        app = makeApp();
        transport = kind === 'TestClient' ? testTransport(app) : liveTransport(await app.listen(0));
      });
      afterEach(() => app.close());
      suite(() => ({ app, transport }));
    });
  }
}

/** Opens chat sockets through `ctx`'s transport and sends them commands. */
export function chatPeers(ctx: () => { app: App; transport: Transport }): {
  connect(user: string, path?: string, status?: string): Promise<Peer>;
  command(peer: Peer, value: Command): Promise<unknown>;
} {
  return {
    /** Opens a chat socket for `user` and waits until the app registered it. */
    async connect(user: string, path = '/chat', status?: string): Promise<Peer> {
      const query = `user=${encodeURIComponent(user)}${status ? `&status=${status}` : ''}`;
      const peer = await ctx().transport.open(`${path}?${query}`);
      assert.deepEqual(await peer.receiveJson(), { type: 'ready', user });
      return peer;
    },

    async command(peer: Peer, value: Command): Promise<unknown> {
      peer.sendJson(value);
      return peer.receiveJson();
    },
  };
}
