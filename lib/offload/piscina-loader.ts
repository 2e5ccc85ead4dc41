import type { Piscina } from 'piscina';

/**
 * piscina's pool class, loaded on first use: it is an optional peer dependency, so
 * `require('starwire')` neither needs it nor pays for loading it. `user` names what needs it,
 * for the error when the package is missing.
 */
export function loadPiscina(user: string): typeof Piscina {
  try {
    return (require('piscina') as typeof import('piscina')).Piscina;
  } catch (error) {
    // Only piscina itself missing is this mistake; one of its own files missing is another.
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && /'piscina'/.test(String((error as Error).message).split('\n')[0])) {
      throw new Error(`${user} needs the piscina package, an optional peer dependency of starwire: npm install piscina`, { cause: error });
    }
    throw error;
  }
}
