import { type Provider, Token } from '../lib/inject/token';

/**
 * The id of the last Server-Sent Event a reconnecting client saw: the `Last-Event-ID` header a
 * browser's `EventSource` sends when it reconnects, or, for polyfills that cannot set headers,
 * the `lastEventId` query parameter; `undefined` on a first connection. It is what the client
 * says, unchecked: pass it to `realtime.roomEventStream()`, which checks it, or check it yourself.
 *
 * @example
 * new Route('/rooms/{room}/events', 'GET', inject([PathParam('room'), LastEventId, RealtimeManager],
 *   (room, lastEventId, realtime) => realtime.roomEventStream(room, { lastEventId })));
 */
export class LastEventIdToken extends Token<string | undefined> {
  readonly label = 'LastEventId';

  compile(): Provider<string | undefined> {
    return (connection) => {
      const scope = connection.scope;
      const header = Object.hasOwn(scope.headers, 'last-event-id') ? scope.headers['last-event-id'] : undefined;
      const value = header ?? (Object.hasOwn(scope.query, 'lastEventId') ? scope.query.lastEventId : undefined);
      const first = Array.isArray(value) ? value[0] : value;
      return first === '' ? undefined : first;
    };
  }
}

/**
 * The `Last-Event-ID` header (or `?lastEventId=`) of an SSE reconnect; see `LastEventIdToken`.
 *
 * @example
 * inject([LastEventId], (lastEventId) => new EventStream(events(after(lastEventId))));
 */
export const LastEventId = new LastEventIdToken();
