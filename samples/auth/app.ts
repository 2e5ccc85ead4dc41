/**
 * Token auth and subprotocol enforcement as event hooks, after API Star's `on_request`
 * examples, plus its `on_response` example (a goodbye message before the close) as a hook class.
 * `/chat` refuses before the upgrade (HTTP 401 without a valid token, 400 without `chat.v1`);
 * `/browser/chat` accepts and then closes (3000, 1002), which browsers can read.
 *
 *   npx tsc -p . && node dist/samples/auth/app.js     # PORT (8000) and HOST (127.0.0.1) apply
 *   # then connect to ws://127.0.0.1:8000/chat offering subprotocol chat.v1, with
 *   # 'Authorization: Bearer alice-token' (README.md has ready-made clients)
 */
import {
  App,
  component,
  HTTPException,
  Include,
  inject,
  Scope,
  Subprotocols,
  status,
  TokenAuth,
  User,
  WebSocket,
  WebSocketRoute,
} from '../../index';

/** The demo's whole user database: bearer token → user. */
export const DEMO_USERS: Readonly<Record<string, User>> = {
  'alice-token': new User('alice', 'Alice', { role: 'admin' }),
  'bob-token': new User('bob', 'Bob'),
};

export const SUBPROTOCOL = 'chat.v1';

/** What a client sends to end the chat; the handler then returns and the hooks say goodbye. */
export const BYE = 'bye';

/**
 * Who each connection signed in as. Kept here rather than in a TokenAuth: the app takes one
 * `User` component, and a TokenAuth's own `auth.user` only knows the users that instance
 * verified, so it cannot serve two TokenAuths with different refusal modes.
 */
const signedIn = new WeakMap<Scope, User>();

function verify(token: string, scope: Scope): User | null {
  const user = Object.hasOwn(DEMO_USERS, token) ? DEMO_USERS[token] : null;
  if (user) signedIn.set(scope, user);
  return user;
}

const currentUser = component(User, [Scope], (scope) => {
  const user = signedIn.get(scope);
  if (!user) throw new HTTPException(status.HTTP_401_UNAUTHORIZED, 'Authentication required');
  return user;
});

/** Greets the user by name, then echoes every message until the client sends `bye` or leaves. */
const chat = inject([WebSocket, User], async (ws, user) => {
  // The Subprotocols hook already chose chat.v1; accept() sends it back.
  await ws.accept();
  await ws.sendJson({ greeting: `Hello, ${user.name}!`, subprotocol: ws.subprotocol ?? null });
  for await (const message of ws) {
    if (message === BYE) return;
    await ws.send(message);
  }
});

/**
 * API Star's `on_response` example: runs once after the handler returns, not per message. If
 * the handler left the socket open, the client gets a last JSON message before the close.
 */
export class Goodbye {
  // Its `WebSocket` parameter means nothing on an HTTP route.
  readonly appliesTo = ['websocket'] as const;

  @inject([WebSocket])
  async onResponse(ws: WebSocket): Promise<void> {
    if (ws.connected) await ws.sendJson({ status: 'ok', message: 'Have a nice Day!' });
  }
}

/** What `/chat` sends: the greeting, each message echoed as it came, and the goodbye before the close. */
const chatOptions = {
  summary: 'An echo chat for signed-in users (subprotocol chat.v1); send "bye" to end it',
  sends: {
    greeting: {
      type: 'object',
      properties: { greeting: { type: 'string' }, subprotocol: { type: ['string', 'null'] } },
      required: ['greeting', 'subprotocol'],
    },
    echo: { type: 'string', description: 'A message echoed back, in the frame type it came in' },
    goodbye: { type: 'object', properties: { status: { const: 'ok' }, message: { type: 'string' } }, required: ['status', 'message'] },
  },
} as const;

export function createApp(): App {
  // Clients that can set headers: refused with a plain HTTP answer before any upgrade.
  const apiAuth = new TokenAuth({ verify });
  // Browsers cannot read an HTTP refusal of a WebSocket, only a close code: accept, close 3000.
  const browserAuth = new TokenAuth({ verify, websocket: 'close' });
  const goodbye = new Goodbye();
  return new App({
    routes: [
      new WebSocketRoute('/chat', chat, { ...chatOptions, hooks: [apiAuth, new Subprotocols([SUBPROTOCOL]), goodbye] }),
      // Subprotocols first: a client without chat.v1 gets 1002 whatever its token, and an auth
      // refusal's accept-then-close already names chat.v1.
      new Include('/browser', [new WebSocketRoute('/chat', chat, { ...chatOptions, name: 'browserChat', hooks: [goodbye] })], {
        hooks: [new Subprotocols([SUBPROTOCOL], { refuse: 'close' }), browserAuth],
      }),
    ],
    components: [currentUser],
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8000);
  const host = process.env.HOST ?? '127.0.0.1';
  createApp()
    .listen(port, host)
    .then(() => {
      console.log(`auth sample on ws://${host}:${port} (/chat, /browser/chat; tokens: ${Object.keys(DEMO_USERS).join(', ')})`);
    });
}
