import type { WebSocket } from '../websocket/websocket';

/**
 * The sockets this process holds, by user and by path: what a broadcast arriving here is
 * delivered to. Other processes keep their own.
 */
export class LocalSockets {
  private readonly byUser = new Map<string, Set<WebSocket>>();
  private readonly byPath = new Map<string, Set<WebSocket>>();
  private readonly owners = new Map<WebSocket, string>();

  get size(): number {
    return this.owners.size;
  }

  add(userId: string, ws: WebSocket): boolean {
    if (this.owners.has(ws)) return false;
    this.owners.set(ws, userId);
    add(this.byUser, userId, ws);
    add(this.byPath, ws.path, ws);
    return true;
  }

  /** Forgets a socket; `userId` is undefined when it was not registered. */
  remove(ws: WebSocket): { userId: string | undefined; lastOfUser: boolean } {
    const userId = this.owners.get(ws);
    if (userId === undefined) return { userId, lastOfUser: false };
    this.owners.delete(ws);
    remove(this.byPath, ws.path, ws);
    return { userId, lastOfUser: remove(this.byUser, userId, ws) };
  }

  ofUser(userId: string): ReadonlySet<WebSocket> | undefined {
    return this.byUser.get(userId);
  }

  ofPath(path: string): ReadonlySet<WebSocket> | undefined {
    return this.byPath.get(path);
  }

  userOf(ws: WebSocket): string | undefined {
    return this.owners.get(ws);
  }

  hasUser(userId: string): boolean {
    return this.byUser.has(userId);
  }

  users(): IterableIterator<string> {
    return this.byUser.keys();
  }

  all(): IterableIterator<WebSocket> {
    return this.owners.keys();
  }
}

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

/** Removes `value`; true when that emptied the key's set. */
function remove<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set) return false;
  set.delete(value);
  if (set.size > 0) return false;
  map.delete(key);
  return true;
}
