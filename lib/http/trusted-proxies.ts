import { isIP, isIPv4 } from 'node:net';

/**
 * The proxies whose `X-Forwarded-For` Starwire believes. Behind nginx every connection comes from
 * the proxy's address, so per-address limits and `scope.client` would all see the proxy; a
 * trusted proxy's header names the real client. Anyone can send the header, so it is read only
 * from peers listed here (`'*'` trusts every peer's own entry: only when nothing but the proxy
 * can reach the app).
 *
 * @example
 * new App({ routes, settings: { trustedProxies: ['127.0.0.1', '::1'] } });
 * // a request from nginx on 127.0.0.1 with "X-Forwarded-For: 203.0.113.7" has scope.client.host "203.0.113.7"
 */
export class TrustedProxies {
  private readonly addresses: ReadonlySet<string>;
  private readonly everyone: boolean;

  constructor(addresses: readonly string[]) {
    for (const address of addresses) {
      if (typeof address !== 'string' || (address !== '*' && isIP(normalize(address)) === 0)) {
        throw new TypeError(`settings.trustedProxies: expected IP addresses or '*', got ${JSON.stringify(address)}`);
      }
    }
    this.everyone = addresses.includes('*');
    this.addresses = new Set(addresses.filter((address) => address !== '*').map(normalize));
  }

  /** Whether any proxy is trusted at all; when none is, the header is never read. */
  get enabled(): boolean {
    return this.everyone || this.addresses.size > 0;
  }

  /** Whether `peer`, the address a connection comes from, is a proxy whose header counts. */
  trusts(peer: string): boolean {
    return this.everyone || this.addresses.has(normalize(peer));
  }

  /**
   * The client's address for a connection from `peer`: walking `X-Forwarded-For` from the right
   * (the hop nearest to us), the first address that is not a listed proxy. Entries to its left
   * were written by whoever sent the request and prove nothing. With `'*'` only the peer is
   * trusted, not the hops it names: the client is the entry the peer itself wrote (the
   * rightmost). A hop that is not an IP address (`unknown`, junk) ends the walk.
   */
  clientOf(peer: string, forwardedFor: string | string[] | undefined): string {
    return this.trusts(peer) ? this.walk(peer, forwardedFor) : peer;
  }

  /** `clientOf` for a peer already known to be trusted. */
  walk(peer: string, forwardedFor: string | string[] | undefined): string {
    if (forwardedFor === undefined) return peer;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((hop) => hop.trim());
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalize(hops[i]);
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.addresses.has(hop)) break;
    }
    return client;
  }
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is 127.0.0.1. */
function normalize(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const mapped = trimmed.startsWith('::ffff:') ? trimmed.slice(7) : trimmed;
  return isIPv4(mapped) ? mapped : trimmed;
}
