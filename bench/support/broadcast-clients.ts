/**
 * One client process of `bench/broadcast.ts` / `bench/broadcast-redis.ts`: holds `count` room
 * sockets to one server and counts deliveries (a delivery = one room socket received one
 * broadcast message), plus one control connection to the broadcasting server that carries acks.
 *
 * The acker is the room socket opened last, once all the others have joined, so it is the last
 * member a broadcast reaches on its server; when it receives broadcast `seq` this process sends
 * `seq` over the control connection. Non-acker sockets only count (they do not parse).
 *
 * Kinds: `ws` (the `ws` client, for Starwire and the plain `ws` servers) and `socketio`
 * (`socket.io-client`, websocket transport only, one connection per socket: `forceNew`).
 *
 * IPC: sends `{ ready: { opened, failed } }` once every socket has joined (got its "joined"
 * message); answers `'count'` with `{ count }` (deliveries so far) and `'cpu'` with `{ cpu }`;
 * exits when the parent disconnects.
 *
 * Run: `node dist/bench/support/broadcast-clients.js <ws|socketio> <room-url> <control-url> <count> [concurrency]` (forked).
 */
import { type Socket as IoSocket, io } from 'socket.io-client';
import { WebSocket as WsClient } from 'ws';

let count = 0;

interface Member {
  /** Called for every broadcast this socket receives; the acker is told the seq. */
  onTick(listener: (seq: number) => void): void;
}

interface Control {
  ack(seq: number): void;
}

function openWs(url: string): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const client = new WsClient(url, { perMessageDeflate: false });
    client.on('error', reject);
    // The first message is the server's "joined": the socket is in the room from then on.
    client.once('message', () => resolve(client));
  });
}

async function wsMember(url: string, acker: boolean): Promise<Member> {
  const client = await openWs(url);
  if (!acker) {
    client.on('message', () => {
      count++;
    });
    return { onTick: () => {} };
  }
  return {
    onTick: (listener) => {
      client.on('message', (data: Buffer) => {
        count++;
        listener((JSON.parse(data.toString('utf8')) as { seq: number }).seq);
      });
    },
  };
}

function wsControl(url: string): Promise<Control> {
  return new Promise((resolve, reject) => {
    const client = new WsClient(url, { perMessageDeflate: false });
    client.on('error', reject);
    client.once('open', () => resolve({ ack: (seq) => client.send(String(seq)) }));
  });
}

async function ioConnect(url: string, role: 'member' | 'control'): Promise<IoSocket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, query: { role } });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    if (role === 'control') socket.once('connect', () => resolve(socket));
    else socket.once('joined', () => resolve(socket));
  });
}

async function ioMember(url: string, acker: boolean): Promise<Member> {
  const socket = await ioConnect(url, 'member');
  if (!acker) {
    socket.on('tick', () => {
      count++;
    });
    return { onTick: () => {} };
  }
  return {
    onTick: (listener) => {
      socket.on('tick', (message: { seq: number }) => {
        count++;
        listener(message.seq);
      });
    },
  };
}

async function ioControl(url: string): Promise<Control> {
  const socket = await ioConnect(url, 'control');
  return {
    ack: (seq) => {
      socket.emit('ack', seq);
    },
  };
}

async function run(): Promise<void> {
  const [kind, roomUrl, controlUrl, countArg, concurrencyArg = '100'] = process.argv.slice(2);
  const total = Number(countArg);
  const concurrency = Number(concurrencyArg);
  if ((kind !== 'ws' && kind !== 'socketio') || !roomUrl || !controlUrl || !(total > 0) || !(concurrency > 0)) {
    throw new Error('usage: broadcast-clients.js <ws|socketio> <room-url> <control-url> <count> [concurrency]');
  }
  const member = kind === 'ws' ? wsMember : ioMember;
  let next = 0;
  let opened = 0;
  let failed = 0;
  const open = async (acker: boolean): Promise<Member | undefined> => {
    try {
      const m = await member(roomUrl, acker);
      opened++;
      return m;
    } catch {
      failed++;
      return undefined;
    }
  };
  const worker = async (): Promise<void> => {
    while (next < total - 1) {
      next++;
      await open(false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(total - 1, 1)) }, worker));
  const control = await (kind === 'ws' ? wsControl(controlUrl) : ioControl(controlUrl));
  const acker = await open(true);
  if (!acker) throw new Error(`the acker could not join at ${roomUrl}`);
  acker.onTick((seq) => control.ack(seq));

  process.on('message', (message) => {
    if (message === 'count') process.send?.({ count });
    else if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    }
  });
  process.once('disconnect', () => process.exit(0));
  process.send?.({ ready: { opened, failed } });
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
