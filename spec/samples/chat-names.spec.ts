import assert from 'node:assert/strict';
import { createApp } from '../../samples/chat/app';
import { forEachTransport, type Peer } from '../support/ws-client';

type ServerMessage = { readonly type: string; readonly [field: string]: unknown };

/** The first message of `type` matching `test`, skipping broadcasts that come in between. */
async function next(peer: Peer, type: string, test: (message: ServerMessage) => boolean = () => true): Promise<ServerMessage> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const message = (await peer.receiveJson(Math.max(1, deadline - Date.now()))) as ServerMessage;
    if (message.type === type && test(message)) return message;
  }
}

/**
 * The longest and least ASCII names the chat's own schema allows (24 letters, digits, space,
 * `_ . -`): each must connect, join, talk and get presence like "Ada" does.
 */
const NAMES = [
  '𠀀'.repeat(24), // 24 letters of four UTF-8 bytes (CJK Extension B): 96 bytes
  '张伟'.repeat(12), // 24 CJK letters, 72 bytes
  'Zoë Ångström-Øre_née.4 5', // Latin letters with marks, every allowed punctuation
  '١٢٣ محمد', // Arabic digits and letters
];
/** The longest room id the chat's schema allows. */
const LONG_ROOM = `r${'-x'.repeat(15)}z`;

describe('samples/chat accepts every name its own schema allows', () => {
  forEachTransport(
    () => createApp({ realtime: { reconnectGrace: 50 } }),
    (transport) => {
      it('users with the longest and least ASCII names connect, join a room, talk, and set a status', async () => {
        assert.equal(LONG_ROOM.length, 32);
        const peers: Peer[] = [];
        try {
          for (const name of NAMES) {
            const peer = await transport().open(`/ws?name=${encodeURIComponent(name)}`);
            peers.push(peer);
            const welcome = await next(peer, 'welcome');
            assert.equal((welcome.user as { id: string }).id, name);
            peer.sendJson({ type: 'join', room: LONG_ROOM });
            await next(peer, 'history', (message) => message.room === LONG_ROOM);
          }
          const [first, ...others] = peers as [Peer, ...Peer[]];
          first.sendJson({ type: 'say', room: LONG_ROOM, text: 'hello everyone' });
          for (const peer of others) {
            const line = await next(peer, 'message', (message) => message.text === 'hello everyone');
            assert.deepEqual(line.from, { id: NAMES[0], name: NAMES[0] });
          }
          const last = NAMES.at(-1) ?? '';
          peers.at(-1)?.sendJson({ type: 'status', status: 'busy' });
          const presence = await next(first, 'presence', (message) => message.event === 'status');
          assert.equal((presence.users as { id: string; status: string }[]).find((user) => user.id === last)?.status, 'busy');
        } finally {
          await Promise.all(peers.map((peer) => peer.close(1000)));
        }
      });
    },
  );
});
