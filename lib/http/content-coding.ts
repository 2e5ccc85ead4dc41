/** The content codings Starwire can compress with (`node:zlib`). */
export type ContentCoding = 'br' | 'gzip';

/**
 * The coding to send a body in, given the request's `Accept-Encoding` and the codings on
 * `offer` (in order of preference): the one the client weighs highest (`q`), the earlier on
 * `offer` when equal; `*` stands for any coding not named, `x-gzip` for `gzip`, and `q=0`
 * refuses. `undefined` when the client accepts none of them (or sent no `Accept-Encoding`):
 * send the body as it is.
 *
 * @example
 * negotiateEncoding('gzip, deflate, br', ['br', 'gzip']); // 'br'
 * negotiateEncoding('br;q=0.5, gzip', ['br', 'gzip']); // 'gzip'
 * negotiateEncoding('*;q=0, identity', ['br', 'gzip']); // undefined
 */
export function negotiateEncoding(header: string | undefined, offer: readonly ContentCoding[]): ContentCoding | undefined {
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    let name = rawName.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'x-gzip') name = 'gzip';
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key.trim().toLowerCase() === 'q') q = parseQ(value);
    }
    // A coding named twice keeps its highest weight.
    weights.set(name, Math.max(q, weights.get(name) ?? -1));
  }
  let best: ContentCoding | undefined;
  let bestQ = 0;
  for (const coding of offer) {
    const q = weights.get(coding) ?? weights.get('*') ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

/** A `q` value (0–1, up to three decimals); anything malformed counts as 0, so it never wins. */
function parseQ(value: string | undefined): number {
  const text = value?.trim() ?? '';
  if (!/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(text)) return 0;
  return Number(text);
}

/** Media types worth compressing outside `text/*` and the `+json`/`+xml` suffixes. */
const COMPRESSIBLE_TYPES = new Set([
  'application/json',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/xml',
  'application/xhtml+xml',
  'application/wasm',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'application/vnd.ms-fontobject',
  'application/x-ndjson',
  'image/svg+xml',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
  'font/ttf',
  'font/otf',
  'font/collection',
]);

/**
 * Whether a body of this `Content-Type` is worth compressing: text (`text/*`), JSON, XML,
 * JavaScript, SVG and a few other uncompressed formats. Everything else is not: images
 * (but SVG, BMP, icons), audio, video, archives (zip, gzip, br), `woff`/`woff2` fonts, PDFs,
 * `application/octet-stream`, a missing type. `text/event-stream` never is: compressing it would
 * hold events back in the compressor.
 *
 * @example
 * isCompressible('application/json; charset=utf-8'); // true
 * isCompressible('image/png'); // false
 */
export function isCompressible(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/event-stream') return false;
  if (type.startsWith('text/')) return true;
  if (type.endsWith('+json') || type.endsWith('+xml')) return true;
  return COMPRESSIBLE_TYPES.has(type);
}
