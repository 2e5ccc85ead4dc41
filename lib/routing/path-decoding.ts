/**
 * Percent-decoding of request paths. Routing matches the raw path segment by segment and
 * decodes each piece only after it matched, so `/files/x%2Fy` is one segment whose value is
 * `x/y`, and `/files/x%252Fy` gives `x%2Fy`: two different paths never look alike.
 */

/** The `detail` of the 400 that answers a path with malformed percent-encoding. */
export const MALFORMED_PATH = 'Malformed percent-encoding in the request path';

/** Decodes one path segment, or the rest of a path for `{rest:path}`; `undefined` when malformed. */
export function decodeSegment(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * The path as `Scope.path` reports it: decoded, except `%2F`, which stays encoded so that a
 * decoded slash never reads as a segment boundary. `undefined` when the percent-encoding is
 * malformed (`%zz`, a truncated `%4`, bytes that are not UTF-8): such a request is a 400.
 *
 * @example
 * decodePath('/caf%C3%A9/x%2Fy'); // '/café/x%2Fy'
 * decodePath('/bad%zz');          // undefined
 */
export function decodePath(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return raw.split(/%2f/i).map(decodeURIComponent).join('%2F');
  } catch {
    return undefined;
  }
}
