/**
 * Compile-time checks of `inject`'s inference. This file is part of the build: if inference
 * regresses, an `@ts-expect-error` below goes unused or an `Equal` check fails, and
 * `npm test` stops at `tsc`. `inject.spec.ts` also compiles a wrong annotation on purpose.
 */
import { Body } from '../../../components/body';
import { Header } from '../../../components/header';
import { PathParam } from '../../../components/path-param';
import { QueryParam } from '../../../components/query-param';
import { Request } from '../../../components/request';
import { Scope } from '../../../components/scope';
import { ComponentToken, component } from '../../../lib/inject/component';
import { inject } from '../../../lib/inject/inject';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

class Db {
  find(id: number): string {
    return String(id);
  }
}

// Parameter types are inferred from the tokens, position by position.
export const inferred = inject(
  [Request, Scope, PathParam('id', { type: 'integer' }), QueryParam('q'), Header('x'), Db],
  (request, scope, id, q, header, db) => {
    expectType<Equal<typeof request, Request>>();
    expectType<Equal<typeof scope, Scope>>();
    expectType<Equal<typeof id, number>>();
    expectType<Equal<typeof q, string | undefined>>();
    expectType<Equal<typeof header, string | undefined>>();
    expectType<Equal<typeof db, Db>>();
    return db.find(id);
  },
);

// Schemas describe object types, required and optional keys included.
export const body = inject(
  [
    Body({
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name'],
      additionalProperties: false,
    }),
  ],
  (value) => {
    expectType<Equal<typeof value, { name: string; age?: number; tags?: string[] }>>();
  },
);

// A query parameter with a default is never undefined.
export const paged = inject([QueryParam('page', { type: 'integer', default: 1 })], (page) => {
  expectType<Equal<typeof page, number>>();
});

// Component factories are typed by their dependencies, and must return the component's type.
const Config = new ComponentToken<{ greeting: string }>('Config');
export const config = component(Config, [Header('x')], (x) => ({ greeting: x ?? 'hi' }));
// @ts-expect-error the factory must build a { greeting: string }
export const wrongFactory = component(Config, [], () => ({ greeting: 1 }));
export const usesConfig = inject([Config], (c) => c.greeting.toUpperCase());

// A wrong annotation does not compile.
// @ts-expect-error PathParam('id', integer) gives a number, not a string
export const wrong = inject([PathParam('id', { type: 'integer' })], (id: string) => id);
// @ts-expect-error Request is not a Scope
export const wrongClass = inject([Request], (scope: Scope) => scope);
// @ts-expect-error more parameters than tokens
export const tooMany = inject([Request], (request: Request, extra: string) => [request, extra]);

// The decorator form checks the method's signature the same way.
export class Hooks {
  @inject([Scope, PathParam('id', { type: 'integer' })])
  onRequest(scope: Scope, id: number): void {
    void scope;
    void id;
  }
}
export class WrongHooks {
  // @ts-expect-error Scope is not a Request
  @inject([Scope])
  onRequest(request: Request): void {
    void request;
  }
}

// oneOf of objects told apart by a `type` constant is a discriminated union.
export const commands = inject(
  [
    Body({
      oneOf: [
        { type: 'object', properties: { type: { const: 'join' }, room: { type: 'string' } }, required: ['type', 'room'] },
        { type: 'object', properties: { type: { const: 'say' }, text: { type: 'string' } }, required: ['type', 'text'] },
      ],
    }),
  ],
  (command) => {
    if (command.type === 'join') expectType<Equal<typeof command.room, string>>();
    else expectType<Equal<typeof command.text, string>>();
  },
);
