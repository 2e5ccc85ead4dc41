/**
 * One copy of each string a pool has seen, up to a bound. Node parses each request into fresh
 * strings, so strings that many long-lived connections keep (header values, paths) would
 * otherwise exist once per connection. Past `limit` entries the pool stops growing: a flood of
 * unique values costs at most that much, and the values pooled before it stay shared.
 *
 * @example
 * const paths = new StringPool(256);
 * const path = paths.share(req.url); // the first copy seen of this URL
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  constructor(private readonly limit: number) {}

  /** The pool's copy of `value` (equal to it), adding `value` if there is room. */
  share(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size < this.limit) this.strings.set(value, value);
    return value;
  }
}
