import type * as OtelApi from '@opentelemetry/api';

/**
 * The `@opentelemetry/api` module, loaded on first use: it is an optional peer dependency, so
 * `require('starwire')` neither needs it nor pays for loading it. `user` names what needs it,
 * for the error when the package is missing.
 */
export function loadOtelApi(user: string): typeof OtelApi {
  try {
    return require('@opentelemetry/api') as typeof OtelApi;
  } catch (error) {
    if (
      (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
      /'@opentelemetry\/api'/.test(String((error as Error).message).split('\n')[0])
    ) {
      throw new Error(
        `${user} needs the @opentelemetry/api package, an optional peer dependency of starwire: npm install @opentelemetry/api`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
