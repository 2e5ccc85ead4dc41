import { defaultFormSettings, type FormSettings, formLimitsProblem } from './form-settings';
import { isLogFormat, LOG_FORMATS, type LogFormat, serializeError } from './log-line';
import { type AppLogger, isLogLevel, LOG_LEVELS, Logger, type LogLevel } from './logger';
import { defaultWebSocketSettings, type WebSocketSettings } from './websocket-settings';

/**
 * App-wide settings; every field has a safe default. `App` takes any of them (`app.settings`
 * holds them all, defaults filled in).
 *
 * @example
 * const app = new App({ routes, settings: { maxBodySize: 64 * 1024, trustedProxies: ['10.0.0.1'], websocket: { maxPayload: 64 * 1024 } } });
 */
export interface Settings {
  /** Show error messages and stacks in 500 responses and 1011 close reasons. Default false. */
  debug: boolean;
  /** Largest request body read, in bytes; larger bodies get 413 without being read. Default 1 MiB. */
  maxBodySize: number;
  /**
   * Where unexpected errors are reported. Default: an `error` line through the logger, with the
   * error as `err` and the request's `reqId` (and the WebSocket's `connId`) when there is one.
   */
  logError: (message: string, error: unknown, context?: LogContext) => void;
  /** WebSocket limits and liveness. */
  websocket: WebSocketSettings;
  /** Limits on form bodies and uploads (`Form`, `Files`, `FormFile`), and where uploads are spooled. */
  forms: FormSettings;
  /**
   * `'info'` logs one line per HTTP request and per WebSocket opened and closed. Default: the
   * `STARWIRE_LOG_LEVEL` environment variable (which `starwire serve --log-level` sets), else `'warn'`.
   */
  logLevel: LogLevel;
  /**
   * One `http` log line per request whatever `logLevel` says (true), or none even at `'info'`
   * (false). Default: the `STARWIRE_ACCESS_LOG` environment variable (which `starwire serve
   * --access-log` / `--no-access-log` sets), else undefined: lines at `'info'` and `'debug'`.
   */
  accessLog: boolean | undefined;
  /** Where the built-in logger's lines go. Default: standard error. */
  logWrite: ((line: string) => void) | undefined;
  /**
   * The built-in logger's format: `'json'`, one pino-shaped object per line, or `'pretty'`, one
   * short coloured line for people. Default: the `STARWIRE_LOG_FORMAT` environment variable
   * (which `starwire serve --log-format` sets), else `'json'`.
   */
  logFormat: LogFormat;
  /**
   * The app's logger: pino, or anything of the `AppLogger` shape (`App({ logger })` sets it too).
   * Default: the built-in `Logger` at `logLevel`, in `logFormat`, writing to `logWrite`; a logger
   * given here keeps its own level and output.
   */
  logger: AppLogger;
  /**
   * Reverse proxies whose `X-Forwarded-For` names the client (`scope.client`, per-address
   * limits, logs): their addresses, or `'*'` for every peer. Default none: the header is ignored.
   */
  trustedProxies: readonly string[];
}

/** Settings as `App` takes them: any field may be left out, the WebSocket ones too. */
export type SettingsInput = Partial<Omit<Settings, 'websocket' | 'forms'>> & {
  websocket?: Partial<WebSocketSettings>;
  forms?: Partial<FormSettings>;
};

/** Where an error happened, for the default `logError`: a connection's logger binds its `reqId` and `connId`. */
export interface LogContext {
  readonly logger: AppLogger;
}

export const defaultSettings: Omit<Settings, 'logger' | 'logError'> = {
  debug: false,
  maxBodySize: 1024 * 1024,
  websocket: defaultWebSocketSettings,
  forms: defaultFormSettings,
  logLevel: 'warn',
  accessLog: undefined,
  logWrite: undefined,
  logFormat: 'json',
  trustedProxies: [],
};

/** The default `logError`: an `error` line with the error as `err`, through the context's logger when there is one. */
export function logErrorThrough(logger: AppLogger): Settings['logError'] {
  return (message, error, context) =>
    (context?.logger ?? logger).error({ event: 'error', err: error instanceof Error ? error : serializeError(error) }, message);
}

export function resolveSettings(partial: SettingsInput = {}): Settings {
  // A field passed as undefined keeps its default, as if it were left out.
  const given = defined(partial);
  const base = {
    ...defaultSettings,
    logLevel: environmentLogLevel(),
    accessLog: environmentAccessLog(),
    logFormat: environmentLogFormat(),
    ...given,
    websocket: { ...defaultWebSocketSettings, ...defined(partial.websocket ?? {}) },
    forms: { ...defaultFormSettings, ...defined(partial.forms ?? {}) },
  };
  if (!isLogFormat(base.logFormat))
    throw new TypeError(`settings.logFormat must be one of ${LOG_FORMATS.join(', ')}, got ${String(base.logFormat)}`);
  const logger = given.logger ?? new Logger({ level: base.logLevel, write: base.logWrite, format: base.logFormat });
  if (typeof logger.info !== 'function' || typeof logger.child !== 'function') {
    throw new TypeError('settings.logger must have the methods error, warn, info, debug and child (a pino logger has them)');
  }
  const settings: Settings = { ...base, logger, logError: given.logError ?? logErrorThrough(logger) };
  const formProblem = formLimitsProblem(settings.forms, 'settings.forms');
  if (formProblem) throw new TypeError(formProblem);
  for (const key of ['maxPayload', 'handshakeTimeout', 'heartbeatInterval', 'sendHighWaterMark', 'receiveQueue'] as const) {
    const value = settings.websocket[key];
    if (!(value >= 0)) throw new TypeError(`settings.websocket.${key} must be a non-negative number, got ${value}`);
  }
  if (!Array.isArray(settings.trustedProxies))
    throw new TypeError(`settings.trustedProxies must be an array of addresses, got ${String(settings.trustedProxies)}`);
  if (!Number.isInteger(settings.maxBodySize) || settings.maxBodySize < 0) {
    throw new TypeError(`settings.maxBodySize must be a non-negative integer, got ${settings.maxBodySize}`);
  }
  return settings;
}

/** `STARWIRE_LOG_LEVEL` when set, else the default; read when an app is made, so the CLI can set it first. */
export function environmentLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.STARWIRE_LOG_LEVEL;
  if (value === undefined || value === '') return defaultSettings.logLevel;
  if (!isLogLevel(value)) throw new TypeError(`STARWIRE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

/** `STARWIRE_ACCESS_LOG` as true or false when set, else undefined (lines follow the log level). */
export function environmentAccessLog(env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const value = env.STARWIRE_ACCESS_LOG;
  if (value === undefined || value === '') return undefined;
  const on = switchValue(value);
  if (on !== undefined) return on;
  throw new TypeError(`STARWIRE_ACCESS_LOG must be true or false, got ${JSON.stringify(env.STARWIRE_ACCESS_LOG)}`);
}

/** A variable's yes or no: 1/0, true/false, yes/no, on/off (any case); undefined for anything else. */
export function switchValue(text: string): boolean | undefined {
  const value = text.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return undefined;
}

/** `STARWIRE_LOG_FORMAT` when set, else `'json'`. */
export function environmentLogFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = env.STARWIRE_LOG_FORMAT;
  if (value === undefined || value === '') return defaultSettings.logFormat;
  if (!isLogFormat(value))
    throw new TypeError(`STARWIRE_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
