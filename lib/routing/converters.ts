/**
 * Path parameter converters: `{id:int}`, `{price:float}`, `{slug}` / `{slug:str}`,
 * `{key:uuid}`, and `{rest:path}` (the rest of the path, slashes included; last segment only).
 */
export interface Converter {
  readonly name: string;
  /** Turns a decoded segment into the handler's value, or `undefined` when it does not match. */
  convert(segment: string): string | number | undefined;
}

const INT = /^-?\d+$/;
const FLOAT = /^-?\d+(\.\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const converters: Readonly<Record<string, Converter>> = {
  str: { name: 'str', convert: (segment) => (segment === '' ? undefined : segment) },
  int: {
    name: 'int',
    convert: (segment) => {
      if (!INT.test(segment)) return undefined;
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
