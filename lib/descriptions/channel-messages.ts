import type { JsonSchema } from '../inject/schema';
import type { WebSocketRoute } from '../routing/routes';
import { messagesByType } from './message-types';
import type { DescribedRoute } from './route-walker';

/** One message of a channel: its key in the channel's `messages`, content type and payload. */
export interface ChannelMessage {
  readonly key: string;
  readonly name: string;
  readonly contentType: string;
  readonly payload: JsonSchema;
  readonly description?: string;
}

/** The reply `onInvalidMessage: 'reply'` sends (lib/errors/error-table.ts, `errorReply`). */
const ERROR_REPLY: JsonSchema = {
  type: 'object',
  properties: {
    type: { const: 'error' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object' } },
  },
  required: ['type', 'detail', 'errors'],
};

/** A string the server sends as it is, in a text frame (`ws.send('pong')`), not as JSON. */
const isText = (schema: JsonSchema): boolean => schema.type === 'string' || typeof schema.const === 'string';

const keyOf = (name: string): string => name.replace(/[^\w.-]+/g, '_');

/**
 * What clients may send on a WebSocket route: one message per `type` where the schema
 * dispatches on it (see `messagesByType`), else one message with the whole schema; any JSON for
 * a message handler or JSON consumer without a schema; text or binary frames for a plain
 * consumer. None for a handler that owns its socket: it reads frames the framework never sees.
 *
 * @example
 * receivedMessages(route).map((message) => message.name); // ['join', 'leave', 'say']
 */
export function receivedMessages(route: DescribedRoute): ChannelMessage[] {
  if (route.incoming === 'frames') {
    return [
      { key: 'text', name: 'text', contentType: 'text/plain', payload: { type: 'string' }, description: 'A text frame' },
      {
        key: 'binary',
        name: 'binary',
        contentType: 'application/octet-stream',
        payload: { type: 'string', format: 'binary' },
        description: 'A binary frame',
      },
    ];
  }
  if (route.incoming !== 'json') return [];
  const messages: ChannelMessage[] = [];
  for (const message of route.messages.length ? route.messages : [{ schema: undefined }]) {
    const named = messagesByType(message.schema) ?? [{ name: 'message', schema: message.schema ?? {} }];
    for (const { name, schema } of named) {
      if (!messages.some((known) => known.name === name))
        messages.push({ key: keyOf(name), name, contentType: 'application/json', payload: schema });
    }
  }
  return messages;
}

/**
 * What the server sends on a WebSocket route: the route's `sends`, and the standard error reply
 * where `onInvalidMessage` is `'reply'`. A key a received message already has gets `_sent`. A
 * string schema is a text frame (`text/plain`); anything else is JSON.
 *
 * @example
 * sentMessages(route, ['join']).map((message) => message.key); // ['joined', 'error']
 */
export function sentMessages(route: DescribedRoute, receivedKeys: readonly string[]): ChannelMessage[] {
  const options = (route.route as WebSocketRoute).options;
  const sends: Record<string, JsonSchema> = { ...options.sends };
  if (options.onInvalidMessage === 'reply' && route.incoming === 'json') sends.error ??= ERROR_REPLY;
  return Object.entries(sends).map(([name, payload]) => {
    const key = receivedKeys.includes(keyOf(name)) ? `${keyOf(name)}_sent` : keyOf(name);
    return { key, name, contentType: isText(payload) ? 'text/plain' : 'application/json', payload };
  });
}
