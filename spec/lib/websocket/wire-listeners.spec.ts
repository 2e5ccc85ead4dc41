import assert from 'node:assert/strict';
import { WebSocket as WsSocket } from 'ws';
import { listenTo, ownedWireClass, type WireOwner } from '../../../lib/websocket/wire-listeners';
import type { WireSocket } from '../../../lib/websocket/wire-socket';

/** An owner that records what reaches it. */
function recorder(): WireOwner & { seen: unknown[][] } {
  const seen: unknown[][] = [];
  return {
    seen,
    alive: false,
    onMessage: (data, isBinary) => seen.push(['message', String(data), isBinary]),
    onClose: (code, reason) => seen.push(['close', code, String(reason)]),
    onError: (error) => seen.push(['error', error.message]),
  };
}

/** A server-side ws socket of the owned class, with no connection under it. */
function ownedWire(): WsSocket {
  const Owned = ownedWireClass(WsSocket);
  return new Owned(null as unknown as string, undefined, { autoPong: true } as never);
}

describe('wire listeners (lib/websocket/wire-listeners.ts)', () => {
  it('an owned ws socket hands message, close, error and pong to its owner, with no listener of its own', () => {
    const wire = ownedWire();
    const owner = recorder();
    listenTo(wire as unknown as WireSocket, owner);
    assert.equal(wire.eventNames().length, 0);
    wire.emit('message', Buffer.from('hi'), false);
    wire.emit('pong', Buffer.alloc(0));
    wire.emit('error', new Error('bad frame'));
    wire.emit('close', 1006, Buffer.from('gone'));
    assert.deepEqual(owner.seen, [
      ['message', 'hi', false],
      ['error', 'bad frame'],
      ['close', 1006, 'gone'],
    ]);
    assert.equal(owner.alive, true);
  });

  it('passes other events, and every event before it has an owner, to listeners with the arguments ws gave', () => {
    const wire = ownedWire();
    const heard: unknown[][] = [];
    wire.on('ping', (...args: unknown[]) => heard.push(['ping', ...args]));
    wire.on('message', (...args: unknown[]) => heard.push(['message', ...args]));
    wire.emit('message', 'early', true);
    listenTo(wire as unknown as WireSocket, recorder());
    wire.emit('ping', 'data');
    wire.emit('message', 'late', false);
    assert.deepEqual(heard, [
      ['message', 'early', true],
      ['ping', 'data'],
    ]);
  });

  it('a wire of another kind (the TestClient pair) gets four shared listeners', () => {
    const wire = new WsSocket(null as unknown as string, undefined, { autoPong: true } as never);
    const owner = recorder();
    listenTo(wire as unknown as WireSocket, owner);
    assert.deepEqual(wire.eventNames().sort(), ['close', 'error', 'message', 'pong']);
    wire.emit('message', Buffer.from('x'), true);
    assert.deepEqual(owner.seen, [['message', 'x', true]]);
  });
});
