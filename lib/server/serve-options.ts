import { parseArgs } from 'node:util';
import { isLogFormat, LOG_FORMATS, type LogFormat } from '../config/log-line';
import type { LogLevel } from '../config/logger';
import { switchValue } from '../config/settings';
import { type AppReference, parseAppReference } from './app-reference';

export { MAIN_HELP, SERVE_HELP } from './serve-help';

/** What `starwire serve` was asked to do. */
export interface ServeOptions {
  readonly app: AppReference;
  /** `module[:export]` as given, for the worker processes' command line. */
  readonly appText: string;
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  /** Passed to the app as `STARWIRE_LOG_LEVEL`; undefined leaves the environment alone. */
  readonly logLevel: LogLevel | undefined;
  /** Passed to the app as `STARWIRE_LOG_FORMAT`; undefined leaves the environment alone. */
  readonly logFormat: LogFormat | undefined;
  /** Passed to the app as `STARWIRE_ACCESS_LOG`; undefined leaves the environment alone. */
  readonly accessLog: boolean | undefined;
  /** Milliseconds a keep-alive connection may idle (`server.keepAliveTimeout`); undefined keeps Node's 5 s. */
  readonly keepAliveTimeout: number | undefined;
  /** Requests a process serves before it is replaced (alone: exits 0); undefined for no limit. */
  readonly limitMaxRequests: number | undefined;
  readonly reload: boolean;
  /** Milliseconds from the signal to closing anything, while `/readyz` answers 503. */
  readonly shutdownDelay: number;
  /** Milliseconds from the end of the delay to a forced exit. */
  readonly shutdownTimeout: number;
}

/** A command-line mistake: one line for standard error, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const CLI_LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

// No defaults here: a flag wins over its variable, which wins over the default.
const SERVE_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  workers: { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'access-log': { type: 'boolean' },
  'no-access-log': { type: 'boolean' },
  'keep-alive-timeout': { type: 'string' },
  'limit-max-requests': { type: 'string' },
  reload: { type: 'boolean' },
  'shutdown-delay': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Flag = Exclude<keyof typeof SERVE_FLAGS, 'help' | 'no-access-log'>;

/** `STARWIRE_` and the flag's name in capitals: `--keep-alive-timeout` is `STARWIRE_KEEP_ALIVE_TIMEOUT`. */
export function environmentName(flag: string): string {
  return `STARWIRE_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** A value and where it came from (`--port`, `STARWIRE_PORT`, `PORT`), for the error that names it. */
interface Given {
  readonly text: string;
  readonly from: string;
}

/**
 * Parses the arguments after `serve`; returns `'help'` when help was asked for. Every option
 * also comes from `STARWIRE_<FLAG>` in `env` (`--host` and `--port` then from `HOST` and
 * `PORT`, as platforms that assign the port set them); a flag wins over its variable. Throws
 * `UsageError` with one line naming the flag or the variable.
 *
 * @example
 * parseServeArgs(['dist/app.js', '--port', '0', '--workers', '2']);
 * parseServeArgs(['dist/app.js'], { STARWIRE_WORKERS: '4', STARWIRE_KEEP_ALIVE_TIMEOUT: '75' });
 */
export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeOptions | 'help' {
  const { values, positionals } = parseStrict(args);
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('serve needs a module: starwire serve <module>[:export]');
  if (positionals.length > 1) throw new UsageError(`serve takes one module, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values['access-log'] && values['no-access-log']) throw new UsageError('give --access-log or --no-access-log, not both');

  // An empty variable counts as unset, as `PORT= starwire serve ...` means.
  const given = (flag: Flag, fallback?: string): Given | undefined => {
    const value = values[flag];
    if (value !== undefined) return { text: String(value), from: `--${flag}` };
    for (const name of [environmentName(flag), fallback]) {
      if (name !== undefined && env[name]) return { text: env[name], from: name };
    }
    return undefined;
  };
  const accessFlag = values['no-access-log'] ? false : values['access-log'];
  const logLevel = given('log-level');
  if (logLevel && !(CLI_LOG_LEVELS as readonly string[]).includes(logLevel.text)) {
    throw new UsageError(`${logLevel.from} must be one of ${CLI_LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel.text)}`);
  }
  const logFormat = given('log-format');
  if (logFormat && !isLogFormat(logFormat.text)) {
    throw new UsageError(`${logFormat.from} must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(logFormat.text)}`);
  }
  const host = given('host', 'HOST');
  if (host?.text === '') throw new UsageError('--host must not be empty');
  const keepAlive = integer(given('keep-alive-timeout'), 1, 3600);
  const limit = given('limit-max-requests');
  return {
    app: parseAppReference(positionals[0]),
    appText: positionals[0],
    host: host?.text ?? '127.0.0.1',
    port: integer(given('port', 'PORT'), 0, 65535) ?? 8000,
    workers: integer(given('workers'), 1, 1024) ?? 1,
    logLevel: logLevel?.text as LogLevel | undefined,
    logFormat: logFormat?.text as LogFormat | undefined,
    accessLog: accessFlag ?? boolean(given('access-log')),
    keepAliveTimeout: keepAlive === undefined ? undefined : Math.round(keepAlive * 1000),
    limitMaxRequests: limit === undefined ? undefined : integer(limit, 1, Number.MAX_SAFE_INTEGER),
    reload: boolean(given('reload')) ?? false,
    shutdownDelay: Math.round((seconds(given('shutdown-delay'), 0, 3600) ?? 0) * 1000),
    shutdownTimeout: integer(given('shutdown-timeout'), 0, 24 * 3600 * 1000) ?? 10_000,
  };
}

