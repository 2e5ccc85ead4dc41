/**
 * A preload (`node -r`) for bench/serve-ready: when the process's first HTTP response has been
 * written, prints the CPU time the process has used so far (user + system, ms) on stderr as
 * `first-response-cpu-ms <n>`. It hooks only `http.Server`'s events, so it costs the measured
 * process next to nothing and measures a plain `node:http` server and `starwire serve` alike.
 */
import { Server } from 'node:http';

/** The line's prefix on stderr. */
export const FIRST_RESPONSE_CPU = 'first-response-cpu-ms';

const emit = Server.prototype.emit;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request') {
    Server.prototype.emit = emit;
    const response = args[1] as { once(event: 'finish', listener: () => void): void };
    response.once('finish', () => {
      const { user, system } = process.cpuUsage();
      process.stderr.write(`${FIRST_RESPONSE_CPU} ${(user + system) / 1000}\n`);
    });
  }
  return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
} as typeof emit;
