/** How much Starwire says: each level includes the ones before it. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Every level's name, least to most verbose. */
export const LOG_LEVELS = Object.keys(RANK) as readonly LogLevel[];

/** Whether `value` names a level (an own key: not `toString` and friends). */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** One event: what happened and its fields; never a request or message payload. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * Structured logging: one JSON line per event, written where `write` says (standard error by
 * default). `info` gives a line per HTTP request and per WebSocket opened and closed.
 *
 * @example
 * new App({ routes, settings: { logLevel: 'info' } });
 * // {"time":"2026-11-24T15:40:00.000Z","level":"info","event":"http","method":"GET","path":"/","status":200,"ms":0.41,"client":"127.0.0.1"}
 */
export class Logger {
  private readonly rank: number;

  constructor(
    readonly level: LogLevel = 'warn',
    private readonly write: (line: string) => void = writeStderr,
  ) {
    if (!isLogLevel(level)) throw new TypeError(`Log level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
    this.rank = RANK[level];
  }

  /** True when events of `level` are written; check it before building fields that cost something. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return RANK[level] <= this.rank;
  }

  log(level: Exclude<LogLevel, 'silent'>, event: string, fields: LogFields = {}): void {
    if (RANK[level] > this.rank) return;
    this.write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
  }
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Milliseconds since `start` (from `performance.now()`), rounded to microseconds. */
export function since(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}
