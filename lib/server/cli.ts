#!/usr/bin/env node
/**
 * The `starwire` command: `starwire serve <module>[:export]` serves an app the way uvicorn
 * serves an ASGI one; `starwire openapi|asyncapi <module>[:export]` prints its API descriptions. One process serves by itself; `--workers N` or `--reload` make this
 * process a `node:cluster` primary and the workers run this same file (see cluster.ts).
 *
 * @example
 * // npx starwire serve dist/samples/chat/app.js:chatApp --port 8000 --workers 2
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESCRIBE_HELP, parseDescribeArgs, printDescription } from './describe-command';
import { EXIT } from './exit-codes';
import { describeFailure } from './failure-message';
import { MAIN_HELP, parseServeArgs, SERVE_HELP, type ServeOptions, UsageError } from './serve-options';

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/**
 * Whether this process is a worker of `--workers N` or `--reload`. node:cluster (3 ms of CPU
 * to load) is asked only where the answer can be yes: the primary starts its workers with its
 * own options, and Node marks a worker's environment with NODE_UNIQUE_ID.
 */
function isClusterWorker(options: ServeOptions): boolean {
  if (options.workers === 1 && !options.reload && !('NODE_UNIQUE_ID' in process.env)) return false;
  return (require('node:cluster') as typeof import('node:cluster').default).isWorker;
}

async function serve(options: ServeOptions): Promise<void> {
  // The app reads it when it is made: in this process, and in workers, which inherit it.
  if (options.logLevel) process.env.STARWIRE_LOG_LEVEL = options.logLevel;
  if (options.accessLog !== undefined) process.env.STARWIRE_ACCESS_LOG = String(options.accessLog);
  if (options.logFormat) process.env.STARWIRE_LOG_FORMAT = options.logFormat;
  // Loaded here so that help and usage errors stay quick; by require(), not import(), which
  // would start Node's ES module loader (a few milliseconds) only to load CommonJS.
  const worker = isClusterWorker(options);
  if (worker || (options.workers === 1 && !options.reload)) {
    const { serveProcess } = require('./serve.js') as typeof import('./serve.js');
    return serveProcess(options, worker);
  }
  const { ClusterPrimary } = require('./cluster.js') as typeof import('./cluster.js');
  await ClusterPrimary.start(options);
}

/**
 * Runs the command line `args` (without `node` and the script). Usage errors print one line
 * and set exit code 2; serving runs until a signal.
 */
export async function main(args: readonly string[]): Promise<void> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(rest[0] === 'serve' ? SERVE_HELP : MAIN_HELP);
    return;
  }
  if (command === '--version') {
    process.stdout.write(`${version()}\n`);
    return;
  }
  if (command === 'openapi' || command === 'asyncapi') {
    const options = parseDescribeArgs(command, rest);
    if (options === 'help') process.stdout.write(DESCRIBE_HELP(command));
    else await printDescription(options);
    return;
  }
  if (command !== 'serve') throw new UsageError(`unknown command ${JSON.stringify(command)}; try starwire serve <module>`);
  const options = parseServeArgs(rest);
  if (options === 'help') {
    process.stdout.write(SERVE_HELP);
    return;
  }
  await serve(options);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  main(args).catch((error: unknown) => {
    if (error instanceof UsageError) {
      const help = ['serve', 'openapi', 'asyncapi'].includes(args[0]) ? `${args[0]} ` : '';
      process.stderr.write(`starwire: ${error.message} (see starwire ${help}--help)\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    // As `serve` reports a failed start: a module that will not load says so in one line.
    process.stderr.write(`starwire: ${describeFailure(error)}\n`);
    process.exitCode = EXIT.FAILED;
  });
}
