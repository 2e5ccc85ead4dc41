/**
 * Bundles the browser client, `starwire/client` (client/*.mts), into ONE ES module,
 * dist/client/starwire-client.bundle.mjs, that a page imports with a single request:
 *
 *   node dist/scripts/bundle-client.js     # `npm run build` runs it after tsc
 *
 * esbuild is a devDependency: the bundle is made at build time and ships in dist/client.
 */
import { join } from 'node:path';

/** The bundle's file name, in dist/client. */
export const CLIENT_BUNDLE = 'starwire-client.bundle.mjs';

/** The repository root, from dist/scripts/ (compiled) or scripts/ (run from source). */
function repositoryRoot(): string {
  const here = __dirname;
  return join(here, here.includes(`${join('dist', 'scripts')}`) ? '../..' : '..');
}

/**
 * Writes dist/client/starwire-client.bundle.mjs (and its source map) from client/index.mts;
 * returns the bundle's path.
 *
 * @example
 * const file = await bundleClient();   // .../dist/client/starwire-client.bundle.mjs
 */
export async function bundleClient(root: string = repositoryRoot()): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(root, 'dist', 'client', CLIENT_BUNDLE);
  await esbuild.build({
    entryPoints: [join(root, 'client', 'index.mts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}

if (require.main === module) {
  bundleClient().then(
    (file) => console.log(`bundled the browser client: ${file}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
