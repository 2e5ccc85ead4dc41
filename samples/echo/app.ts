/**
 * WebSocket echo: a handler that owns its socket (`/echo`), message handlers that validate JSON
 * and return their reply (`/echo/json`, `/ping/json`), and API Star's hello-world and ping-pong
 * examples (`/hello`, `/hello/forever`, `/ping`).
 *
 *   npx tsc -p . && node dist/samples/echo/app.js     # PORT (8000) and HOST (127.0.0.1) apply
 *   .venv/bin/python -m websockets ws://127.0.0.1:8000/echo   # any WebSocket client will do;
 *                                                                # README.md has more
 */
import { App, inject, Message, QueryParam, WebSocket, WebSocketDisconnect, WebSocketRoute } from '../../index';

/** Echoes each message in the frame type it came in: text as text, bytes as bytes. */
const echo = inject([WebSocket], async (ws) => {
  await ws.accept();
  // The loop ends when the client closes; returning then closes our side with 1000.
  for await (const message of ws) await ws.send(message);
});

const echoSchema = {
  type: 'object',
  properties: { text: { type: 'string', maxLength: 1000 } },
  required: ['text'],
  additionalProperties: false,
} as const;

/**
 * Runs once per message, already parsed and validated; the returned object goes back as JSON.
 * Bad JSON or a message off the schema closes the socket with 1007 (or, on `/echo/json/lenient`,
 * gets an error reply and the connection stays open).
 */
const echoJson = inject([Message(echoSchema)], (message) => ({ echo: message.text }));

/** What `/echo/json` answers: declared, so the API descriptions and typed clients know it. */
const echoReplySchema = {
  type: 'object',
  properties: { echo: { type: 'string' } },
  required: ['echo'],
  additionalProperties: false,
} as const;

/**
 * `/echo/json`, exported so that a client can be typed by it: `connect<typeof echoJsonRoute>(url)`
 * sends only `{ text: string }` and receives `{ echo: string }` (see docs/client.md).
 */
export const echoJsonRoute = new WebSocketRoute('/echo/json', echoJson, {
  summary: 'Echoes the text of JSON messages',
  sends: { echo: echoReplySchema },
});

const countParam = QueryParam('count', { type: 'integer', minimum: 1, maximum: 1000, default: 100 });

/** API Star's first example: send "Hello World!" `count` times, then return (the socket closes with 1000). */
const hello = inject([WebSocket, countParam], async (ws, count) => {
  await ws.connect();
  for (let i = 0; i < count; i++) await ws.send('Hello World!');
});

const intervalParam = QueryParam('interval', { type: 'integer', minimum: 10, maximum: 60000, default: 1000 });

/** A timestamped greeting every `interval` ms until the client goes away. */
const helloForever = inject([WebSocket, intervalParam], async (ws, interval) => {
  await ws.connect();
  // A send resolves false once the client has closed: for this handler, the normal end.
  for (let index = 0; await ws.sendJson({ index, timestamp: new Date().toISOString(), text: 'Hello World!' }); index++) {
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
});

/** Ping-pong until the client goes away: a receive after it left throws WebSocketDisconnect. */
const pingPong = inject([WebSocket], async (ws) => {
  await ws.connect();
  try {
    for (;;) {
      await ws.receive();
      await ws.send('pong');
    }
  } catch (error) {
    if (!(error instanceof WebSocketDisconnect)) throw error;
  }
});

/** The JSON ping-pong, as a message handler: no loop and no disconnect handling to write. */
const pingPongJson = inject([Message()], () => ({ paddle: 'pong' }));

export function createApp(): App {
  return new App({
    routes: [
      new WebSocketRoute('/echo', echo, { summary: 'Echoes each frame as it came (text or bytes)' }),
      echoJsonRoute,
      new WebSocketRoute('/echo/json/lenient', echoJson, {
        summary: 'As /echo/json; an invalid message gets an error reply instead of a close',
        onInvalidMessage: 'reply',
        sends: { echo: echoReplySchema },
      }),
      new WebSocketRoute('/hello', hello, {
        summary: 'Sends "Hello World!" count times, then closes',
        sends: { hello: { const: 'Hello World!' } },
      }),
      new WebSocketRoute('/hello/forever', helloForever, {
        summary: 'A timestamped greeting every interval ms',
        sends: {
          greeting: {
            type: 'object',
            properties: { index: { type: 'integer' }, timestamp: { type: 'string', format: 'date-time' }, text: { type: 'string' } },
            required: ['index', 'timestamp', 'text'],
          },
        },
      }),
      new WebSocketRoute('/ping', pingPong, { summary: 'Answers every frame with "pong"', sends: { pong: { const: 'pong' } } }),
      new WebSocketRoute('/ping/json', pingPongJson, {
        summary: 'Answers every JSON message with {"paddle": "pong"}',
        sends: { pong: { type: 'object', properties: { paddle: { const: 'pong' } }, required: ['paddle'] } },
      }),
    ],
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8000);
  const host = process.env.HOST ?? '127.0.0.1';
  createApp()
    .listen(port, host)
    .then(() => {
      console.log(`echo sample on ws://${host}:${port} (/echo, /echo/json, /hello, /hello/forever, /ping, /ping/json)`);
    });
}
