import { hostname } from 'node:os';
import { jsonLine, type LogFormat, prettyLine } from './log-line';

/** How much Starwire says: each level includes the ones before it. */
export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** pino's number for each level, as it appears in the `level` field of a JSON line. */
export const LEVEL_NUMBERS: Readonly<Record<Exclude<LogLevel, 'silent'>, number>> = {
  fatal: 60,
  error: 50,
  warn: 40,
  info: 30,
  debug: 20,
  trace: 10,
};

const THRESHOLD: Record<LogLevel, number> = { silent: Number.POSITIVE_INFINITY, ...LEVEL_NUMBERS };

/** Every level's name, least to most verbose. */
export const LOG_LEVELS = Object.keys(THRESHOLD) as readonly LogLevel[];

/** Whether `value` names a level (an own key: not `toString` and friends). */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(THRESHOLD, value);
}

/** One event's fields: `event` names it for machines; `err` holds an error, serialised as `{ type, message, stack }`. */
export type LogFields = Readonly<Record<string, unknown>>;

/** One level's method: pino's `logger.info(fields, msg)` call shape. */
export type LogMethod = (fields: LogFields, msg?: string) => void;

/**
 * What Starwire needs of a logger: pino's shape, so a pino instance (or anything with these
 * methods) can be the app's logger. `isLevelEnabled`, when present, spares building lines that
 * would be dropped.
 *
 * @example
 * import pino from 'pino';
 * const app = new App({ routes, logger: pino() });
 * // Or any object of this shape:
 * const quiet: AppLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, child: () => quiet };
 */
export interface AppLogger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  /** A logger whose lines all carry `bindings` (Starwire binds `reqId` and `connId`). */
  child(bindings: Record<string, string>): AppLogger;
  isLevelEnabled?(level: string): boolean;
}

/** Whether `logger` writes lines of `level`: true for a logger that cannot say. */
export function levelEnabled(logger: AppLogger, level: Exclude<LogLevel, 'silent'>): boolean {
  return logger.isLevelEnabled === undefined || logger.isLevelEnabled(level);
}

/** How the built-in `Logger` is made; every field has a default. */
export interface LoggerOptions {
  /** Default `'warn'`. */
  level?: LogLevel;
  /** Where each line goes (without its newline). Default: standard error. */
  write?: (line: string) => void;
  /** `'json'` (default): one pino-shaped JSON object per line; `'pretty'`: one short line for people. */
  format?: LogFormat;
  /** Colour pretty lines; default: when they go to a terminal and `NO_COLOR` is unset. */
  colors?: boolean;
}

/** What a logger and its children share. */
interface Sink {
  readonly threshold: number;
  readonly write: (line: string) => void;
  readonly format: LogFormat;
  readonly colors: boolean;
}

/**
 * Starwire's own logger, used when the app is given none: one JSON object per line in pino's
 * shape (`level` as pino's number, `time` in epoch ms, `pid`, `hostname`, bindings, fields, `msg`),
 * or one short coloured line with `format: 'pretty'`. `info` gives a line per HTTP request and
 * per WebSocket opened and closed.
 *
 * @example
 * new App({ routes, settings: { logLevel: 'info' } });
 * // {"level":30,"time":1795534800000,"pid":4121,"hostname":"web-1","reqId":"k3x9q2-1","event":"http","method":"GET","path":"/","status":200,"ms":0.41,"client":"127.0.0.1","completed":true,"msg":"GET / 200 0.41 ms"}
 * const logger = new Logger({ level: 'debug', format: 'pretty' });
 * logger.child({ reqId: 'abc' }).info({ event: 'hello', user: 'dot' }, 'hello');
 */
export class Logger implements AppLogger {
  readonly level: LogLevel;
  private readonly sink: Sink;
  /** The JSON members every line carries after `time`: pid, hostname, bindings. */
  private readonly base: string;
  private readonly bindings: Readonly<Record<string, string>>;

  constructor(options: LoggerOptions = {}, parent?: { sink: Sink; base: string; bindings: Readonly<Record<string, string>> }) {
    const level = options.level ?? 'warn';
    if (!isLogLevel(level)) throw new TypeError(`Log level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
    this.level = level;
    const write = options.write ?? writeStderr;
    this.sink = parent?.sink ?? {
      threshold: THRESHOLD[level],
      write,
      format: options.format ?? 'json',
      colors: options.colors ?? (write === writeStderr && process.stderr.isTTY === true && !process.env.NO_COLOR),
    };
    this.base = parent?.base ?? `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
    this.bindings = parent?.bindings ?? {};
  }

  /** True when lines of `level` are written; check it before building fields that cost something. */
  isLevelEnabled(level: string): boolean {
    const number = (LEVEL_NUMBERS as Record<string, number | undefined>)[level];
    return number !== undefined && number >= this.sink.threshold;
  }

  fatal(fields: LogFields, msg?: string): void {
    this.write(60, fields, msg);
  }
  error(fields: LogFields, msg?: string): void {
    this.write(50, fields, msg);
  }
  warn(fields: LogFields, msg?: string): void {
    this.write(40, fields, msg);
  }
  info(fields: LogFields, msg?: string): void {
    this.write(30, fields, msg);
  }
  debug(fields: LogFields, msg?: string): void {
    this.write(20, fields, msg);
  }
  trace(fields: LogFields, msg?: string): void {
    this.write(10, fields, msg);
  }

  /** A logger whose every line carries `bindings` after `hostname`, as pino's children do. */
  child(bindings: Record<string, string>): Logger {
    let base = this.base;
    for (const [key, value] of Object.entries(bindings)) base += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    return new Logger({ level: this.level }, { sink: this.sink, base, bindings: { ...this.bindings, ...bindings } });
  }

  private write(level: number, fields: LogFields, msg: string | undefined): void {
    const sink = this.sink;
    if (level < sink.threshold) return;
    try {
      sink.write(
        sink.format === 'pretty'
          ? prettyLine(level, Date.now(), this.bindings, fields, msg, sink.colors)
          : jsonLine(level, Date.now(), this.base, fields, msg),
      );
    } catch {
      // Logging never fails the code that logs.
    }
  }
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Milliseconds since `start` (from `performance.now()`), rounded to microseconds. */
export function since(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}
