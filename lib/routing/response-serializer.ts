import { ConfigurationError } from '../errors/exceptions';
import * as status from '../errors/status';
import type { JsonSchema } from '../inject/schema';
import { checkJsonSchema } from '../inject/validation';
import type { ResponseSchemas } from './routes';

/**
 * How a route writes the JSON bodies of the plain values its handler returns: the status they
 * go out with and the serializer compiled from the schema declared for it.
 */
export interface ResponseSerializer {
  readonly status: number;
  /** The value as JSON, with only the properties the schema lists; throws `ResponseSchemaError`. */
  readonly serialize: (value: unknown) => string;
}

/**
 * A value a handler returned could not be written by its route's response schema (a required
 * property missing, a string where an integer belongs): a bug of the app, answered 500.
 */
export class ResponseSchemaError extends Error {
  constructor(
    readonly where: string,
    readonly status: number,
    cause: unknown,
  ) {
    super(`${where}: the value returned does not fit the ${status} response schema: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
    this.name = 'ResponseSchemaError';
  }
}

type Build = (schema: JsonSchema) => (value: unknown) => string;
let build: Build | undefined;
/** Loaded on first use: an app that declares no response schema never loads it. */
const fastJsonStringify = (): Build => (build ??= require('fast-json-stringify') as Build);

/** 2xx statuses that never carry a body, so never a JSON one. */
const BODILESS = new Set([status.HTTP_204_NO_CONTENT, status.HTTP_205_RESET_CONTENT]);

/**
 * The status a plain value returned by the handler goes out with: 200, unless the route
 * declares 2xx bodies and 200 is not among them (a route that creates declares 201), then the
 * lowest it declares.
 */
export function plainValueStatus(responses: ResponseSchemas | undefined): number {
  let lowest: number | undefined;
  for (const key of Object.keys(responses ?? {})) {
    const code = Number(key);
    if (code >= 200 && code < 300 && !BODILESS.has(code) && (lowest === undefined || code < lowest)) lowest = code;
  }
  return lowest ?? status.HTTP_200_OK;
}

/**
 * Checks every schema a route declares (each must be an HTTP status with a JSON Schema that
 * ajv's strict mode accepts) and compiles the one for the status plain values go out with into
 * a fast-json-stringify serializer. Undefined when that status has no schema, so the route
 * answers as if it declared none. Mistakes fail here, naming the route and the status.
 */
export function compileResponseSerializer(responses: ResponseSchemas | undefined, where: string): ResponseSerializer | undefined {
  if (responses === undefined) return undefined;
  if (responses === null || typeof responses !== 'object' || Array.isArray(responses)) {
    throw new ConfigurationError(`${where}: responses must be an object of JSON Schemas by status, got ${String(responses)}`);
  }
  for (const [key, schema] of Object.entries(responses)) {
    if (!/^[1-5][0-9][0-9]$/.test(key)) throw new ConfigurationError(`${where}: responses: ${key} is not an HTTP status (100–599)`);
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      throw new ConfigurationError(`${where}: the ${key} response must be a JSON Schema object, got ${JSON.stringify(schema)}`);
    }
    checkJsonSchema(schema, `the ${key} response`, where);
  }
  const code = plainValueStatus(responses);
  const schema = responses[code];
  if (schema === undefined) return undefined;
  let write: (value: unknown) => string;
  try {
    write = fastJsonStringify()(schema);
  } catch (error) {
    throw new ConfigurationError(`${where}: invalid JSON Schema for the ${code} response: ${(error as Error).message}`);
  }
  return {
    status: code,
    serialize: (value) => {
      try {
        return write(value);
      } catch (error) {
        throw new ResponseSchemaError(where, code, error);
      }
    },
  };
}
