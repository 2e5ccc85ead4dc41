import { ValidationError } from '../errors/exceptions';

/** Parses a WebSocket message as JSON; malformed JSON is a `ValidationError` (close 1007 when unhandled). */
export function parseJsonMessage(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('message', [], `Invalid JSON message: ${(error as Error).message}`);
  }
}
