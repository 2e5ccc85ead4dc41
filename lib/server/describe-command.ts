import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ApiInfo } from '../descriptions/document-types';
import { parseAppReference } from './app-reference';
import { UsageError } from './serve-options';

/** The two documents the command line prints. */
export type DescriptionKind = 'openapi' | 'asyncapi';

/** What `starwire openapi` or `starwire asyncapi` was asked to do. */
export interface DescribeOptions {
  readonly kind: DescriptionKind;
  readonly appText: string;
  readonly info: ApiInfo;
}

export const DESCRIBE_HELP = (kind: DescriptionKind): string => `Usage: starwire ${kind} <module>[:export] [options]

Prints the ${kind === 'openapi' ? 'OpenAPI 3.1 document of the HTTP' : 'AsyncAPI 3.0 document of the WebSocket'} routes of the App exported by
<module> (as for starwire serve) as JSON on stdout, for CI and code generators. The app is made,
never started: no port is opened and no onStartup handler runs.

Options:
  --title <title>          info.title (default: the name in ./package.json, else the module's name)
  --api-version <version>  info.version (default: the version in ./package.json, else 0.0.0)
  -h, --help               Show this help
`;

/** The name and version of the project in `cwd`, for a document's `info`. */
function projectInfo(cwd: string): { name?: string; version?: string } {
  const file = join(cwd, 'package.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
  } catch {
    return {};
  }
}

/**
 * Reads `starwire openapi|asyncapi <module>[:export] [--title T] [--api-version V]`; `'help'`
 * for `--help`.
 *
 * @example
 * parseDescribeArgs('openapi', ['dist/app.js:createApp', '--title', 'Notes']);
 */
export function parseDescribeArgs(kind: DescriptionKind, args: readonly string[], cwd = process.cwd()): DescribeOptions | 'help' {
  let appText: string | undefined;
  let title: string | undefined;
  let version: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--title' || arg === '--api-version') {
      const value = args[++index];
      if (value === undefined || value === '') throw new UsageError(`${arg} needs a value`);
      if (arg === '--title') title = value;
      else version = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} for starwire ${kind}`);
    } else if (appText === undefined) {
      appText = arg;
    } else {
      throw new UsageError(`starwire ${kind} takes one <module>[:export], got ${JSON.stringify(appText)} and ${JSON.stringify(arg)}`);
    }
  }
  if (appText === undefined) throw new UsageError(`starwire ${kind} needs the app: starwire ${kind} <module>[:export]`);
  const project = projectInfo(cwd);
  const module = parseAppReference(appText).module;
  return {
    kind,
    appText,
    info: { title: title ?? project.name ?? basename(module).replace(/\.[cm]?[jt]s$/, ''), version: version ?? project.version ?? '0.0.0' },
  };
}

/**
 * Loads the app, prints its document as JSON and closes it (its channel layer, Redis
 * connections and offload pool with it), without ever starting it.
 *
 * @example
 * await printDescription({ kind: 'asyncapi', appText: 'dist/samples/chat/app.js:chatApp', info });
 */
export async function printDescription(options: DescribeOptions, write = (text: string) => process.stdout.write(text)): Promise<void> {
  const { loadApp } = await import('./app-loader.js');
  const app = await loadApp(parseAppReference(options.appText));
  try {
    const document = options.kind === 'openapi' ? app.openapi(options.info) : app.asyncapi(options.info);
    write(`${JSON.stringify(document, null, 2)}\n`);
  } finally {
    await app.close();
  }
}
