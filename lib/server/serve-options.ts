import { parseArgs } from 'node:util';
import { isLogFormat, LOG_FORMATS, type LogFormat } from '../config/log-line';
import type { LogLevel } from '../config/logger';
import { type AppReference, parseAppReference } from './app-reference';

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
  readonly reload: boolean;
  /** Milliseconds from the signal to a forced exit. */
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

export const MAIN_HELP = `Usage: starwire <command> [options]

Commands:
  serve <module>[:export]   Serve a Starwire app over HTTP and WebSocket

Options:
  -h, --help                Show this help (starwire serve --help for the serve options)
  --version                 Print the Starwire version
`;

export const SERVE_HELP = `Usage: starwire serve <module>[:export] [options]

Serves the App exported by <module>, a path (relative to the working directory) to a compiled
.js file, or a .ts file when tsx is installed. The export (default: app, then default) is an
App or a zero-argument function returning an App or a Promise of one.

Options:
  --host <host>              Address to listen on (default: $HOST, else 127.0.0.1; 0.0.0.0 for every interface)
  --port <port>              Port to listen on, 0 for any free one (default: $PORT, else 8000)
  --workers <n>              Processes sharing the port through node:cluster (default: 1)
  --log-level <level>        debug, info, warn or error; sets STARWIRE_LOG_LEVEL for the app
                             (default: the app's setting, else STARWIRE_LOG_LEVEL, else warn)
  --log-format <format>      json (one pino-shaped object per line) or pretty (one short coloured
                             line); sets STARWIRE_LOG_FORMAT for the app (default: json)
  --reload                   Restart on file changes under the module's directory (development)
  --shutdown-timeout <ms>    After SIGTERM/SIGINT, force the exit after this long (default: 10000)
  -h, --help                 Show this help

Examples:
  starwire serve dist/samples/chat/app.js:chatApp --port 8000
  starwire serve dist/app.js --host 0.0.0.0 --workers 4 --log-level info

Exit codes: 0 clean shutdown, 1 the app failed to start, 2 usage error, 3 shutdown timed out,
130 a second SIGINT (Ctrl-C) cut the shutdown short.
`;

const SERVE_FLAGS = {
  // No defaults here: a flag wins over HOST/PORT, which win over the defaults.
  host: { type: 'string' },
  port: { type: 'string' },
  workers: { type: 'string', default: '1' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  reload: { type: 'boolean', default: false },
  'shutdown-timeout': { type: 'string', default: '10000' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * Parses the arguments after `serve`; returns `'help'` when help was asked for. Throws
 * `UsageError` with one line naming the flag (or the variable). `--host` and `--port` default
 * to the `HOST` and `PORT` environment variables, as platforms that assign the port set them.
 *
 * @example
 * parseServeArgs(['dist/app.js', '--port', '0', '--workers', '2']);
 */
export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeOptions | 'help' {
  const { values, positionals } = parseStrict(args);
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('serve needs a module: starwire serve <module>[:export]');
  if (positionals.length > 1) throw new UsageError(`serve takes one module, got ${positionals.length}: ${positionals.join(' ')}`);
  const logLevel = values['log-level'];
  if (logLevel !== undefined && !(CLI_LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${CLI_LOG_LEVELS.join(', ')}, got ${logLevel}`);
  }
  const logFormat = values['log-format'];
  if (logFormat !== undefined && !isLogFormat(logFormat))
    throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got ${logFormat}`);
  if (values.host === '') throw new UsageError('--host must not be empty');
  // An empty variable counts as unset, as `PORT= starwire serve ...` means.
  const port = values.port ?? (env.PORT || undefined);
  return {
    app: parseAppReference(positionals[0]),
    appText: positionals[0],
    host: values.host ?? (env.HOST || '127.0.0.1'),
    port: port === undefined ? 8000 : integer(values.port === undefined ? 'PORT' : '--port', port, 0, 65535),
    workers: integer('--workers', values.workers, 1, 1024),
    logLevel: logLevel as LogLevel | undefined,
    logFormat,
    reload: values.reload,
    shutdownTimeout: integer('--shutdown-timeout', values['shutdown-timeout'], 0, 24 * 3600 * 1000),
  };
}

/** The command line that gives back `options`: how the cluster primary starts its workers. */
export function serveArgs(options: ServeOptions): string[] {
  const args = ['serve', options.appText, '--host', options.host, '--port', String(options.port), '--workers', String(options.workers)];
  if (options.logLevel) args.push('--log-level', options.logLevel);
  if (options.logFormat) args.push('--log-format', options.logFormat);
  if (options.reload) args.push('--reload');
  args.push('--shutdown-timeout', String(options.shutdownTimeout));
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

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}
