import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisChannelLayer, type RedisChannelLayerOptions } from '../../lib/channels/redis-channel-layer';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** RedisChannelLayers for one spec file: its own key prefix, and every layer it opened, to close. */
export interface LayerOpener {
  /** Every layer opened here publishes under it, so runs never see each other's traffic. */
  readonly prefix: string;
  /** The layers opened and not yet closed; a spec may add layers it made itself. */
  readonly opened: RedisChannelLayer[];
  open(options?: RedisChannelLayerOptions): Promise<RedisChannelLayer>;
  closeAll(): Promise<void>;
}

export function layerOpener(prefix = `sw-test-${randomBytes(4).toString('hex')}`): LayerOpener {
  const opened: RedisChannelLayer[] = [];
  return {
    prefix,
    opened,
    async open(options = {}) {
      const layer = new RedisChannelLayer({ url: REDIS_URL, prefix, connectTimeoutMs: 3000, ...options });
      opened.push(layer);
      await layer.ready();
      return layer;
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((layer) => layer.close()));
    },
  };
}

/** How many subscribers Redis counts on `channel`. */
export async function numsub(client: Redis, channel: string): Promise<number> {
  const reply = await client.call('PUBSUB', 'NUMSUB', channel);
  assert.ok(Array.isArray(reply) && reply.length === 2, `PUBSUB NUMSUB replied ${String(reply)}`);
  return Number(reply[1]);
}

/** Kills the connections named `name` (CLIENT SETNAME) on the Redis `client` talks to; resolves to how many. */
export async function killClient(client: Redis, name: string): Promise<number> {
  const list =
    String(await client.call('CLIENT', 'LIST', 'TYPE', 'normal')) + String(await client.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  const ids = list
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=', 2))))
    .filter((fields) => fields.name === name)
    .map((fields) => String(fields.id));
  let killed = 0;
  for (const id of ids) killed += Number(await client.call('CLIENT', 'KILL', 'ID', id));
  return killed;
}
