import type { CallArguments, EndpointAt, HttpEndpoint, HttpEndpoints, MethodsOf, PathsOf, ResponseOf } from './http-route-types.mjs';
import { HTTPStatusError } from './http-status-error.mjs';

/** `fetch` as the client calls it; the global one unless `HttpClientOptions.fetch` says otherwise. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Options of `createHttpClient()`.
 *
 * @example
 * createHttpClient<typeof routes>('https://api.example.com', { headers: () => ({ authorization: `Bearer ${token()}` }) });
 */
export interface HttpClientOptions {
  /** Headers sent with every call (a call's own win), or a function asked before every call (for a fresh token). */
  readonly headers?:
    | Readonly<Record<string, string>>
    | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);
  /** The fetch to call. Default `globalThis.fetch` (browsers, Node 18+). */
  readonly fetch?: FetchLike;
}

/** One method's calls: the path as the route wrote it, then the options its tokens ask for. */
export type MethodCall<E extends HttpEndpoint, M extends string> = <P extends PathsOf<E, M>>(
  path: P,
  ...options: CallArguments<EndpointAt<E, M, P>>
) => Promise<ResponseOf<EndpointAt<E, M, P>>>;

/**
 * A client typed by an app's routes: `client.get(path, options)` and friends take only the
 * paths the routes serve for that method (as the route wrote them, `'/notes/{id:int}'`), and the
 * options their tokens declare; they resolve to what the route answers and reject with
 * `HTTPStatusError` for a status outside 2xx.
 */
export interface HttpClient<E extends HttpEndpoint> {
  readonly get: MethodCall<E, 'GET'>;
  readonly post: MethodCall<E, 'POST'>;
  readonly put: MethodCall<E, 'PUT'>;
  readonly patch: MethodCall<E, 'PATCH'>;
  readonly delete: MethodCall<E, 'DELETE'>;
  /** Any method the routes declare, by name. */
  request<M extends MethodsOf<E>, P extends PathsOf<E, M>>(
    method: M,
    path: P,
    ...options: CallArguments<EndpointAt<E, M, P>>
  ): Promise<ResponseOf<EndpointAt<E, M, P>>>;
}

/** What the runtime reads of a call's options, whatever the route's types made of them. */
interface AnyCallOptions {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly json?: unknown;
  readonly form?: FormData | URLSearchParams;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

const TEMPLATE_SEGMENT = /\{([^{}:]+)(?::([^{}]+))?\}/g;

/** `'/notes/{id:int}'` with `{ id: 7 }` → `'/notes/7'`; a `{rest:path}` keeps its slashes. */
function fillPath(method: string, template: string, params: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(TEMPLATE_SEGMENT, (_segment, name: string, converter: string | undefined) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined || value === null) {
      throw new TypeError(`${method} ${template}: params.${name} is missing`);
    }
    const text = String(value);
    return converter === 'path' ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text);
  });
}

/** A query string from `query`: a list repeats its key; `undefined` leaves a key out. */
function queryString(query: Readonly<Record<string, unknown>> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) search.append(key, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
    }
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The answer's body: JSON parsed, text as text, nothing as `undefined`. */
async function readBody(response: Response, where: string): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${where}: the answer says ${type} but is not JSON`, { cause: error });
  }
}

/**
 * Makes a client for the app whose routes are `Routes` (pass `typeof routes`: an array or tuple
 * of `Route`s and `Include`s) at `baseUrl` (absolute, or relative to the page in a browser).
 * Only types are read from the routes: the client itself is a thin layer over `fetch`.
 *
 * @example
 * import type { routes } from './server/routes';
 * const api = createHttpClient<typeof routes>('http://127.0.0.1:8000');
 * const note = await api.post('/notes', { json: { text: 'hi' } });        // note: { id: number; text: string; tags: string[] }
 * const again = await api.get('/notes/{id:int}', { params: { id: note.id } });
 * const { message } = await api.get('/hello', { query: { name: 'Ada' } });
 */
export function createHttpClient<Routes>(baseUrl: string | URL, options: HttpClientOptions = {}): HttpClient<HttpEndpoints<Routes>> {
  const base = String(baseUrl).replace(/\/+$/, '');
  const defaultHeaders = options.headers;

  async function call(method: string, path: string, call: AnyCallOptions = {}): Promise<unknown> {
    const doFetch = options.fetch ?? globalThis.fetch;
    if (typeof doFetch !== 'function') throw new TypeError('createHttpClient: no global fetch here; pass options.fetch');
    const url = fillPath(method, path, call.params) + queryString(call.query);
    const headers = new Headers(typeof defaultHeaders === 'function' ? await defaultHeaders() : defaultHeaders);
    for (const [name, value] of Object.entries(call.headers ?? {})) headers.set(name, value);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    let body: string | FormData | URLSearchParams | undefined = call.form;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers.set('content-type', 'application/json');
    }
    const response = await doFetch(base + url, { method, headers, body, signal: call.signal });
    const answer = await readBody(response, `${method} ${url}`);
    if (!response.ok) throw new HTTPStatusError(method, url, response.status, answer, response.headers);
    return answer;
  }

  // Each method is `call` with its name filled in; the types above say what each accepts.
  const bound =
    (method: string) =>
    (path: string, callOptions?: AnyCallOptions): Promise<unknown> =>
      call(method, path, callOptions);
  const client = {
    get: bound('GET'),
    post: bound('POST'),
    put: bound('PUT'),
    patch: bound('PATCH'),
    delete: bound('DELETE'),
    request: (method: string, path: string, callOptions?: AnyCallOptions) => call(method.toUpperCase(), path, callOptions),
  };
  return client as unknown as HttpClient<HttpEndpoints<Routes>>;
}
