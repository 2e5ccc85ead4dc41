/**
 * Compile-time checks of `createHttpClient`'s inference. This file is part of the build: if the
 * inference regresses, an `@ts-expect-error` below goes unused or an `Equal` check fails, and
 * `tsc` fails. Nothing here runs; the calls sit in functions no one calls.
 */
import type { CallOptions, EndpointAt, HttpClient, HttpEndpoints, PathsOf } from '../../client/index.mjs';
import { Body } from '../../components/body';
import { Form } from '../../components/form';
import { Header } from '../../components/header';
import { PathParam } from '../../components/path-param';
import { QueryParam } from '../../components/query-param';
import { JSONResponse } from '../../lib/http/response';
import { inject } from '../../lib/inject/inject';
import { Include, Route, WebSocketRoute } from '../../lib/routing/routes';
import type { routes as helloRoutes } from '../../samples/hello/app';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

interface Note {
  id: number;
  text: string;
  tags: string[];
}

// ——— the hello sample's real routes ———

declare const hello: HttpClient<HttpEndpoints<typeof helloRoutes>>;

export async function helloSample(): Promise<void> {
  // The answer is what the handler returns.
  const greeting = await hello.get('/hello', { query: { name: 'Ada' } });
  expectType<Equal<typeof greeting, { message: string }>>();
  // `name` has a default: the query, and the options, may be left out.
  await hello.get('/hello');
  const note = await hello.post('/notes', { json: { text: 'hi', tags: ['a'] } });
  expectType<Equal<typeof note, Note>>();
  const again = await hello.get('/notes/{id:int}', { params: { id: note.id } });
  expectType<Equal<typeof again, Note>>();

  // @ts-expect-error no such path
  await hello.get('/helo');
  // @ts-expect-error /notes is served for POST, not GET
  await hello.get('/notes');
  // @ts-expect-error no route is served for PUT
  await hello.put('/notes', { json: { text: 'hi' } });
  // @ts-expect-error the path parameter is missing
  await hello.get('/notes/{id:int}');
  // @ts-expect-error params is there, but without id
  await hello.get('/notes/{id:int}', { params: {} });
  // @ts-expect-error id is an integer (PathParam('id', { type: 'integer' }))
  await hello.get('/notes/{id:int}', { params: { id: '1' } });
  // @ts-expect-error the path has no parameter "note"
  await hello.get('/notes/{id:int}', { params: { id: 1, note: 2 } });
  // @ts-expect-error the body is required
  await hello.post('/notes');
  // @ts-expect-error text is required by the body schema
  await hello.post('/notes', { json: { tags: [] } });
  // @ts-expect-error tags is a list of strings
  await hello.post('/notes', { json: { text: 'hi', tags: 'a' } });
  // @ts-expect-error the schema allows no other properties
  await hello.post('/notes', { json: { text: 'hi', colour: 'red' } });
  // @ts-expect-error name is a string
  await hello.get('/hello', { query: { name: 7 } });
  // @ts-expect-error the route takes no query parameter "nme"
  await hello.get('/hello', { query: { nme: 'Ada' } });
  // @ts-expect-error GET /hello takes no body
  await hello.get('/hello', { json: { name: 'Ada' } });
}

// ——— what else routes can say ———

const errorSchema = { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] } as const;
const itemSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
  required: ['id', 'name'],
  additionalProperties: false,
} as const;

const search = inject(
  [QueryParam('q', { type: 'string' }, { required: true }), QueryParam('page', { type: 'integer', default: 1 }), QueryParam('tag')],
  (q, page, tag) => ({ q, page, tag, at: new Date() }),
);
const getFile = inject([PathParam('rest')], (rest) => rest);
const put = inject([PathParam('id', { type: 'integer' }), Body(itemSchema), Header('If-Match')], (id, item) => ({ ...item, id }));
const remove = inject([PathParam('id', { type: 'integer' })], () => undefined);
const raw = inject([], () => new JSONResponse({ any: 'thing' }));
const upload = inject([Form()], (fields) => fields);

