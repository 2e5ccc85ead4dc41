import type { DependencyContainer } from 'tsyringe';
import type { AppLogger } from '../config/logger';
import type { Settings } from '../config/settings';
import { type MaybePromise, then } from './thenable';

/*
 * inject/ stands below the engine classes it hands out, so it declares what it holds of them
 * and names none: lib/http/scope.ts, lib/http/request.ts and lib/websocket/websocket.ts merge
 * `Scope`, `Request` and `WebSocket` into these interfaces, so providers see the full classes.
 */

/** The connection's `Scope`; the path is what inject itself reads (in error messages). */
export interface ConnectionScope {
  readonly path: string;
  /** The request's id, bound as `reqId` to the connection's log lines. */
  readonly requestId: string;
}

/** The connection's HTTP `Request`; what it holds (spooled uploads) is released by `close()` when the connection ends. */
export interface ConnectionRequest {
  close(): MaybePromise<void>;
}

/** The connection's `WebSocket`; its id is what inject itself reads (bound as `connId` to log lines). */
export interface ConnectionWebSocket {
  readonly id: string;
}

/**
 * Builds a connection's `Request` the first time something asks for it. The HTTP path passes
 * one in (a module-level function, not a closure per request); WebSocket connections have none.
 */
export type RequestFactory = (scope: ConnectionScope, settings: Settings) => ConnectionRequest;

/**
 * What every connection of an app shares: made once by the app, referenced by each connection
 * through one field instead of three (an open WebSocket keeps its connection for its lifetime).
 */
export interface ConnectionContext {
  readonly settings: Settings;
  /** The app's container; each connection's child container is made from it on first use. */
  readonly container: DependencyContainer;
  readonly requestFactory?: RequestFactory;
}

/**
 * Everything one HTTP request or one WebSocket connection carries while it is served: the
 * scope, its component cache, its child DI container, and what hooks see on the way out.
 * Created per connection, disposed when it ends.
 */
/** What a slot of `Connection.slots` holds for a value that is `undefined`, so that it reads as built. */
const BUILT_UNDEFINED: unique symbol = Symbol('undefined');

/** `value` as a slot of `Connection.slots` keeps it: an empty slot (`undefined`) means not built yet. */
export function toSlot(value: unknown): unknown {
  return value === undefined ? BUILT_UNDEFINED : value;
}

/** The value a filled slot of `Connection.slots` holds (`held` is not `undefined`). */
export function fromSlot(held: unknown): unknown {
  return held === BUILT_UNDEFINED ? undefined : held;
}

export class Connection {
  readonly scope: ConnectionScope;
  private readonly context: ConnectionContext;
  /**
   * `'request'`-scoped component values (per HTTP request, or per WebSocket connection), each at
   * the slot the app's resolver gave its component, written with `toSlot` and read with `fromSlot`.
   */
  slots: unknown[] | undefined = undefined;
  /** The error being handled, for `onError` hooks. */
  error: unknown = undefined;
  /** The response about to be sent, for `onResponse`/`onError` hooks. */
  response: unknown = undefined;
  /** For a request that matched no route: the methods its path allows (empty: 404). */
  allowedMethods: readonly string[] = NONE;
  /**
   * How many of the endpoint's hooks had their turn in the `onRequest` order (their `onRequest`
   * ran or threw, or they have none): only those get `onResponse`/`onError`.
   */
  hooksEntered = 0;
  /** The socket, on WebSocket connections; its id is bound as `connId` to the connection's log lines. */
  websocket: ConnectionWebSocket | undefined = undefined;
  private childLogger: AppLogger | undefined = undefined;
  private child: DependencyContainer | undefined = undefined;
  private lazyRequest: ConnectionRequest | undefined = undefined;
  private disposers: (() => MaybePromise<void>)[] | undefined = undefined;

  constructor(scope: ConnectionScope, context: ConnectionContext) {
    this.scope = scope;
    this.context = context;
  }

  get settings(): Settings {
    return this.context.settings;
  }

  /** The HTTP request, made on first use; only HTTP connections have one. */
  get request(): ConnectionRequest {
    if (this.lazyRequest !== undefined) return this.lazyRequest;
    const factory = this.context.requestFactory;
    if (factory === undefined) throw new Error(`${this.scope.path}: a WebSocket connection has no HTTP Request`);
    return (this.lazyRequest = factory(this.scope, this.settings));
  }

  /**
   * The app's logger with this connection's `reqId` (and `connId`) bound, made the first time a
   * line is logged: a request that logs nothing costs nothing.
   */
  get logger(): AppLogger {
    if (this.childLogger !== undefined) return this.childLogger;
    const bindings: Record<string, string> = { reqId: this.scope.requestId };
    if (this.websocket !== undefined) bindings.connId = this.websocket.id;
    return (this.childLogger = this.settings.logger.child(bindings));
  }

  /** Reports an unexpected error through `settings.logError`, with this connection's ids on the line. */
  logError(message: string, error: unknown): void {
    this.settings.logError(message, error, this);
  }

  /** A child of the app's container, made on first use, disposed with the connection. */
  get container(): DependencyContainer {
    return (this.child ??= this.context.container.createChildContainer());
  }

  /** Runs `fn` when the connection ends, last registered first. */
  onDispose(fn: () => MaybePromise<void>): void {
    (this.disposers ??= []).push(fn);
  }

  /** Ends the connection's DI scope; errors are reported, never thrown at the caller. */
  dispose(): MaybePromise<void> {
    const disposers = this.disposers;
    const child = this.child;
    const request = this.lazyRequest;
    if (disposers === undefined && child === undefined && request === undefined) return;
    this.disposers = undefined;
    this.child = undefined;
    this.lazyRequest = undefined;
    const steps: (() => MaybePromise<void>)[] = disposers ? disposers.reverse() : [];
    if (child) steps.push(() => child.dispose());
    // Last, after the components that may still read it (an upload's temporary files).
    if (request) steps.push(() => request.close());
    const run = (index: number): MaybePromise<void> => {
      for (let i = index; i < steps.length; i++) {
        let result: MaybePromise<void>;
        try {
          result = steps[i]();
        } catch (error) {
          this.logError(`Error while disposing ${this.scope.path}`, error);
          continue;
        }
        if (result && typeof (result as Promise<void>).then === 'function') {
          return then(
            (result as Promise<void>).catch((error: unknown) => this.logError(`Error while disposing ${this.scope.path}`, error)),
            () => run(i + 1),
          );
        }
      }
    };
    return run(0);
  }
}

const NONE: readonly string[] = Object.freeze([]);
