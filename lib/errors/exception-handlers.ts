/*
 * Exception handlers by type, Starlette's `exception_handlers`: a list of `[ErrorClass, handler]`
 * pairs, looked up by the thrown error's class, nearest class first. Only the matching lives
 * here, next to the one table (error-table.ts) it stands in front of; the pipelines invoke the
 * handler and fall back to the table when none matches or the handler fails.
 */

/** A class errors are made from: `HTTPException`, `ValidationError`, `Error`, your own. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/**
 * One entry of `exceptionHandlers`: the class it handles (and its subclasses), and the handler,
 * a function wrapped in `inject([...], fn)` like a route handler.
 *
 * @example
 * const entry: ExceptionHandlerEntry = [NotFound, inject([CurrentError], (error: NotFound) => ({ missing: error.id }))];
 */
export type ExceptionHandlerEntry<H = (...args: never[]) => unknown> = readonly [ErrorClass, H];

/**
 * Checks `exceptionHandlers` as given by the user, at startup: each entry must be a pair of a
 * class and a function. The TypeError names the entry and `where` it was given.
 */
export function checkExceptionHandlers(entries: unknown, where: string): readonly ExceptionHandlerEntry[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new TypeError(`${where}: exceptionHandlers must be an array of [ErrorClass, handler] pairs`);
  entries.forEach((entry: unknown, index) => {
    const at = `${where}: exceptionHandlers[${index}]`;
    if (!Array.isArray(entry) || entry.length !== 2)
      throw new TypeError(`${at} must be a pair [ErrorClass, handler], got ${describe(entry)}`);
    const [key, handler] = entry as [unknown, unknown];
    if (typeof key !== 'function' || typeof key.prototype !== 'object' || key.prototype === null) {
      throw new TypeError(`${at}: the key must be an error class (HTTPException, ValidationError, your own), got ${describe(key)}`);
    }
    if (typeof handler !== 'function') {
      throw new TypeError(
        `${at} (${(key as { name?: string }).name || 'anonymous class'}): the handler must be a function, got ${describe(handler)}`,
      );
    }
  });
  return entries as readonly ExceptionHandlerEntry[];
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : (JSON.stringify(value) ?? String(value));
}

/**
 * The handlers of one route, by class: `match(error)` walks the error's prototype chain and
 * returns the handler of the nearest class that has one. When a class is listed twice, the
 * first entry wins (entries are given innermost first: the route's, its `Include`s', the app's).
 *
 * @example
 * const handlers = new ExceptionHandlers([[HTTPException, notFoundPage], [Error, oops]]);
 * handlers.match(new HTTPException(404)); // notFoundPage
 */
export class ExceptionHandlers<H> {
  private readonly byPrototype = new Map<object, { readonly handler: H; readonly errorClass: ErrorClass }>();

  constructor(entries: readonly (readonly [ErrorClass, H])[]) {
    for (const [errorClass, handler] of entries) {
      const prototype = errorClass.prototype as object;
      if (!this.byPrototype.has(prototype)) this.byPrototype.set(prototype, { handler, errorClass });
    }
  }

  /** True when no class has a handler. */
  get empty(): boolean {
    return this.byPrototype.size === 0;
  }

  /** The handler for `error`'s nearest class that has one, and that class; undefined for none (or a thrown non-object). */
  match(error: unknown): { readonly handler: H; readonly errorClass: ErrorClass } | undefined {
    if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return undefined;
    for (let prototype = Object.getPrototypeOf(error) as object | null; prototype !== null; prototype = Object.getPrototypeOf(prototype)) {
      const found = this.byPrototype.get(prototype);
      if (found) return found;
    }
    return undefined;
  }
}
