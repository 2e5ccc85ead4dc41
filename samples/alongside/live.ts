/**
 * The Starwire side of both alongside samples: everything under `/live`. A JSON echo over
 * WebSocket (`/live/echo`) and an HTTP route reporting the open WebSocket count
 * (`/live/status`). Express or Fastify answer every other path.
 */
import { App, Include, inject, Message, Route, Scope, WebSocketRoute } from '../../index';

/** Where the Starwire app's routes live on the shared server. */
export const LIVE_PREFIX = '/live';

const echoSchema = {
  type: 'object',
  properties: { text: { type: 'string', maxLength: 1000 } },
  required: ['text'],
  additionalProperties: false,
} as const;

/** A message handler: runs once per valid JSON message, and its return value is the reply. */
const echo = inject([Message(echoSchema)], (message) => ({ echo: message.text }));

const status = inject([Scope], (scope) => ({ service: 'starwire', open: scope.app.stats().open }));

/**
 * The app both samples serve next to their framework.
 *
 * @example
 * const app = createLiveApp();
 * app.attach(server); // WebSocket routes; HTTP routes go through app.requestListener
 */
export function createLiveApp(): App {
  return new App({
    routes: [
      new Include(LIVE_PREFIX, [
        new Route('/status', 'GET', status, {
          summary: 'How many WebSockets are open',
          responses: {
            200: {
              type: 'object',
              properties: { service: { const: 'starwire' }, open: { type: 'integer' } },
              required: ['service', 'open'],
            },
          },
        }),
        new WebSocketRoute('/echo', echo, {
          summary: 'Echoes the text of JSON messages',
          sends: { echo: { type: 'object', properties: { echo: { type: 'string' } }, required: ['echo'] } },
        }),
      ]),
    ],
  });
}

/**
 * True for request URLs the Starwire app routes; the framework answers the rest.
 *
 * @example
 * isLivePath('/live/status?x=1'); // true
 * isLivePath('/lively');          // false
 */
export function isLivePath(url: string): boolean {
  return url === LIVE_PREFIX || url.startsWith(`${LIVE_PREFIX}/`) || url.startsWith(`${LIVE_PREFIX}?`);
}
