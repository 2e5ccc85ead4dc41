/**
 * A server frame as the client reads it: parsed JSON, or the reason it is ignored (the client
 * speaks JSON text; anything else is reported as an `error` event, never thrown).
 */
export function parseIncoming(data: unknown): { readonly message: unknown } | { readonly ignored: string } {
  if (typeof data !== 'string') return { ignored: 'StarwireClient: ignored a binary message (the client speaks JSON text)' };
  try {
    return { message: JSON.parse(data) };
  } catch {
    return { ignored: `StarwireClient: ignored a message that is not JSON: ${data.slice(0, 80)}` };
  }
}
