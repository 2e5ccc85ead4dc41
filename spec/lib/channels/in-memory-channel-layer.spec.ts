import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelMessage } from '../../../lib/channels/channel-layer';
import { channelProcess } from '../../../lib/channels/channel-layer';
import { InMemoryChannelLayer } from '../../../lib/channels/in-memory-channel-layer';
import { channelLayerContract, within } from '../../support/channel-layer-contract';

channelLayerContract('InMemoryChannelLayer', (options) => new InMemoryChannelLayer(options), { sharesAcrossInstances: false });

describe('InMemoryChannelLayer', () => {
  const layers: InMemoryChannelLayer[] = [];
  const make = (options?: ConstructorParameters<typeof InMemoryChannelLayer>[0]): InMemoryChannelLayer => {
    const layer = new InMemoryChannelLayer(options);
    layers.push(layer);
    return layer;
  };
  afterEach(async () => {
    await Promise.all(layers.splice(0).map((layer) => layer.close()));
  });

  it('names channels prefix.<process>!<id> with the process it was given', async () => {
    const layer = make({ processName: 'web-1' });
    const channel = await layer.newChannel('chat');
    assert.match(channel, /^chat\.web-1!/);
    assert.equal(channelProcess(channel), 'web-1');
    assert.equal(channelProcess('no-process'), undefined);
    assert.equal(channelProcess('a.!x'), undefined);
  });

  it('refuses options that would misbehave later, naming them', () => {
    assert.throws(() => new InMemoryChannelLayer({ capacity: 0 }), /capacity/);
    assert.throws(() => new InMemoryChannelLayer({ capacity: 1.5 }), /capacity/);
    assert.throws(() => new InMemoryChannelLayer({ expiry: -1 }), /expiry/);
    assert.throws(() => new InMemoryChannelLayer({ groupExpiry: Infinity }), /groupExpiry/);
    assert.throws(() => new InMemoryChannelLayer({ processName: 'has.dot' }), TypeError);
  });

  it('expires unreceived messages on its own timer, with no call to notice them', async () => {
    const layer = make({ expiry: 0.1 });
    const channel = await layer.newChannel();
    await layer.send(channel, { type: 'a' });
    await layer.send(channel, { type: 'b' });
    assert.equal(layer.stats().channels, 1);
    await sleep(250);
    assert.equal(layer.stats().expired, 2);
    assert.equal(layer.stats().channels, 0, 'an emptied channel is forgotten');
  });

  it('forgets a channel once it holds neither messages nor waiting receives', async () => {
    const layer = make();
    const channel = await layer.newChannel();
    const waiting = layer.receive(channel);
    assert.equal(layer.stats().channels, 1);
    await layer.send(channel, { type: 'x' });
    await within(waiting, 1000, 'the message');
    assert.equal(layer.stats().channels, 0);
  });

  it('tells the group lifecycle once per group: first member in, last member out or lapsed', async () => {
    const events: string[] = [];
    const layer = make({
      groupExpiry: 0.15,
      groupLifecycle: { opened: (group) => events.push(`+${group}`), closed: (group) => events.push(`-${group}`) },
    });
    const channels = [await layer.newChannel(), await layer.newChannel(), await layer.newChannel()];
    for (const channel of channels) await layer.groupAdd('room', channel);
    assert.deepEqual(events, ['+room']);
    await layer.groupDiscard('room', channels[0]);
    await layer.groupDiscard('room', channels[1]);
    assert.deepEqual(events, ['+room']);
    await layer.groupDiscard('room', channels[2]);
    assert.deepEqual(events, ['+room', '-room']);
    await layer.groupAdd('lapsing', channels[0]);
    await sleep(300);
    assert.deepEqual(events, ['+room', '-room', '+lapsing', '-lapsing']);
    assert.equal(layer.stats().groups, 0);
  });

  it('shares one message object among the members of a group (serialise nothing in memory)', async () => {
    const layer = make();
    const [a, b] = [await layer.newChannel(), await layer.newChannel()];
    await layer.groupAdd('room', a);
    await layer.groupAdd('room', b);
    const message: ChannelMessage = { type: 'x', payload: { n: 1 } };
    await layer.groupSend('room', message);
    assert.equal(await layer.receive(a), message);
    assert.equal(await layer.receive(b), message);
  });

  it('delivers from other processes without counting them sent, dropping (and counting) when full', async () => {
    const layer = make({ capacity: 1 });
    const channel = await layer.newChannel();
    assert.equal(layer.deliver(channel, { type: 'a' }), true);
    assert.equal(layer.deliver(channel, { type: 'b' }), false);
    assert.deepEqual(layer.stats(), { sent: 0, received: 0, dropped: 1, expired: 0, lost: 0, groups: 0, channels: 1 });
  });
});
