/**
 * What passes between the cluster primary and its workers over IPC, and the serving line
 * either prints. Kept apart from serve.ts so that the primary never loads the app's code.
 */
/** What a worker tells the cluster primary, and what the primary asks of a worker (over IPC). */
export type WorkerReport = { starwire: 'listening'; inMemoryLayer: boolean };
/** The worker served `--limit-max-requests`: it serves on until its replacement listens. */
export type WorkerLimitReached = { starwire: 'limit-reached'; requests: number };
export type WorkerCommand = { starwire: 'shutdown'; code: number };

export function isWorkerReport(message: unknown): message is WorkerReport {
  return typeof message === 'object' && message !== null && (message as WorkerReport).starwire === 'listening';
}

export function isLimitReached(message: unknown): message is WorkerLimitReached {
  return typeof message === 'object' && message !== null && (message as WorkerLimitReached).starwire === 'limit-reached';
}

export function isWorkerCommand(message: unknown): message is WorkerCommand {
  return typeof message === 'object' && message !== null && (message as WorkerCommand).starwire === 'shutdown';
}

/** `http://host:port`, with IPv6 hosts in brackets. */
function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The line that says the server is up; specs and scripts read the port from it. */
export function servingLine(host: string, port: number, workers: number): string {
  return `starwire: serving ${serverUrl(host, port)} (${workers} worker${workers === 1 ? '' : 's'})`;
}

/** The host and port in a serving line, for scripts that start `starwire serve --port 0`. */
export function parseServingLine(text: string): { host: string; port: number } | undefined {
  const match = /starwire: serving http:\/\/\[?([^\s\]]+?)\]?:(\d+) \(/.exec(text);
  return match ? { host: match[1], port: Number(match[2]) } : undefined;
}