/** The command line that gives back `options`: how the cluster primary starts its workers. */
export function serveArgs(options: ServeOptions): string[] {
  const args = ['serve', options.appText, '--host', options.host, '--port', String(options.port), '--workers', String(options.workers)];
  if (options.logLevel) args.push('--log-level', options.logLevel);
  if (options.logFormat) args.push('--log-format', options.logFormat);
  if (options.accessLog !== undefined) args.push(options.accessLog ? '--access-log' : '--no-access-log');
  if (options.keepAliveTimeout !== undefined) args.push('--keep-alive-timeout', String(options.keepAliveTimeout / 1000));
  if (options.limitMaxRequests !== undefined) args.push('--limit-max-requests', String(options.limitMaxRequests));
  if (options.reload) args.push('--reload');
  args.push('--shutdown-delay', String(options.shutdownDelay / 1000), '--shutdown-timeout', String(options.shutdownTimeout));
  return args;
}

function parseStrict(args: readonly string[]): ReturnType<typeof parseServe> {
  try {
    return parseServe(args);
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

function parseServe(args: readonly string[]) {
  return parseArgs({ args: [...args], options: SERVE_FLAGS, allowPositionals: true, strict: true });
}

/** parseArgs's messages run to several sentences; one line naming the flag reads better. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag ?? message}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    if (/argument missing/.test(message)) return `option ${flag} needs a value`;
    if (/ambiguous/.test(message)) return `option ${flag} needs a value (write ${flag}=<value> for one that starts with -)`;
    if (/does not take an argument/.test(message)) return `option ${flag} takes no value`;
  }
  return message.split('\n')[0];
}

function integer(given: Given | undefined, min: number, max: number): number | undefined {
  if (given === undefined) return undefined;
  const value = Number(given.text);
  if (!/^\d+$/.test(given.text) || value < min || value > max) {
    throw new UsageError(`${given.from} must be an integer from ${min} to ${max}, got ${JSON.stringify(given.text)}`);
  }
  return value;
}

/** A number of seconds, fractions allowed (`0.5`). */
function seconds(given: Given | undefined, min: number, max: number): number | undefined {
  if (given === undefined) return undefined;
  const value = Number(given.text);
  if (!/^\d+(\.\d+)?$/.test(given.text) || value < min || value > max) {
    throw new UsageError(`${given.from} must be a number of seconds from ${min} to ${max}, got ${JSON.stringify(given.text)}`);
  }
  return value;
}

/** A variable's true or false; a flag given is `'true'`. */
function boolean(given: Given | undefined): boolean | undefined {
  if (given === undefined) return undefined;
  const on = switchValue(given.text);
  if (on !== undefined) return on;
  throw new UsageError(`${given.from} must be true or false (1/0, yes/no, on/off), got ${JSON.stringify(given.text)}`);
}
