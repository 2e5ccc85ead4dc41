/**
 * History ids, `<epoch>:<offset>`: offsets count 1, 2, 3… without gaps within an epoch, and
 * a history that loses what it held starts a new epoch. Epochs begin with the time they began
 * in base 36, so they order by length, then as strings.
 */
const ID = /^([0-9a-z]{1,24}):(\d{1,15})$/;

/** Where a history id stands: its epoch and its offset in it. */
export interface StreamPosition {
  readonly epoch: string;
  readonly offset: number;
}

/**
 * Whether `id` is an `<epoch>:<offset>` id the client can place.
 *
 * @example
 * client.on('message', (message) => { if (isStreamId(message.id)) lastSeen = message.id; });
 */
export function isStreamId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/**
 * The epoch and offset of `id`, or undefined when it is not a history id.
 *
 * @example
 * parseStreamId('mxa7143f:42');   // { epoch: 'mxa7143f', offset: 42 }
 * parseStreamId('42');            // undefined
 */
export function parseStreamId(id: string): StreamPosition | undefined {
  const match = ID.exec(id);
  return match ? { epoch: match[1], offset: Number(match[2]) } : undefined;
}

/**
 * Negative, zero or positive as `a` comes before, is, or comes after `b`: by epoch, then by
 * offset ("e:10" follows "e:9"; as strings it would not). Anything that is not a history id
 * comes before every id.
 *
 * @example
 * compareStreamIds('e:10', 'e:9');   // > 0
 * ids.sort(compareStreamIds);
 */
export function compareStreamIds(a: string, b: string): number {
  const x = parseStreamId(a) ?? { epoch: '', offset: 0 };
  const y = parseStreamId(b) ?? { epoch: '', offset: 0 };
  if (x.epoch !== y.epoch) return x.epoch.length - y.epoch.length || (x.epoch < y.epoch ? -1 : 1);
  return x.offset - y.offset;
}
