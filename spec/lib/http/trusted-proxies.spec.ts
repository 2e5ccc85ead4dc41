import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import { Scope } from '../../../components/scope';
import { WebSocket } from '../../../components/websocket';
import { App } from '../../../lib/app';
import type { SettingsInput } from '../../../lib/config/settings';
import { TrustedProxies } from '../../../lib/http/trusted-proxies';
import { inject } from '../../../lib/inject/inject';
import { Route, WebSocketRoute } from '../../../lib/routing/routes';
import { type LiveSocket, liveRefusal, liveUrl, openLive } from '../../support/ws-client';

describe('TrustedProxies', () => {
  it('ignores X-Forwarded-For from a peer it does not trust', () => {
    assert.equal(new TrustedProxies(['10.0.0.1']).clientOf('198.51.100.9', '203.0.113.7'), '198.51.100.9');
    assert.equal(new TrustedProxies([]).enabled, false);
  });

  it('takes the nearest hop that is not a trusted proxy, not a spoofed leftmost entry', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.2']);
    // "6.6.6.6" was written by the client itself; 203.0.113.7 is what the outer proxy (10.0.0.2) saw.
    assert.equal(proxies.clientOf('127.0.0.1', '6.6.6.6, 203.0.113.7, 10.0.0.2'), '203.0.113.7');
    assert.equal(proxies.clientOf('127.0.0.1', ['6.6.6.6', '203.0.113.8']), '203.0.113.8');
    // Every hop trusted: the farthest one is as close to the client as can be known.
    assert.equal(proxies.clientOf('127.0.0.1', '10.0.0.2'), '10.0.0.2');
    assert.equal(proxies.clientOf('127.0.0.1', ' '), '127.0.0.1');
  });

  it('treats an IPv4-mapped IPv6 peer as its IPv4 address', () => {
    assert.equal(new TrustedProxies(['127.0.0.1']).clientOf('::ffff:127.0.0.1', '203.0.113.7'), '203.0.113.7');
    assert.equal(new TrustedProxies(['::1']).clientOf('::1', '2001:db8::7'), '2001:db8::7');
  });

  it('with *, believes only the entry the peer itself wrote, not the spoofable ones before it', () => {
    const everyone = new TrustedProxies(['*']);
    assert.equal(everyone.clientOf('198.51.100.9', '203.0.113.7'), '203.0.113.7');
    assert.equal(everyone.clientOf('198.51.100.9', '1.2.3.4, 203.0.113.7'), '203.0.113.7');
  });

  it('stops at a hop that is not an IP address', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.2']);
    assert.equal(proxies.clientOf('127.0.0.1', 'unknown'), '127.0.0.1');
    assert.equal(proxies.clientOf('127.0.0.1', '203.0.113.7, junk, 10.0.0.2'), '10.0.0.2');
    assert.equal(proxies.clientOf('127.0.0.1', '1.2.3.4:5678'), '127.0.0.1');
  });

  it('refuses settings that are not a list of addresses, naming the setting', () => {
    assert.throws(
      () => new App({ routes: [], settings: { trustedProxies: '127.0.0.1' as unknown as string[] } }),
      /settings\.trustedProxies must be an array/,
    );
    assert.throws(() => new App({ routes: [], settings: { trustedProxies: [''] } }), /settings\.trustedProxies/);
    assert.throws(() => new App({ routes: [], settings: { trustedProxies: ['nginx'] } }), /expected IP addresses or '\*', got "nginx"/);
  });
});

describe('Client addresses behind a trusted proxy, over real sockets', () => {
  const servers: Server[] = [];
  const sockets: LiveSocket[] = [];
  afterEach(async () => {
    for (const live of sockets.splice(0)) live.socket.terminate();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  const whoAmI = inject([Scope], (scope) => ({ host: scope.client?.host ?? null, port: scope.client?.port ?? null }));
  const hold = inject([WebSocket], async (ws) => {
    await ws.accept();
    for await (const message of ws) await ws.send(message);
  });

  async function serve(settings: SettingsInput): Promise<Server> {
    const app = new App({ routes: [new Route('/whoami', 'GET', whoAmI), new WebSocketRoute('/ws', hold)], settings });
    const server = await app.listen(0);
    servers.push(server);
    return server;
  }

  function get(server: Server, headers: Record<string, string>): Promise<{ host: string | null; port: number | null }> {
    const { port } = server.address() as { port: number };
    return new Promise((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/whoami', headers }, (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (chunk: string) => {
            body += chunk;
          })
          .on('end', () => resolve(JSON.parse(body)));
      })
        .on('error', reject)
        .end();
    });
  }

  it('reports the forwarded client in scope.client when the peer is trusted', async () => {
    const server = await serve({ trustedProxies: ['127.0.0.1'] });
    assert.deepEqual(await get(server, { 'x-forwarded-for': '203.0.113.7' }), { host: '203.0.113.7', port: 0 });
    const direct = await get(server, {});
    assert.equal(direct.host, '127.0.0.1');
    assert.ok((direct.port ?? 0) > 0, 'a direct connection keeps its port');
  });

  it('reports the peer and ignores the header when no proxy is trusted', async () => {
    const server = await serve({});
    assert.equal((await get(server, { 'x-forwarded-for': '203.0.113.7' })).host, '127.0.0.1');
  });

  it('counts per-address WebSocket limits by the forwarded client', async () => {
    const server = await serve({ trustedProxies: ['127.0.0.1'], websocket: { maxConnectionsPerIp: 1 } });
    const url = liveUrl(server, '/ws');
    sockets.push(await openLive(url, { headers: { 'x-forwarded-for': '203.0.113.7' } }));
    // A second client behind the same proxy is another address...
    sockets.push(await openLive(url, { headers: { 'x-forwarded-for': '203.0.113.8' } }));
    // ...but the first one again is over its limit.
    assert.equal((await liveRefusal(url, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status, 429);
  });
});
