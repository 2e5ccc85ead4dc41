/**
 * Path parameter converters: `{id:int}`, `{price:float}`, `{slug}` / `{slug:str}`,
 * `{key:uuid}`, and `{rest:path}` (the rest of the path, slashes included; last segment only).
 */
export interface Converter {
  readonly name: string;
  /** Turns a decoded segment into the handler's value, or `undefined` when it does not match. */
  convert(segment: string): string | number | undefined;
}

const FLOAT = /^-?\d+(\.\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `-?[0-9]+`, tested by hand: every request to an `{id:int}` route runs it, and a loop beats the regex. */
function isDigits(segment: string): boolean {
  const length = segment.length;
  let i = length !== 0 && segment.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i === length) return false;
  for (; i < length; i++) {
    const code = segment.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

export const converters: Readonly<Record<string, Converter>> = {
  str: { name: 'str', convert: (segment) => (segment === '' ? undefined : segment) },
  int: {
    name: 'int',
    convert: (segment) => {
      if (!isDigits(segment)) return undefined;
      const value = Number(segment);
      return Number.isSafeInteger(value) ? value : undefined;
    },
  },
  float: {
    name: 'float',
    convert: (segment) => {
      if (!FLOAT.test(segment)) return undefined;
      const value = Number(segment);
      // A long enough digit string overflows to Infinity, which is not the number the client sent.
      return Number.isFinite(value) ? value : undefined;
    },
  },
  uuid: { name: 'uuid', convert: (segment) => (UUID.test(segment) ? segment.toLowerCase() : undefined) },
  path: { name: 'path', convert: (rest) => rest },
};
