import { type ChannelLayer, type ChannelMessage, frameworkMessage } from '../channels/channel-layer';
import { deliveryOf } from '../channels/traced-channel-layer';
import type { WebSocket } from '../websocket/websocket';
import { type Delivery, fanOut } from './fan-out';
import { EchoTickets, stamped } from './history-delivery';
import { groupName as group } from './ids';
import { KeyedQueue } from './keyed-queue';
import { LocalSockets } from './local-sockets';
import { realtimeMessageProblem } from './message-check';
import { MessageRate } from './message-rate';
import {
  ALL,
  type DeliverMessage,
  type MembershipMessage,
  type Publication,
  type Target,
  targetGroup,
  type Unannounced,
} from './realtime-messages';
import type { Appended, HistoryPublication, RealtimeStore } from './store';
import { type Watcher, Watchers } from './watchers';

export type { Publication, Target, Unannounced };

/**
 * This process's side of real-time delivery: the sockets it holds, the rooms and channels its
 * users are in, and its place on the channel layer. A process joins a room's layer group only
 * while one of its users is in the room, so a broadcast reaches just the processes that have
 * someone to deliver it to, each of which fans it out to its own sockets.
 */
export class Switchboard {
  readonly sockets = new LocalSockets();
  /** Event streams listening to rooms and channels in this process. */
  private readonly watchers = new Watchers();
  /** roomId/channelId → local users who are members. */
  private readonly rooms = new Map<string, Set<string>>();
  private readonly channels = new Map<string, Set<string>>();
  private readonly rate = new MessageRate();
  private readonly echoes = new EchoTickets(() => this.processId);
  /** Each user's follows and unfollows, one at a time, so the last to run reads the store's final word. */
  private readonly changes = new KeyedQueue();
  private processChannel: string | undefined;
  private closed = false;
  delivered = 0;
  dropped = 0;
  /** Layer messages dropped because they were not the switchboard's (see realtimeMessageProblem). */
  malformed = 0;
  /** Membership announcements the channel layer did not confirm reaching the other processes. */
  unannounced = 0;

  /**
   * `store` is where memberships are read: what this process follows is what the store says, not
   * what a message said; `report` hears of each message dropped as malformed; `warn` of each
   * announcement other processes may have missed; `inboxCapacity` is the capacity of this
   * process's one channel, which every broadcast from other processes passes through.
   */
  constructor(
    private readonly layer: ChannelLayer,
    private readonly store: Pick<RealtimeStore, 'roomsOf' | 'channelsOf'>,
    private readonly report: (message: string, error: unknown) => void = () => {},
    private readonly warn: (unannounced: Unannounced) => void = () => {},
    private readonly inboxCapacity?: number,
  ) {}

  /** This process's channel on the layer, which also names the process in presence. */
  get processId(): string {
    if (!this.processChannel) throw new Error('RealtimeManager used before start()');
    return this.processChannel;
  }

  get messagesPerSecond(): number {
    return this.rate.perSecond();
  }

  async start(): Promise<void> {
    this.processChannel = await this.layer.newChannel('realtime', { capacity: this.inboxCapacity });
    await this.layer.groupAdd(ALL, this.processChannel);
    void this.listen(this.processChannel);
  }

  /** Serializes once, delivers here at once, and publishes once for the other processes. */
  async publish(target: Target, message: unknown, except: readonly string[], historyId?: string): Promise<Publication> {
    const payload = JSON.stringify(message);
    const delivery = this.deliverLocally(target, payload, except, historyId);
    const deliver = frameworkMessage<DeliverMessage>({
      type: 'realtime.deliver',
      origin: this.processId,
      target,
      payload,
      except,
      historyId,
    });
    const { remote } = await this.layer.groupSend(targetGroup(target), deliver);
    return { ...delivery, remote };
  }

