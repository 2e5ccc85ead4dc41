import { HTTPException, ValidationError } from './exceptions';
import { JSONResponse, type Response } from '../http/response';
import type { Settings } from '../config/settings';
import * as status from './status';

/**
 * The HTTP side of the one table: an exception becomes the response the client sees.
 * Unexpected errors are reported through `settings.logError`, and their message and stack
 * reach the client only with `debug`.
 */
export function errorResponse(error: unknown, settings: Settings, where: string): Response {
  if (error instanceof HTTPException) {
    return new JSONResponse({ detail: error.detail }, { status: error.status, headers: { ...error.headers } });
  }
  if (error instanceof ValidationError) {
    return new JSONResponse(
      { detail: error.message, parameter: error.parameter, errors: error.errors },
      { status: status.HTTP_400_BAD_REQUEST },
    );
  }
  settings.logError(`Unhandled error in ${where}`, error);
  const body: Record<string, unknown> = { detail: 'Internal Server Error' };
  if (settings.debug && error instanceof Error) {
    body.detail = `${error.name}: ${error.message}`;
    body.stack = error.stack?.split('\n');
  }
  return new JSONResponse(body, { status: status.HTTP_500_INTERNAL_SERVER_ERROR });
}
