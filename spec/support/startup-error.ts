import assert from 'node:assert/strict';
import { ConfigurationError } from '../../lib/errors/exceptions';

/** The message of the `ConfigurationError` that `build` (usually `new App(...)`) throws. */
export function startupError(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected ConfigurationError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the App constructor to throw');
}