  /**
   * Publishes a message kept in history. Through a Redis layer, `append` (the store) publishes
   * it in the same atomic step as it appends, and every process, this one included, delivers
   * it as it comes from Redis: each room's messages then reach every socket in offset order.
   * Otherwise it is published once appended (one process: appends resolve in order).
   */
  async publishKept(
    target: Target,
    message: unknown,
    except: readonly string[],
    append: (publication?: HistoryPublication) => Promise<Appended>,
  ): Promise<Publication & { id: string }> {
    const layer = this.layer;
    if (!layer.groupPublication) {
      const { id } = await append();
      return { ...(await this.publish(target, stamped(message, id), except, id)), id };
    }
    const group = targetGroup(target);
    const { ticket, delivery, cancel } = this.echoes.issue();
    const publication: HistoryPublication = (id) =>
      layer.groupPublication!(group, {
        type: 'realtime.deliver',
        origin: this.processId,
        target,
        payload: JSON.stringify(stamped(message, id)),
        except,
        ticket,
        historyId: id,
      } satisfies DeliverMessage);
    let appended: Appended;
    try {
      appended = await append(publication);
    } finally {
      // Only a message that went out through Redis comes back.
      if (!this.follows(target)) cancel();
    }
    if (!appended.published) {
      cancel();
      return { ...(await this.publish(target, stamped(message, appended.id), except, appended.id)), id: appended.id };
    }
    return { ...(await delivery), remote: 'sent', id: appended.id };
  }

  /**
   * Tells every process (this one first) that a user joined or left a room or channel. One the
   * layer could not confirm is counted and handed to `warn`: a process holding the user's other
   * sockets may not follow the change until that user's next first socket there.
   */
  async announce(kind: 'room' | 'channel', id: string, userId: string, member: boolean): Promise<void> {
    const message = frameworkMessage<MembershipMessage>({ type: 'realtime.membership', origin: this.processId, kind, id, userId, member });
    await this.receiveMembership(message);
    const { remote } = await this.layer.groupSend(ALL, message);
    if (remote === 'failed' || remote === 'unknown') {
      this.unannounced++;
      this.warn({ kind, id, userId, member, remote });
    }
  }

  /** A user's first socket here: direct messages to the user, and their rooms and channels, now reach this process. */
  welcome(userId: string): Promise<void> {
    return this.changes.run(userId, async () => {
      if (!this.sockets.hasUser(userId)) return;
      await this.layer.groupAdd(group('user', userId), this.processId);
      const [rooms, channels] = await Promise.all([this.store.roomsOf(userId), this.store.channelsOf(userId)]);
      for (const roomId of rooms) await this.follow('room', roomId, userId);
      for (const channelId of channels) await this.follow('channel', channelId, userId);
    });
  }

