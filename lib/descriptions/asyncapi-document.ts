import type { ApiSecurityScheme, ParameterDescription } from '../inject/api-description';
import type { JsonSchema } from '../inject/schema';
import type { WebSocketRoute } from '../routing/routes';
import { type ChannelMessage, receivedMessages, sentMessages } from './channel-messages';
import type { ApiInfo, AsyncApiDocument, AsyncApiOptions, JsonObject } from './document-types';
import { OperationIds } from './operation-ids';
import type { DescribedRoute } from './route-walker';
import { documentSchema } from './schema-dialect';
import { SecuritySchemes } from './security-schemes';
import { websocketAnswers } from './websocket-answers';

/** The version of the AsyncAPI WebSocket bindings the channels use. */
const WS_BINDING_VERSION = '0.1.0';

/**
 * The AsyncAPI 3.0 document of an app's WebSocket routes: one channel per route (its address
 * with parameters, the query and headers of the handshake as `ws` bindings), a `receive`
 * operation for what clients may send and a `send` operation for what the server sends,
 * security from the auth hooks, and the subprotocols, handshake refusals and close codes as
 * `x-` extensions (AsyncAPI has no field for them) repeated in the channel's description.
 * `app.asyncapi(info)` calls it.
 *
 * @example
 * const document = asyncApiDocument(describeRoutes(source), { title: 'Chat', version: '1.0.0' });
 */
export function asyncApiDocument(routes: readonly DescribedRoute[], info: ApiInfo, options: AsyncApiOptions = {}): AsyncApiDocument {
  const ids = new OperationIds();
  const schemes = new SecuritySchemes();
  const channels: Record<string, JsonObject> = {};
  const operations: Record<string, JsonObject> = {};
  for (const route of routes) {
    if (route.kind !== 'websocket') continue;
    const id = ids.next(route.route.options.name, '', route.template);
    const received = receivedMessages(route);
    const sent = sentMessages(
      route,
      received.map((message) => message.key),
    );
    channels[id] = channelOf(route, [...received, ...sent]);
    const security = [...new Set(schemes.requirements(route.hooks).flat())].map((name) => ({
      $ref: `#/components/securitySchemes/${name}`,
    }));
    const operation = (action: 'receive' | 'send', messages: readonly ChannelMessage[]): JsonObject => ({
      action,
      channel: { $ref: `#/channels/${id}` },
      summary: action === 'receive' ? 'What clients send' : 'What the server sends',
      messages: messages.map((message) => ({ $ref: `#/channels/${id}/messages/${message.key}` })),
      ...(security.length ? { security } : {}),
    });
    if (received.length) operations[`${id}.receive`] = operation('receive', received);
    if (sent.length) operations[`${id}.send`] = operation('send', sent);
  }
  const securitySchemes = Object.fromEntries(Object.entries(schemes.all()).map(([name, scheme]) => [name, asyncApiScheme(scheme)]));
  return {
    asyncapi: '3.0.0',
    info,
    defaultContentType: 'application/json',
    ...(options.servers ? { servers: options.servers } : {}),
    channels,
    operations,
    components: Object.keys(securitySchemes).length ? { securitySchemes } : {},
  };
}

function channelOf(route: DescribedRoute, messages: readonly ChannelMessage[]): JsonObject {
  const options = (route.route as WebSocketRoute).options;
  const answers = websocketAnswers(route);
  const subprotocols = route.hooks.flatMap((hook) => hook.subprotocols ?? []);
  const pathParameters = route.parameters.filter((parameter) => parameter.in === 'path');
  const query = objectSchema(route.parameters.filter((parameter) => parameter.in === 'query'));
  const headers = objectSchema(
    route.parameters.filter((parameter) => parameter.in === 'header'),
    (name) => name.toLowerCase(),
  );
  const cookies = route.parameters.filter((parameter) => parameter.in === 'cookie').map((parameter) => parameter.name);
  const notes = [
    options.deprecated ? 'Deprecated.' : '',
    options.description ?? '',
    subprotocols.length ? `Subprotocols (Sec-WebSocket-Protocol): ${subprotocols.join(', ')}.` : '',
    cookies.length ? `Reads the cookies ${cookies.join(', ')} of the handshake.` : '',
    `Handshake refusals (HTTP, before the upgrade): ${listOf(answers.handshake)}.`,
    `Close codes: ${listOf(answers.closeCodes)}.`,
  ];
  return {
    address: route.path,
    ...(options.summary ? { summary: options.summary } : {}),
    description: notes.filter(Boolean).join('\n\n'),
    ...(route.tags.length ? { tags: route.tags.map((name) => ({ name })) } : {}),
    ...(pathParameters.length
      ? { parameters: Object.fromEntries(pathParameters.map((parameter) => [parameter.name, channelParameter(parameter)])) }
      : {}),
    messages: Object.fromEntries(
      messages.map((message) => [
        message.key,
        {
          name: message.name,
          contentType: message.contentType,
          payload: documentSchema(message.payload),
          ...(message.description ? { description: message.description } : {}),
        },
      ]),
    ),
    bindings: {
      ws: { method: 'GET', ...(query ? { query } : {}), ...(headers ? { headers } : {}), bindingVersion: WS_BINDING_VERSION },
    },
    ...(subprotocols.length ? { 'x-subprotocols': subprotocols } : {}),
    'x-handshake-refusals': answers.handshake,
    'x-close-codes': answers.closeCodes,
    ...(options.deprecated ? { 'x-deprecated': true } : {}),
  };
}

function listOf(codes: Readonly<Record<number, string>>): string {
  return Object.entries(codes)
    .map(([code, why]) => `${code} (${why})`)
    .join(', ');
}

/** Parameters as the properties of one object schema, as the `ws` binding takes query and headers. */
function objectSchema(parameters: readonly ParameterDescription[], nameOf = (name: string) => name): JsonObject | undefined {
  if (!parameters.length) return undefined;
  const required = parameters.filter((parameter) => parameter.required).map((parameter) => nameOf(parameter.name));
  return {
    type: 'object',
    properties: Object.fromEntries(
      parameters.map((parameter) => [nameOf(parameter.name), documentSchema(parameter.schema ?? { type: 'string' })]),
    ),
    ...(required.length ? { required } : {}),
  };
}

/** AsyncAPI's parameter object has no schema: its enum, default and description carry what they can. */
function channelParameter(parameter: ParameterDescription): JsonObject {
  const schema: JsonSchema = parameter.schema ?? { type: 'string' };
  const strings = (values: unknown): values is string[] => Array.isArray(values) && values.every((value) => typeof value === 'string');
  return {
    description: `${typeof schema.description === 'string' ? `${schema.description} ` : ''}Schema: ${JSON.stringify(schema)}`,
    ...(strings(schema.enum) ? { enum: schema.enum } : {}),
    ...(typeof schema.default === 'string' ? { default: schema.default } : {}),
  };
}

/** OpenAPI's two scheme forms in AsyncAPI's words (an API key in HTTP is `httpApiKey`). */
function asyncApiScheme(scheme: ApiSecurityScheme): JsonObject {
  if (scheme.type === 'http')
    return { type: 'http', scheme: scheme.scheme.toLowerCase(), ...(scheme.description ? { description: scheme.description } : {}) };
  return { type: 'httpApiKey', in: scheme.in, name: scheme.name, ...(scheme.description ? { description: scheme.description } : {}) };
}
