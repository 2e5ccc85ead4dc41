import { isConsumerClass, JsonWebSocketConsumer } from '../channels/consumer';
import type { BodyDescription, HookDescription, MessageDescription, ParameterDescription } from '../inject/api-description';
import type { Hook, HookLike } from '../inject/hook';
import { declaredTokens } from '../inject/inject';
import type { Resolver } from '../inject/resolver';
import type { ConnectionKind, TokenLike } from '../inject/token';
import { parseTemplate } from '../routing/router';
import { flattenRoutes, Route, type RouteLike, type WebSocketRoute } from '../routing/routes';
import { mergeBodies } from './body-merge';
import { converterParameter, openApiPath } from './path-template';

/** What the App hands the API descriptions: its routes, hooks and components, as it compiled them. */
export interface RouteSource {
  readonly routes: readonly RouteLike[];
  readonly appHooks: readonly HookLike[];
  /** The app's one instance of a hook (classes are instantiated once per app). */
  readonly hookInstance: (hook: HookLike) => Hook;
  readonly resolver: Resolver;
}

/**
 * What a WebSocket route accepts from clients: validated JSON messages (`messages` lists their
 * schemas), any JSON, text or binary frames (a consumer's `receive`), or nothing the framework
 * can see (a handler that owns its socket reads it itself).
 */
export type IncomingKind = 'json' | 'frames' | 'unknown';

/** One route as the API descriptions see it. */
export interface DescribedRoute {
  readonly kind: ConnectionKind;
  readonly route: Route | WebSocketRoute;
  /** `GET`, `POST`, ...; `WS` for a WebSocket route. */
  readonly method: string;
  /** The route's full template (`/notes/{id:int}`). */
  readonly template: string;
  /** The template as OpenAPI and AsyncAPI write it (`/notes/{id}`). */
  readonly path: string;
  readonly tags: readonly string[];
  /** Path parameters first (in template order), then the others in the order they were injected. */
  readonly parameters: readonly ParameterDescription[];
  readonly body: BodyDescription | undefined;
  /** The messages a WebSocket route's handler or consumer validates. */
  readonly messages: readonly MessageDescription[];
  readonly incoming: IncomingKind;
  /** What the hooks wrapping the route say of themselves, outermost first. */
  readonly hooks: readonly HookDescription[];
  /** A consumer class, which refuses with 403 when `connect` does not accept. */
  readonly consumer: boolean;
}

const HOOK_METHODS = ['onRequest', 'onResponse', 'onError'] as const;
const CONSUMER_METHODS = ['connect', 'receive', 'receiveJson', 'disconnect'] as const;

/**
 * Every route the descriptions show (not `hidden` ones), with the parameters, body and messages
 * its handler, consumer methods, hooks and their components read.
 *
 * @example
 * for (const route of describeRoutes(source)) console.log(route.method, route.path, route.parameters.length);
 */
export function describeRoutes(source: RouteSource): DescribedRoute[] {
  const described: DescribedRoute[] = [];
  for (const flat of flattenRoutes(source.routes)) {
    if (flat.route.options.hidden) continue;
    const kind: ConnectionKind = flat.route instanceof Route ? 'http' : 'websocket';
    const hooks = [...source.appHooks, ...flat.hooks]
      .map(source.hookInstance)
      .filter((hook) => !hook.appliesTo || hook.appliesTo.includes(kind));
    const handler = flat.route.handler;
    const consumer = kind === 'websocket' && isConsumerClass(handler);
    const handlerTokens = consumer ? consumerTokens(handler as new () => object) : (declaredTokens(handler) ?? []);
    const hookTokens = hooks
      .flatMap((hook) => methodTokens(hook, Object.getPrototypeOf(hook) as object, HOOK_METHODS))
      .filter((token) => source.resolver.kindsOf([token]).includes(kind));
    const reached = source.resolver.reachedTokens([...hookTokens, ...handlerTokens]);
    const descriptions = reached.map((token) => token.describeApi?.()).filter((description) => description !== undefined);
    const messages = descriptions.filter((description) => description.kind === 'message');
    described.push({
      kind,
      route: flat.route,
      method: flat.route instanceof Route ? flat.route.method : 'WS',
      template: flat.path,
      path: openApiPath(flat.path),
      tags: [...new Set(flat.tags)],
      parameters: parametersOf(
        flat.path,
        descriptions.filter((description) => description.kind === 'parameter'),
      ),
      body: mergeBodies(descriptions.filter((description) => description.kind === 'body')),
      messages,
      incoming: incomingOf(handler, consumer, messages.length > 0 || source.resolver.isPerMessage(handlerTokens)),
      hooks: hooks.map((hook) => hook.describeApi?.(kind)).filter((description) => description !== undefined),
      consumer,
    });
  }
  return described;
}

function incomingOf(handler: unknown, consumer: boolean, perMessage: boolean): IncomingKind {
  if (consumer) return (handler as { prototype: object }).prototype instanceof JsonWebSocketConsumer ? 'json' : 'frames';
  return perMessage ? 'json' : 'unknown';
}

/** The tokens of a consumer's lifecycle methods that declare any. */
function consumerTokens(consumerClass: new () => object): TokenLike[] {
  return methodTokens(consumerClass.prototype, consumerClass.prototype, CONSUMER_METHODS);
}

/** The tokens the named methods of `target` declare (by `inject`, or decorator metadata on `owner`). */
function methodTokens(target: object, owner: object, methods: readonly string[]): TokenLike[] {
  return methods.flatMap((method) => {
    const fn = (target as Record<string, unknown>)[method];
    return typeof fn === 'function' ? [...(declaredTokens(fn, owner, method) ?? [])] : [];
  });
}

/**
 * The template's path parameters (a `PathParam` schema where one is declared, else its
 * converter's), then the other parameters, each `in`+`name` once (the first declaration wins).
 */
function parametersOf(template: string, declared: readonly ParameterDescription[]): ParameterDescription[] {
  const { params } = parseTemplate(template);
  const parameters: ParameterDescription[] = Object.entries(params).map(
    ([name, converter]) =>
      declared.find((parameter) => parameter.in === 'path' && parameter.name === name && parameter.schema) ??
      converterParameter(name, converter),
  );
  const seen = new Set(parameters.map((parameter) => `path:${parameter.name}`));
  for (const parameter of declared) {
    // Header names are case-insensitive: `Authorization` and `authorization` are one header.
    const key = `${parameter.in}:${parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    parameters.push(parameter);
  }
  return parameters;
}
