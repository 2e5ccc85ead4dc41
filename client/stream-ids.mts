/**
 * History ids as Redis streams write them, `<ms>-<seq>`, compared as the pair of numbers they
 * are ("10-0" follows "9-5"; as strings it would not).
 */
const ID = /^(\d{1,15})-(\d{1,15})$/;

/** Whether `id` is a `<ms>-<seq>` id the client can order. */
export function isStreamId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/** Negative, zero or positive as `a` comes before, is, or comes after `b`. Both must be stream ids. */
export function compareStreamIds(a: string, b: string): number {
  const [, aMs, aSeq] = ID.exec(a) ?? [];
  const [, bMs, bSeq] = ID.exec(b) ?? [];
  return Number(aMs) - Number(bMs) || Number(aSeq) - Number(bSeq);
}

/** Whether `id` comes after `last` (anything does when there is no `last`). */
export function isAfter(id: string, last: string | undefined): boolean {
  return last === undefined || compareStreamIds(id, last) > 0;
}
