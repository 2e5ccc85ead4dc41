import { inspect } from 'node:util';

/** RFC 9110 §5.1: a field name is a token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §5.5: visible characters, spaces and tabs, obs-text; never CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Why `value` cannot be an HTTP status, or undefined when it can: an integer from 100 to 599
 * (RFC 9110 §15). Anything else would be refused by Node at write time and cut the connection.
 */
export function statusProblem(value: unknown, what: string): string | undefined {
  if (isStatus(value)) return undefined;
  return `${what}: status must be an integer from 100 to 599, got ${inspect(value)}`;
}

/** Whether `value` can be sent as an HTTP status: an integer from 100 to 599. */
export function isStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

/** Throws a TypeError naming `what` unless `value` is an HTTP status. */
export function assertStatus(value: unknown, what: string): void {
  const problem = statusProblem(value, what);
  if (problem) throw new TypeError(problem);
}

/**
 * Why a header cannot be sent, or undefined when it can. A CR or LF in a value would end the
 * header and let the value write headers of its own (a `Set-Cookie`, say) into the response.
 */
export function headerProblem(name: string, value: unknown, what: string): string | undefined {
  if (!TOKEN.test(name)) return `${what}: header name ${inspect(name)} is not a valid HTTP token`;
  // A single value, the usual case, is checked without wrapping it in a list.
  if (!Array.isArray(value)) return valueProblem(name, value, what);
  for (const item of value as unknown[]) {
    const problem = valueProblem(name, item, what);
    if (problem) return problem;
  }
  return undefined;
}

function valueProblem(name: string, item: unknown, what: string): string | undefined {
  if (typeof item !== 'string') return `${what}: header ${inspect(name)} must be a string, got ${inspect(item)}`;
  if (!FIELD_VALUE.test(item)) {
    return `${what}: header ${inspect(name)} has an invalid value ${JSON.stringify(item)} (CR, LF and other control characters cannot be sent)`;
  }
  return undefined;
}

/** Throws a TypeError naming `what` and the header unless it can be sent. */
export function assertHeader(name: string, value: unknown, what: string): void {
  const problem = headerProblem(name, value, what);
  if (problem) throw new TypeError(problem);
}

/** The first header of `headers` that cannot be sent, described; undefined when all can. */
export function headersProblem(headers: Readonly<Record<string, unknown>>, what: string): string | undefined {
  // for-in rather than Object.keys: every response's headers are checked, and it makes no list.
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const problem = headerProblem(name, headers[name], what);
    if (problem) return problem;
  }
  return undefined;
}

/** Throws a TypeError naming `what` and the header unless every header can be sent. */
export function assertHeaders(headers: Readonly<Record<string, unknown>>, what: string): void {
  const problem = headersProblem(headers, what);
  if (problem) throw new TypeError(problem);
}
