/**
 * The `prom-client` module, loaded on first use: it is an optional peer dependency, so an app
 * without `metrics` neither needs it nor pays for loading it. `user` names what needs it, for
 * the error when the package is missing.
 */
export function loadPromClient(user: string): typeof import('prom-client') {
  try {
    return require('prom-client') as typeof import('prom-client');
  } catch (error) {
    // Only prom-client itself missing is this mistake; one of its own files missing is another.
    if (
      (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
      /'prom-client'/.test(String((error as Error).message).split('\n')[0])
    ) {
      throw new Error(`${user} needs the prom-client package, an optional peer dependency of starwire: npm install prom-client`, {
        cause: error,
      });
    }
    throw error;
  }
}
