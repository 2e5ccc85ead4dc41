/**
 * An HTTP call answered with a status outside 2xx. `body` is the parsed answer: the JSON the
 * server sent (Starwire's errors are `{ detail }`, validation failures add `errors`), the text
 * when it was not JSON, `undefined` when there was none.
 *
 * @example
 * try {
 *   await api.get('/notes/{id:int}', { params: { id: 7 } });
 * } catch (error) {
 *   if (error instanceof HTTPStatusError && error.status === 404) showMissing(error.body);
 * }
 */
export class HTTPStatusError<Body = unknown> extends Error {
  override readonly name = 'HTTPStatusError';

  constructor(
    /** The method called, upper-case. */
    readonly method: string,
    /** The URL called (path and query, after the base URL). */
    readonly url: string,
    readonly status: number,
    readonly body: Body,
    readonly headers: Headers,
  ) {
    super(`${method} ${url} answered ${status}${detailOf(body)}`);
  }
}

/** The server's `detail`, when the body has one, for the message. */
function detailOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && typeof (body as { detail?: unknown }).detail === 'string') {
    return `: ${(body as { detail: string }).detail}`;
  }
  return typeof body === 'string' && body !== '' ? `: ${body.slice(0, 200)}` : '';
}