export const apiRoutes = [
  new Include('/api', [
    new Route('/search', 'GET', search),
    new Route('/items/{id:int}', 'put', put, { responses: { 200: itemSchema, 404: errorSchema } }),
    new Route('/items/{id:int}', 'DELETE', remove),
    new Include('/v2', [new Route('/items/{id:int}/{slug}', 'GET', () => 'plain text')]),
  ]),
  new Route('/files/{rest:path}', 'GET', getFile),
  new Route('/raw', 'GET', raw),
  new Route('/upload', 'POST', upload),
  new Route('/created', 'POST', () => ({ ignored: true }), { responses: { 201: itemSchema, 204: {} } }),
  // A path made at run time says nothing a client can check: left out.
  new Route(String('/dynamic'), 'GET', () => 1),
  new WebSocketRoute('/ws', () => undefined),
];

declare const api: HttpClient<HttpEndpoints<typeof apiRoutes>>;

export async function routeFeatures(): Promise<void> {
  // Include prefixes are joined, nested ones too; WebSocket routes and run-time paths are left out.
  expectType<
    Equal<PathsOf<HttpEndpoints<typeof apiRoutes>, 'GET'>, '/api/search' | '/api/v2/items/{id:int}/{slug}' | '/files/{rest:path}' | '/raw'>
  >();

  // A required query parameter makes the query, and the options, required; `page` has a
  // default and `tag` none: both optional.
  expectType<
    Equal<
      CallOptions<EndpointAt<HttpEndpoints<typeof apiRoutes>, 'GET', '/api/search'>>['query'],
      { readonly q: string; readonly page?: number; readonly tag?: string }
    >
  >();
  const found = await api.get('/api/search', { query: { q: 'x' } });
  // Dates come back as JSON made them: strings.
  expectType<Equal<typeof found, { q: string; page: number; tag: string | undefined; at: string }>>();
  // @ts-expect-error q is required
  await api.get('/api/search');
  // @ts-expect-error q is required
  await api.get('/api/search', { query: { page: 2 } });

  // The method is matched whatever case the route wrote it in; the declared 200 schema types the answer.
  const item = await api.put('/api/items/{id:int}', { params: { id: 1 }, json: { id: 1, name: 'x' }, headers: { 'If-Match': '"v1"' } });
  expectType<Equal<typeof item, { id: number; name: string }>>();
  // @ts-expect-error header values are strings
  await api.put('/api/items/{id:int}', { params: { id: 1 }, json: { id: 1, name: 'x' }, headers: { 'If-Match': 1 } });

  // A handler returning undefined answers 204: no body.
  const removed = await api.delete('/api/items/{id:int}', { params: { id: 2 } });
  expectType<Equal<typeof removed, undefined>>();

  // Converters type parameters no token declares: {slug} a string, {id:int} a number; a string answer is text.
  const text = await api.get('/api/v2/items/{id:int}/{slug}', { params: { id: 1, slug: 'a-b' } });
  expectType<Equal<typeof text, string>>();
  // @ts-expect-error {id:int} takes a number
  await api.get('/api/v2/items/{id:int}/{slug}', { params: { id: 'one', slug: 'a-b' } });

  await api.get('/files/{rest:path}', { params: { rest: 'a/b.txt' } });
  // A Response says nothing of its body.
  expectType<Equal<Awaited<ReturnType<typeof api.get<'/raw'>>>, unknown>>();
  // A form route takes a form, not JSON.
  await api.post('/upload', { form: new URLSearchParams({ a: '1' }) });
  // @ts-expect-error a form route takes no JSON body
  await api.post('/upload', { json: { a: '1' } });
  // Declared 2xx answers: 201's schema, and 204's nothing.
  const created = await api.post('/created');
  expectType<Equal<typeof created, { id: number; name: string } | undefined>>();
  // `request` takes any declared method.
  const viaRequest = await api.request('DELETE', '/api/items/{id:int}', { params: { id: 3 } });
  expectType<Equal<typeof viaRequest, undefined>>();
  // @ts-expect-error the run-time path is not part of the typed surface
  await api.get('/dynamic');
  // @ts-expect-error no HTTP route at a WebSocket route's path
  await api.get('/ws');
  // @ts-expect-error no route is served for PATCH
  await api.request('PATCH', '/api/search', { query: { q: 'x' } });
}