  /** A user left this process for good: stop following their rooms, channels and direct messages. */
  farewell(userId: string): Promise<void> {
    return this.changes.run(userId, async () => {
      for (const [id, users] of [...this.rooms]) if (users.has(userId)) await this.unfollow('room', id, userId);
      for (const [id, users] of [...this.channels]) if (users.has(userId)) await this.unfollow('channel', id, userId);
      await this.layer.groupDiscard(group('user', userId), this.processId).catch(() => {});
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.processChannel) await this.layer.groupDiscard(ALL, this.processChannel).catch(() => {});
  }

  private async listen(channel: string): Promise<void> {
    while (!this.closed) {
      let message: ChannelMessage;
      try {
        message = await this.layer.receive(channel);
      } catch {
        return;
      }
      // Messages this process sent were applied here already, but for kept ones that come back.
      if (message.origin === channel && message.ticket === undefined) continue;
      // This loop serves every socket of the process: one bad message is dropped and reported, never thrown.
      const problem = realtimeMessageProblem(message);
      if (problem !== undefined) {
        this.malformed++;
        this.report(`Realtime dropped a malformed message from the channel layer: ${problem}`, message);
      } else if (message.type === 'realtime.deliver') {
        const deliver = message as DeliverMessage;
        const deliverHere = () => this.deliverLocally(deliver.target, deliver.payload, deliver.except, deliver.historyId);
        // A traced layer's message continues the publisher's trace in a consumer span here.
        const traced = deliveryOf(message);
        const delivery = traced ? await traced.handle(deliverHere, targetGroup(deliver.target)) : deliverHere();
        if (deliver.ticket !== undefined && deliver.origin === channel) this.echoes.settle(deliver.ticket, delivery);
      } else {
        await this.receiveMembership(message as MembershipMessage).catch(() => {});
      }
    }
  }

  /**
   * Starts handing a room's or channel's broadcasts to `watcher`, following it on the layer;
   * resolves once this process gets them. The returned function stops (and unfollows it when
   * nothing else here needs it).
   */
  async watch(kind: 'room' | 'channel', id: string, watcher: Watcher): Promise<() => Promise<void>> {
    const index = kind === 'room' ? this.rooms : this.channels;
    const unwatch = async (): Promise<void> => {
      if (this.watchers.remove(kind, id, watcher) && !index.has(id)) {
        await this.layer.groupDiscard(group(kind, id), this.processId).catch(() => {});
      }
    };
    try {
      await this.watchers.add(kind, id, watcher, async () => {
        if (!index.has(id)) await this.layer.groupAdd(group(kind, id), this.processId);
      });
    } catch (error) {
      await unwatch();
      throw error;
    }
    return unwatch;
  }

  private deliverLocally(target: Target, text: string, except: readonly string[], historyId: string | undefined): Delivery {
    if (target.kind === 'room' || target.kind === 'channel') this.watchers.notify(target.kind, target.id, text, historyId);
    const payload = Buffer.from(text);
    const sockets = this.sockets;
    const skip = except.length ? (ws: WebSocket) => except.includes(sockets.userOf(ws) ?? '') : undefined;
    let targets: Iterable<WebSocket>;
    switch (target.kind) {
      case 'all':
        targets = sockets.all();
        break;
      case 'path':
        targets = sockets.ofPath(target.id) ?? [];
        break;
      case 'user':
        targets = sockets.ofUser(target.id) ?? [];
        break;
      default:
        targets = this.socketsOfMembers(target.kind === 'room' ? this.rooms : this.channels, target.id);
    }
    const delivery = fanOut(targets, payload, skip);
    this.delivered += delivery.delivered;
    this.dropped += delivery.dropped;
    this.rate.add(delivery.delivered);
    return delivery;
  }

  /** Whether this process follows the room or channel (has members there), so its messages come back here. */
  private follows(target: Target): boolean {
    if (target.kind !== 'room' && target.kind !== 'channel') return false;
    return (target.kind === 'room' ? this.rooms : this.channels).has(target.id) || this.watchers.has(target.kind, target.id);
  }

  private *socketsOfMembers(index: Map<string, Set<string>>, id: string): Iterable<WebSocket> {
    for (const userId of index.get(id) ?? []) yield* this.sockets.ofUser(userId) ?? [];
  }

  /**
   * A membership changed: follow or unfollow as the store now says. Messages from a join and a
   * leave racing each other may arrive in either order; reading the store, one user at a time,
   * makes the last reconciliation (which starts after both writes) agree with it.
   */
  private async receiveMembership(message: MembershipMessage): Promise<void> {
    const { kind, id, userId } = message;
    if (!this.sockets.hasUser(userId)) return;
    await this.changes.run(userId, async () => {
      if (!this.sockets.hasUser(userId)) return;
      const member = (await (kind === 'room' ? this.store.roomsOf(userId) : this.store.channelsOf(userId))).includes(id);
      if (member) await this.follow(kind, id, userId);
      else await this.unfollow(kind, id, userId);
    });
  }

  private async follow(kind: 'room' | 'channel', id: string, userId: string): Promise<void> {
    const index = kind === 'room' ? this.rooms : this.channels;
    let users = index.get(id);
    if (!users) {
      index.set(id, (users = new Set()));
      await this.layer.groupAdd(group(kind, id), this.processId);
    }
    users.add(userId);
  }

  private async unfollow(kind: 'room' | 'channel', id: string, userId: string): Promise<void> {
    const index = kind === 'room' ? this.rooms : this.channels;
    const users = index.get(id);
    if (!users?.delete(userId) || users.size > 0) return;
    index.delete(id);
    // Event streams watching it keep the process in the group.
    if (!this.watchers.has(kind, id)) await this.layer.groupDiscard(group(kind, id), this.processId);
  }
}
