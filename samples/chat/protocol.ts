/**
 * The chat's wire protocol: the commands a client sends, as JSON Schemas that validate them and
 * the TypeScript types read off those schemas, and the lines the server broadcasts.
 */
import type { FromSchema } from '../../index';

/** Room ids are URL-ish labels the page shows as `#id`: keep them plain. */
const roomId = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$' } as const;

/**
 * Every command may carry a `requestId` (the client's `request()` adds one); the reply to it,
 * error replies included, carries `replyTo` with the same number.
 */
const requestId = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

/** Presence states the page offers; anything else is a typo worth an error reply. */
export const STATUSES = ['online', 'away', 'busy'] as const;

const joinCommand = {
  type: 'object',
  properties: { type: { const: 'join' }, room: roomId, requestId },
  required: ['type', 'room'],
  additionalProperties: false,
} as const;

const leaveCommand = {
  type: 'object',
  properties: { type: { const: 'leave' }, room: roomId, requestId },
  required: ['type', 'room'],
  additionalProperties: false,
} as const;

const sayCommand = {
  type: 'object',
  // At least one non-space character: an empty-looking line is not a message.
  properties: { type: { const: 'say' }, room: roomId, text: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' }, requestId },
  required: ['type', 'room', 'text'],
  additionalProperties: false,
} as const;

const typingCommand = {
  type: 'object',
  properties: { type: { const: 'typing' }, room: roomId, typing: { type: 'boolean' }, requestId },
  required: ['type', 'room', 'typing'],
  additionalProperties: false,
} as const;

const statusCommand = {
  type: 'object',
  properties: { type: { const: 'status' }, status: { enum: STATUSES }, requestId },
  required: ['type', 'status'],
  additionalProperties: false,
} as const;

const historyCommand = {
  type: 'object',
  // The shape of history ids (`<epoch>:<offset>`); a malformed one is a validation error, not a store error.
  properties: { type: { const: 'history' }, room: roomId, after: { type: 'string', pattern: '^[0-9a-z]{1,24}:\\d{1,15}$' }, requestId },
  required: ['type', 'room'],
  additionalProperties: false,
} as const;

/** The heartbeat of clients that cannot see WebSocket pings (browsers): answered with `{type: 'pong'}`. */
const pingCommand = {
  type: 'object',
  properties: { type: { const: 'ping' }, requestId },
  required: ['type'],
  additionalProperties: false,
} as const;

const branches = [joinCommand, leaveCommand, sayCommand, typingCommand, statusCommand, historyCommand, pingCommand] as const;

/**
 * Every command, discriminated on `type`. Written as `if type is X then X's schema` rather than
 * `oneOf`: ajv then reports only the matching branch's problem ("/text must NOT have more than
 * 500 characters"), where `oneOf` would lead with every other branch's "must be equal to constant".
 */
export const commandSchema = {
  type: 'object',
  properties: { type: { enum: branches.map((branch) => branch.properties.type.const) } },
  required: ['type'],
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords
  allOf: branches.map((branch) => ({ if: { properties: { type: branch.properties.type } }, then: branch })),
} as const;

/** What `commandSchema` accepts, as a TypeScript union (each branch's type read off its schema). */
export type ChatCommand = FromSchema<(typeof branches)[number]>;

/** Who a chat message or typing notice is from. */
export interface Author {
  readonly id: string;
  readonly name: string;
}

/** A chat line as broadcast and kept in history; the manager adds `id` when it stores it. */
export interface ChatLine {
  readonly type: 'message';
  readonly room: string;
  readonly from: Author;
  readonly text: string;
  /** ISO time the server took it. */
  readonly at: string;
}

/**
 * The `requestId` a message carried, if it is a usable one (a positive integer): what a reply's
 * `replyTo` echoes. Read off raw input too, for error replies to messages that failed validation.
 */
export function requestIdOf(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const id = (message as { requestId?: unknown }).requestId;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

// ——— what the server sends ———

const author = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' } },
  required: ['id', 'name'],
} as const;

const presenceUser = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, status: { type: 'string' }, metadata: { type: 'object' } },
  required: ['id', 'name', 'status'],
} as const;

const room = {
  type: 'object',
  properties: { id: roomId, name: { type: 'string' }, description: { type: 'string' }, isPrivate: { type: 'boolean' } },
  required: ['id', 'name'],
} as const;

/** A reply to a command that carried `requestId` carries it back as `replyTo`. */
const replyTo = { type: 'integer', minimum: 1, description: 'The requestId of the command this answers' } as const;

const reply = (type: string, properties: Record<string, unknown> = {}, required: readonly string[] = []) => ({
  type: 'object',
  properties: { type: { const: type }, ...properties, replyTo },
  required: ['type', ...required],
});

const chatLine = {
  type: 'object',
  properties: {
    type: { const: 'message' },
    id: { type: 'string' },
    room: roomId,
    from: author,
    text: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
  },
  required: ['type', 'room', 'from', 'text', 'at'],
} as const;

/**
 * Every message the server sends on `/ws`, by `type`: the route declares them (`sends`), so the
 * app's AsyncAPI document lists them beside the commands.
 */
export const serverMessages = {
  welcome: reply(
    'welcome',
    {
      user: presenceUser,
      rooms: { type: 'array', items: room },
      users: { type: 'array', items: presenceUser },
      memberOf: { type: 'array', items: roomId },
    },
    ['user', 'rooms', 'users'],
  ),
  presence: reply(
    'presence',
    { event: { enum: ['joined', 'left', 'status'] }, user: presenceUser, users: { type: 'array', items: presenceUser } },
    ['event', 'user', 'users'],
  ),
  members: reply('members', { room: roomId, members: { type: 'array', items: { type: 'string' } } }, ['room', 'members']),
  rooms: reply('rooms', { rooms: { type: 'array', items: room } }, ['rooms']),
  joined: reply('joined', { room: roomId, members: { type: 'array', items: { type: 'string' } } }, ['room', 'members']),
  left: reply('left', { room: roomId }, ['room']),
  message: chatLine,
  said: reply('said', { room: roomId, id: { type: 'string' } }, ['room', 'id']),
  typing: reply('typing', { room: roomId, user: author, typing: { type: 'boolean' } }, ['room', 'user', 'typing']),
  history: reply(
    'history',
    {
      room: roomId,
      after: { type: ['string', 'null'] },
      messages: { type: 'array', items: chatLine },
      complete: { type: 'boolean' },
      last: { type: 'string' },
    },
    ['room', 'messages', 'complete'],
  ),
  pong: reply('pong'),
  ok: reply('ok'),
  error: reply('error', { detail: { type: 'string' }, errors: { type: 'array', items: { type: 'object' } } }, ['detail']),
} as const;
