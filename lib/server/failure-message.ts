/**
 * An error as the `starwire` command prints it on standard error: the message, and the cause's
 * stack where there is one.
 *
 * @example
 * process.stderr.write(`starwire: ${describeFailure(error)}\n`);
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // A load error says all there is; a system error (EADDRINUSE) needs no stack.
  if (error.name === 'AppLoadError' || typeof (error as { code?: unknown }).code === 'string') return error.message;
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error && cause.stack ? `${error.message}\n${cause.stack}` : (error.stack ?? error.message);
}
