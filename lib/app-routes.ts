import type { ChannelLayer } from './channels/channel-layer';
import { isConsumerClass } from './channels/consumer';
import { consumerHandler } from './channels/consumer-runner';
import type { ExceptionHandlerEntry } from './errors/exception-handlers';
import type { Scope } from './http/scope';
import type { Connection } from './inject/connection';
import type { HookLike } from './inject/hook';
import type { Resolver } from './inject/resolver';
import { compileEndpoint, type Endpoint, type HookInstances, handlerTokens } from './routing/endpoint';
import { compileExceptionHandlers } from './routing/exception-handler-plans';
import { compileResponseSerializer } from './routing/response-serializer';
import { malformedPath, routeMiss, WS_METHOD } from './routing/route-miss';
import { parseTemplate, Router } from './routing/router';
import { flattenRoutes, type Handler, Route, type RouteLike } from './routing/routes';
import type { WebSocketEndpoint } from './websocket/websocket-endpoint';

/** What `new App()` serves: every route compiled, and the endpoints that answer a miss. */
export interface CompiledRoutes {
  router: Router<Endpoint | WebSocketEndpoint>;
  /** 404 / 405 (with `Allow`), through the app's hooks. */
  fallback: Endpoint;
  /** 400 for a path with a malformed percent-escape, through the app's hooks. */
  malformed: Endpoint;
}

/**
 * Compiles the routes array into endpoints (hooks, resolution plans, validators) at App
 * construction, so that a mistake in any route fails there, naming the route.
 * `channelLayer` is read when a consumer first runs, not now.
 */
export function compileRoutes(
  routes: readonly RouteLike[],
  appHooks: readonly HookLike[],
  resolver: Resolver,
  hooks: HookInstances,
  channelLayer: () => ChannelLayer,
  appHandlers: readonly ExceptionHandlerEntry[] = [],
): CompiledRoutes {
  const router = new Router<Endpoint | WebSocketEndpoint>();
  for (const flat of flattenRoutes(routes)) {
    const { params } = parseTemplate(flat.path);
    const routeHooks = [...appHooks, ...flat.hooks];
    const handlers = [...flat.exceptionHandlers, ...appHandlers];
    if (flat.route instanceof Route) {
      const site = { kind: 'http' as const, perMessage: false, where: `route ${flat.route.method} ${flat.path}`, pathParams: params };
      const endpoint = compileEndpoint(flat.route.handler, routeHooks, site, resolver, hooks, site, flat.route.options.hooks, handlers);
      const serializer = compileResponseSerializer(flat.route.options.responses, site.where);
      router.add(flat.route.method, flat.path, { ...endpoint, template: flat.path, serializer });
      continue;
    }
    const site = { kind: 'websocket' as const, perMessage: false, where: `route WS ${flat.path}`, pathParams: params };
    const given = flat.route.handler;
    const handler = isConsumerClass(given)
      ? consumerHandler(
          given,
          site,
          resolver,
          channelLayer,
          flat.route.options.onInvalidMessage,
          compileExceptionHandlers(handlers, site, resolver),
        )
      : (given as Handler);
    const perMessage = resolver.isPerMessage(handlerTokens(handler, site.where));
    const endpoint = compileEndpoint(
      handler,
      routeHooks,
      site,
      resolver,
      hooks,
      { ...site, perMessage },
      flat.route.options.hooks,
      handlers,
    );
    router.add(WS_METHOD, flat.path, {
      ...endpoint,
      template: flat.path,
      perMessage,
      onInvalidMessage: flat.route.options.onInvalidMessage ?? 'close',
    });
  }
  const missSite = { kind: 'http' as const, perMessage: false, where: 'unmatched request', pathParams: {} };
  const malformedSite = { ...missSite, where: 'request with a malformed path' };
  return {
    router,
    fallback: compileEndpoint(routeMiss, appHooks, missSite, resolver, hooks, missSite, [], appHandlers),
    malformed: compileEndpoint(malformedPath, appHooks, malformedSite, resolver, hooks, malformedSite, [], appHandlers),
  };
}

/**
 * The endpoint that serves an HTTP request: its route's (HEAD served by GET where no HEAD route
 * exists, path parameters set on the scope), or `fallback` with the methods the path allows.
 */
export function httpEndpoint(
  router: Router<Endpoint | WebSocketEndpoint>,
  fallback: Endpoint,
  scope: Scope,
  connection: Connection,
): Endpoint {
  let match = router.lookup(scope.method, scope.rawPath);
  if (!match.found && scope.method === 'HEAD') {
    const get = router.lookup('GET', scope.rawPath);
    if (get.found) match = get;
  }
  if (match.found) {
    scope.pathParams = match.params;
    return match.value;
  }
  connection.allowedMethods = match.allowed.includes('GET') && !match.allowed.includes('HEAD') ? [...match.allowed, 'HEAD'] : match.allowed;
  return fallback;
}
