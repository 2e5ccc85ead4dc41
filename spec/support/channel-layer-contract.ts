import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertChannelName,
  ChannelFull,
  type ChannelLayer,
  type ChannelLayerOptions,
  type ChannelMessage,
  frameworkMessage,
} from '../../lib/channels/channel-layer';

export interface ContractOptions {
  /** Whether two instances are two processes sharing one backend (Redis) or two separate worlds (memory). */
  sharesAcrossInstances: boolean;
}

/** Settles with `promise`, or fails naming `what` after `ms`: every wait in these specs is bounded. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `promise` is still unsettled after `ms`. */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol('pending');
  const outcome = await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    sleep(ms, marker),
  ]);
  return outcome === marker;
}

const msg = (type: string, extra: Record<string, unknown> = {}): ChannelMessage => ({ type, ...extra });

/**
 * Every behaviour docs/channel-layers.md promises, run against one backend. `makeLayer` must pass
 * the options through (the suite uses small capacities and sub-second expiries) and may return
 * a layer that is still connecting only if its calls wait for the connection.
 *
 * @example
 * channelLayerContract('InMemoryChannelLayer', (options) => new InMemoryChannelLayer(options), { sharesAcrossInstances: false });
 */
export function channelLayerContract(
  name: string,
  makeLayer: (options?: ChannelLayerOptions) => ChannelLayer | Promise<ChannelLayer>,
  { sharesAcrossInstances }: ContractOptions,
): void {
  describe(`${name} keeps the channel layer contract`, function () {
    this.timeout(5000);
    const made: ChannelLayer[] = [];
    const make = async (options?: ChannelLayerOptions): Promise<ChannelLayer> => {
      const layer = await makeLayer(options);
      made.push(layer);
      return layer;
    };
    const receiveSoon = (layer: ChannelLayer, channel: string): Promise<ChannelMessage> =>
      within(layer.receive(channel), 2000, `a message on ${channel}`);
    afterEach(async () => {
      await Promise.all(made.splice(0).map((layer) => layer.close()));
    });

    describe('names', () => {
      it('newChannel names are unique, carry the prefix and name the process that made them', async () => {
        const layer = await make();
        const names = await Promise.all(Array.from({ length: 500 }, () => layer.newChannel('chat.room')));
        assert.equal(new Set(names).size, names.length);
        for (const channel of names) {
          assert.match(channel, /^chat\.room\.[a-zA-Z0-9_-]+![a-zA-Z0-9_\-.]+$/);
          assert.doesNotThrow(() => assertChannelName('channel', channel));
        }
        assert.match(await layer.newChannel(), /^specific\.[a-zA-Z0-9_-]+!/);
        const other = await make();
        const processOf = (channel: string): string => channel.slice(0, channel.indexOf('!'));
        assert.notEqual(processOf(await other.newChannel('chat.room')), processOf(names[0]));
      });

      it('refuses an invalid newChannel prefix with a TypeError', async () => {
        const layer = await make();
        for (const prefix of ['', 'has space', 'bang!', 'x'.repeat(120)]) {
          await assert.rejects(layer.newChannel(prefix), TypeError, `prefix ${JSON.stringify(prefix)}`);
        }
      });

      it('refuses invalid channel and group names with a TypeError', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        const long = `a.b!${'x'.repeat(100)}`;
        await assert.rejects(layer.send('bad name!x', msg('t')), TypeError);
        await assert.rejects(layer.send(long, msg('t')), TypeError);
        await assert.rejects(layer.receive('a b!c'), TypeError);
        await assert.rejects(layer.groupAdd('bad group', channel), TypeError);
        await assert.rejects(layer.groupAdd('room', 'bad channel'), TypeError);
        await assert.rejects(layer.groupDiscard('', channel), TypeError);
        await assert.rejects(layer.groupSend('bad/group', msg('t')), TypeError);
      });

      it('follows the Channels rule: "!" only in channel names, at most once; group names < 100 characters', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        await assert.rejects(
          layer.groupAdd('room!1', channel),
          (error: Error) => error instanceof TypeError && /"!" is for channel names only/.test(error.message),
        );
        await assert.rejects(layer.groupSend('!', msg('t')), TypeError);
        await assert.rejects(layer.send(`${channel}!again`, msg('t')), TypeError);
        await assert.rejects(layer.groupAdd('g'.repeat(100), channel), TypeError);
        await layer.groupAdd(`${'g'.repeat(98)}.`, channel);
        assert.equal((await layer.groupSend(`${'g'.repeat(98)}.`, msg('t'))).delivered, 1);
        assert.doesNotThrow(() => assertChannelName('channel', 'specific.p!'));
      });

      it("refuses app code's groupSend to the groups Starwire's real-time layer reserves (rt.*), naming the group", async () => {
        const layer = await make();
        await assert.rejects(
          layer.groupSend('rt.all', msg('x')),
          (error: Error) => error instanceof TypeError && /"rt\.all" is reserved/.test(error.message),
        );
        assert.equal((await layer.groupSend('rt.all', frameworkMessage(msg('x')))).delivered, 0, "Starwire's own messages pass");
        assert.equal((await layer.groupSend('art.all', msg('x'))).delivered, 0);
      });

      it('refuses a message without a non-empty string type with a TypeError', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        const bad = [{}, { type: '' }, { type: 5 }, null, 'text'] as unknown as ChannelMessage[];
        for (const message of bad) {
          await assert.rejects(layer.send(channel, message), TypeError, JSON.stringify(message));
          await assert.rejects(layer.groupSend('room', message), TypeError, JSON.stringify(message));
        }
      });

      it('receives only on channels this process made', async () => {
        const layer = await make();
        const other = await make();
        await assert.rejects(layer.receive('plain-name'), TypeError);
        await assert.rejects(layer.receive(await other.newChannel()), /belongs to process/);
      });

      it('adds a channel to groups only in the process that made it', async () => {
        const layer = await make();
        const other = await make();
        await assert.rejects(layer.groupAdd('room', await other.newChannel()), /belongs to process/);
      });
    });

    describe('send and receive', () => {
      it('delivers messages in the order they were sent', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        for (let i = 0; i < 10; i++) await layer.send(channel, msg('n', { i }));
        for (let i = 0; i < 10; i++) assert.deepEqual(await receiveSoon(layer, channel), msg('n', { i }));
      });

      it('receive waits for a message sent later', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        const waiting = layer.receive(channel);
        assert.ok(await stillPending(waiting, 50), 'receive resolved with nothing sent');
        await layer.send(channel, msg('late'));
        assert.deepEqual(await within(waiting, 2000, 'the late message'), msg('late'));
      });

      it('waiting receives resolve in the order they were made', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        const waiting = [layer.receive(channel), layer.receive(channel), layer.receive(channel)];
        for (const type of ['a', 'b', 'c']) await layer.send(channel, msg(type));
        const got = await within(Promise.all(waiting), 2000, 'three messages');
        assert.deepEqual(
          got.map((m) => m.type),
          ['a', 'b', 'c'],
        );
      });

      it('counts sent and received messages', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        await layer.send(channel, msg('a'));
        await layer.send(channel, msg('b'));
        await receiveSoon(layer, channel);
        const stats = layer.stats();
        assert.equal(stats.sent, 2);
        assert.equal(stats.received, 1);
        assert.equal(stats.channels, 1);
        assert.equal(stats.lost, 0);
      });
    });

    describe('capacity', () => {
      it('send throws ChannelFull at capacity and accepts again once a message is received', async () => {
        const layer = await make({ capacity: 3 });
        const channel = await layer.newChannel();
        for (let i = 0; i < 3; i++) await layer.send(channel, msg('n', { i }));
        const full = await layer.send(channel, msg('n', { i: 3 })).then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(full instanceof ChannelFull, `expected ChannelFull, got ${String(full)}`);
        assert.equal(full.channel, channel);
        assert.equal(full.capacity, 3);
        await receiveSoon(layer, channel);
        await layer.send(channel, msg('n', { i: 4 }));
      });

      it("a channel made with a capacity of its own holds that many, others keep the layer's; a bad one is a RangeError", async () => {
        const layer = await make({ capacity: 2 });
        const roomy = await layer.newChannel('inbox', { capacity: 5 });
        const plain = await layer.newChannel();
        await layer.groupAdd('room', roomy);
        await layer.groupAdd('room', plain);
        for (let i = 0; i < 5; i++) await layer.groupSend('room', msg('n', { i }));
        const full = await layer.send(roomy, msg('n', { i: 5 })).then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(full instanceof ChannelFull, `expected ChannelFull, got ${String(full)}`);
        assert.equal(full.capacity, 5);
        assert.equal(layer.stats().dropped, 3, 'the plain channel took 2 of the 5');
        for (let i = 0; i < 5; i++) assert.deepEqual(await receiveSoon(layer, roomy), msg('n', { i }));
        await assert.rejects(layer.newChannel('inbox', { capacity: 0 }), RangeError);
        await assert.rejects(layer.newChannel('inbox', { capacity: 1.5 }), /capacity must be a whole number/);
      });

      it('groupSend skips full channels and counts them as dropped, never throwing', async () => {
        const layer = await make({ capacity: 2 });
        const full = await layer.newChannel();
        const open = await layer.newChannel();
        await layer.groupAdd('room', full);
        await layer.groupAdd('room', open);
        await layer.send(full, msg('a'));
        await layer.send(full, msg('b'));
        const result = await layer.groupSend('room', msg('news'));
        assert.equal(result.delivered, 1);
        assert.equal(result.dropped, 1);
        assert.equal(layer.stats().dropped, 1);
        assert.deepEqual(await receiveSoon(layer, open), msg('news'));
        assert.deepEqual(await receiveSoon(layer, full), msg('a'));
      });
    });

    describe('expiry', () => {
      it('discards a message nobody received within expiry, counts it and frees its place', async () => {
        const layer = await make({ expiry: 0.2, capacity: 1 });
        const channel = await layer.newChannel();
        await layer.send(channel, msg('stale'));
        await sleep(300);
        await layer.send(channel, msg('fresh'));
        assert.deepEqual(await receiveSoon(layer, channel), msg('fresh'));
        assert.equal(layer.stats().expired, 1);
      });

      it('ends a group membership after groupExpiry unless groupAdd renews it', async () => {
        const layer = await make({ groupExpiry: 0.4 });
        const lapsing = await layer.newChannel();
        const renewed = await layer.newChannel();
        await layer.groupAdd('room', lapsing);
        await layer.groupAdd('room', renewed);
        await sleep(200);
        await layer.groupAdd('room', renewed);
        await sleep(300);
        const mid = await layer.groupSend('room', msg('mid'));
        assert.equal(mid.delivered, 1);
        assert.deepEqual(await receiveSoon(layer, renewed), msg('mid'));
        assert.equal(layer.stats().groups, 1);
        await sleep(250);
        assert.equal((await layer.groupSend('room', msg('late'))).delivered, 0);
        assert.equal(layer.stats().groups, 0);
      });
    });

    describe('groups', () => {
      it('groupSend reaches each member once; groupDiscard takes one out', async () => {
        const layer = await make();
        const [a, b] = [await layer.newChannel(), await layer.newChannel()];
        await layer.groupAdd('room', a);
        await layer.groupAdd('room', a);
        await layer.groupAdd('room', b);
        assert.equal((await layer.groupSend('room', msg('one'))).delivered, 2);
        assert.deepEqual(await receiveSoon(layer, a), msg('one'));
        assert.deepEqual(await receiveSoon(layer, b), msg('one'));
        await layer.groupDiscard('room', a);
        assert.equal((await layer.groupSend('room', msg('two'))).delivered, 1);
        assert.deepEqual(await receiveSoon(layer, b), msg('two'));
        assert.ok(await stillPending(layer.receive(a), 50), 'a discarded channel still got a group message');
      });

      it('a group with no members delivers nothing; discarding a non-member does nothing', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        const result = await layer.groupSend('empty', msg('x'));
        assert.equal(result.delivered, 0);
        assert.equal(result.dropped, 0);
        await layer.groupDiscard('empty', channel);
        assert.equal(layer.stats().groups, 0);
      });

      it('a channel in several groups gets the messages of each', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        await layer.groupAdd('one', channel);
        await layer.groupAdd('two', channel);
        await layer.groupSend('one', msg('from-one'));
        await layer.groupSend('two', msg('from-two'));
        assert.deepEqual([(await receiveSoon(layer, channel)).type, (await receiveSoon(layer, channel)).type], ['from-one', 'from-two']);
        assert.equal(layer.stats().groups, 2);
      });
    });

    describe('across instances (two processes)', () => {
      // Each backend runs the cases that describe it; the others are not registered at all.
      const shared = (title: string, fn: () => Promise<void>): void => {
        if (sharesAcrossInstances) it(title, fn);
      };
      const separate = (title: string, fn: () => Promise<void>): void => {
        if (!sharesAcrossInstances) it(title, fn);
      };

      shared("a group spans instances; groupSend counts only the sender's own members", async () => {
        const [a, b] = [await make(), await make()];
        const [ca, cb] = [await a.newChannel(), await b.newChannel()];
        await a.groupAdd('room', ca);
        await b.groupAdd('room', cb);
        const result = await a.groupSend('room', msg('hello'));
        assert.equal(result.delivered, 1);
        assert.deepEqual(await receiveSoon(a, ca), msg('hello'));
        assert.deepEqual(await receiveSoon(b, cb), msg('hello'));
        assert.ok(await stillPending(a.receive(ca), 100), "the sender's member got the message twice");
      });

      shared('send reaches a channel another instance made', async () => {
        const [a, b] = [await make(), await make()];
        const cb = await b.newChannel();
        await a.send(cb, msg('direct', { n: 1 }));
        assert.deepEqual(await receiveSoon(b, cb), msg('direct', { n: 1 }));
        assert.equal(a.stats().sent, 1);
      });

      shared("a send to another instance's channel with a capacity of its own is refused with ChannelFull at that capacity", async () => {
        const [a, b] = [await make({ capacity: 1 }), await make({ capacity: 1 })];
        const cb = await b.newChannel('inbox', { capacity: 3 });
        for (let i = 0; i < 3; i++) await a.send(cb, msg('direct', { i }));
        const full = await a.send(cb, msg('direct', { i: 3 })).then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(full instanceof ChannelFull, `expected ChannelFull, got ${String(full)}`);
        assert.equal(full.capacity, 3);
        for (let i = 0; i < 3; i++) assert.deepEqual(await receiveSoon(b, cb), msg('direct', { i }));
      });

      separate("instances share nothing: a send to another instance's channel is refused", async () => {
        const [a, b] = [await make(), await make()];
        await assert.rejects(a.send(await b.newChannel(), msg('x')), /belongs to process/);
        const cb = await b.newChannel();
        await b.groupAdd('room', cb);
        assert.equal((await a.groupSend('room', msg('x'))).delivered, 0);
      });
    });

    describe('flush', () => {
      it('drops queued messages and groups; a waiting receive gets later messages', async () => {
        const layer = await make();
        const [queued, waiting] = [await layer.newChannel(), await layer.newChannel()];
        await layer.send(queued, msg('old'));
        await layer.groupAdd('room', queued);
        const pending = layer.receive(waiting);
        await layer.flush();
        assert.equal((await layer.groupSend('room', msg('x'))).delivered, 0);
        assert.equal(layer.stats().groups, 0);
        await layer.send(queued, msg('new'));
        assert.deepEqual(await receiveSoon(layer, queued), msg('new'));
        await layer.send(waiting, msg('later'));
        assert.deepEqual(await within(pending, 2000, 'the waiting receive'), msg('later'));
      });
    });

    describe('close', () => {
      it('rejects a waiting receive with an error naming the channel', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        // Caught at once: a close that takes a while must not leave the rejection unhandled meanwhile.
        const waiting = layer.receive(channel).then(
          () => assert.fail('receive resolved after close'),
          (error: unknown) => error,
        );
        await layer.close();
        const error = await within(waiting, 2000, 'the rejection');
        assert.ok(error instanceof Error);
        assert.match(error.message, /closed/);
        assert.ok(error.message.includes(channel), error.message);
      });

      it('refuses calls after close, and closing twice is harmless', async () => {
        const layer = await make();
        const channel = await layer.newChannel();
        await layer.close();
        await layer.close();
        await assert.rejects(layer.send(channel, msg('x')), /closed/);
        await assert.rejects(layer.groupSend('room', msg('x')), /closed/);
        await assert.rejects(layer.newChannel(), /closed/);
      });
    });
  });
}
