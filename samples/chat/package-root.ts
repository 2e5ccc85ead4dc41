import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest directory above `from` with a package.json. The page is read
 * from the source tree and the client from dist/, so one path works from `samples/chat/`
 * (ts-node, tsx) and from the compiled `dist/samples/chat/` (tsc copies no HTML).
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: cannot find samples/chat/public`);
  }
}
