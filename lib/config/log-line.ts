import { styleText } from 'node:util';

/** How the built-in logger writes a line: pino-shaped JSON for machines, or one short line for people. */
export type LogFormat = 'json' | 'pretty';

/** Every format's name. */
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Whether `value` names a log format. */
export function isLogFormat(value: unknown): value is LogFormat {
  return value === 'json' || value === 'pretty';
}

/** An error as a log line carries it (pino's `err` shape); the stack stays one JSON string. */
export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
}

/** `{ type, message, stack }` of anything thrown: a non-Error gets its type's name and its text. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { type: error.constructor?.name || error.name, message: error.message, stack: error.stack };
  if (typeof error === 'object' && error !== null && typeof (error as SerializedError).message === 'string') {
    const { type, message, stack } = error as Partial<SerializedError>;
    return {
      type: typeof type === 'string' ? type : 'Object',
      message: message as string,
      stack: typeof stack === 'string' ? stack : undefined,
    };
  }
  return { type: error === null ? 'null' : typeof error, message: String(error) };
}

/** Errors anywhere in the fields become `{ type, message, stack }`; bigints become strings. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Fields as JSON members (`,"a":1,"b":2`), or a note when they cannot be serialised (a cycle). */
function members(fields: object): string {
  let json: string;
  try {
    json = JSON.stringify(fields, replacer);
  } catch (error) {
    return `,"fields":${JSON.stringify(`unserializable: ${serializeError(error).message}`)}`;
  }
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/** One JSON object in pino's order: level, time, pid and hostname with bindings (`base`), fields, msg. */
export function jsonLine(level: number, time: number, base: string, fields: object, msg: string | undefined): string {
  const message = msg === undefined ? '' : `,"msg":${JSON.stringify(msg)}`;
  return `{"level":${level},"time":${time}${base}${members(fields)}${message}}`;
}

const NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
type Colour = Parameters<typeof styleText>[0];
const COLOURS: Record<number, Colour> = { 10: 'gray', 20: 'blue', 30: 'green', 40: 'yellow', 50: 'red', 60: 'magenta' };

/**
 * One short line for people: `15:40:00.123 INFO  GET /items 200 0.41 ms reqId=k3x9q2-1`. Fields
 * whose value the message or a binding already shows are left out, and so are nulls, and an error shows its type, message and
 * the first frame of its stack.
 */
export function prettyLine(
  level: number,
  time: number,
  bindings: Readonly<Record<string, string>>,
  fields: Readonly<Record<string, unknown>>,
  msg: string | undefined,
  colors: boolean,
): string {
  // styleText is Node 20.12+: earlier 20s print plain lines. The caller decided on colour already.
  const paint = (colour: Colour, text: string): string =>
    colors && typeof styleText === 'function' ? styleText(colour, text, { validateStream: false }) : text;
  const clock = new Date(time).toISOString().slice(11, 23);
  const text = msg ?? String(fields.event ?? '');
  let line = `${paint('gray', clock)} ${paint(COLOURS[level] ?? 'white', (NAMES[level] ?? String(level)).padEnd(5))} ${text}`;
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'event' || key === 'err' || value === undefined || value === null) continue;
    const shown = typeof value === 'string' ? value : JSON.stringify(value, replacer);
    if (text.includes(shown) || Object.values(bindings).includes(shown)) continue;
    line += ` ${paint('gray', `${key}=`)}${shown}`;
  }
  for (const [key, value] of Object.entries(bindings)) line += ` ${paint('gray', `${key}=`)}${value}`;
  if (fields.err !== undefined) line += ` ${paint('red', errorSummary(serializeError(fields.err)))}`;
  return line.replace(NEWLINES, ' ');
}

const NEWLINES = /\s*[\r\n]+\s*/g;

/** `TypeError: boom (at handler (/app/x.js:3:9))`: the first frame only, so the line stays one line. */
function errorSummary(err: SerializedError): string {
  const frame = err.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  return `${err.type}: ${err.message}${frame ? ` (${frame})` : ''}`;
}
