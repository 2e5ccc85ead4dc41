import assert from 'node:assert/strict';
import { ChannelGroups } from '../../../lib/channels/channel-groups';

function queuedDeadlines(groups: ChannelGroups): number {
  return (groups as unknown as { deadlines: { length: number } }).deadlines.length;
}

describe('ChannelGroups', () => {
  it('keeps discarded memberships from piling up in the expiry queue', () => {
    const groups = new ChannelGroups(60_000, undefined);
    for (let i = 0; i < 5000; i++) {
      groups.add(`g${i % 7}`, 'specific.p!1', performance.now());
      groups.discard(`g${i % 7}`, 'specific.p!1');
    }
    assert.equal(groups.size, 0);
    const queued = queuedDeadlines(groups);
    assert.ok(queued <= 2100, `${queued} deadline entries for 0 memberships`);
  });

  it('queues a deadline for a new membership only, and renews an existing one in place', () => {
    const groups = new ChannelGroups(1000, undefined);
    assert.equal(groups.add('room', 'a', 0), true);
    assert.equal(groups.add('room', 'a', 500), false);
    assert.equal(queuedDeadlines(groups), 1);
    groups.sweep(1000); // the first deadline passes, but the renewal moved it to 1500
    assert.deepEqual(groups.names(), ['room']);
    assert.equal(groups.next(), 1500);
    groups.sweep(1500);
    assert.deepEqual(groups.names(), []);
  });

  it('tells the lifecycle when a group opens and closes, by discard, expiry or clear', () => {
    const events: string[] = [];
    const groups = new ChannelGroups(1000, { opened: (g) => events.push(`+${g}`), closed: (g) => events.push(`-${g}`) });
    groups.add('a', 'x', 0);
    groups.add('a', 'y', 0);
    groups.discard('a', 'x');
    groups.discard('a', 'y');
    groups.add('b', 'x', 0);
    const membership = groups.members('b')?.get('x');
    assert.ok(membership);
    groups.expire(membership);
    groups.add('c', 'x', 0);
    groups.clear();
    assert.deepEqual(events, ['+a', '-a', '+b', '-b', '+c', '-c']);
  });
});
