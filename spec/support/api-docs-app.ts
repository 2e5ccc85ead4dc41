import { type ApiDocsPagesOptions, App, apiDocsPages, inject, Route } from '../../index';

const note = {
  type: 'object',
  properties: { id: { type: 'integer' }, text: { type: 'string' } },
  required: ['id', 'text'],
};

/** A hand-written valid OpenAPI 3.1 document: two operations with summaries. */
export const NOTES_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Notes service', version: '1.0.0' },
  paths: {
    '/notes/{id}': {
      get: {
        operationId: 'getNote',
        summary: 'Read one note',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          '200': { description: 'The note', content: { 'application/json': { schema: note } } },
          '404': { description: 'No such note' },
        },
      },
    },
    '/notes': {
      post: {
        operationId: 'createNote',
        summary: 'Write a new note',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } } },
        },
        responses: { '201': { description: 'Created', content: { 'application/json': { schema: note } } } },
      },
    },
  },
} as const;

/** A hand-written valid AsyncAPI 3.0 document: the `/ws/chat` channel with `chat.message` both ways. */
export const CHAT_ASYNCAPI = {
  asyncapi: '3.0.0',
  info: { title: 'Chat service', version: '1.0.0' },
  channels: {
    chat: {
      address: '/ws/chat',
      messages: {
        'chat.message': {
          name: 'chat.message',
          title: 'Chat line',
          payload: {
            type: 'object',
            properties: { type: { const: 'chat.message' }, text: { type: 'string' } },
            required: ['type', 'text'],
          },
        },
      },
    },
  },
  operations: {
    sayInChat: {
      action: 'receive',
      summary: 'A client says something',
      channel: { $ref: '#/channels/chat' },
      messages: [{ $ref: '#/channels/chat/messages/chat.message' }],
    },
    hearInChat: {
      action: 'send',
      summary: 'The server relays what was said',
      channel: { $ref: '#/channels/chat' },
      messages: [{ $ref: '#/channels/chat/messages/chat.message' }],
    },
  },
} as const;

/**
 * An app serving both documents from plain routes, and the docs pages.
 *
 * @example
 * const app = docsApp({ path: '/reference' });
 */
export function docsApp(options?: ApiDocsPagesOptions): App {
  return new App({
    routes: [
      new Route(
        '/openapi.json',
        'GET',
        inject([], () => NOTES_OPENAPI),
      ),
      new Route(
        '/asyncapi.json',
        'GET',
        inject([], () => CHAT_ASYNCAPI),
      ),
      ...apiDocsPages(options),
    ],
  });
}
