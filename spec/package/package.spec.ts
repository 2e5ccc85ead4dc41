import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/cli-process';

const run = promisify(execFile);

/** What `npm pack --json` says of the tarball. */
interface Packed {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/**
 * A project in a temp dir with the packed tarball installed as npm installs one (extracted
 * into node_modules/starwire) and this repository's node_modules for every other package,
 * ioredis included or not: offline, and in seconds.
 */
function installProject(base: string, name: string, tarball: string, withIoredis: boolean): Promise<string> {
  const project = join(base, name);
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'starwire'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry.startsWith('.') || entry === 'starwire' || (entry === 'ioredis' && !withIoredis)) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name, private: true, type: 'commonjs' }));
  return run('tar', ['-xzf', tarball, '-C', join(modules, 'starwire'), '--strip-components=1']).then(() => project);
}

/** A user's TypeScript project: strict, and with `skipLibCheck: false` so Starwire's .d.ts files are checked too. */
const USER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    noEmit: true,
  },
  include: ['app.ts'],
};

const USER_APP = `
import 'reflect-metadata';
import { App, HTTPException, inject, QueryParam, RedisChannelLayer, Route, status, TestClient, WebSocket, WebSocketRoute } from 'starwire';

const hello = inject([QueryParam('name')], (name) => ({ hello: name ?? 'world' }));
const echo = inject([WebSocket], async (ws) => {
  await ws.accept();
  for await (const message of ws) await ws.sendText(String(message));
});
const gone = inject([], (): never => { throw new HTTPException(status.HTTP_410_GONE); });
export const app = new App({ routes: [new Route('/', 'GET', hello), new Route('/gone', 'GET', gone), new WebSocketRoute('/echo', echo)] });
export function redisApp(url: string): App {
  return new App({ routes: [], channelLayer: new RedisChannelLayer({ url, prefix: 'user' }) });
}
export async function check(): Promise<number> {
  const client = new TestClient(app);
  const response = await client.get('/', { query: { name: 'x' } });
  await client.close();
  return response.status;
}
`;

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

describe('the npm package (npm pack)', function () {
  this.timeout(60_000);
  let base: string;
  let packed: Packed;
  let files: Set<string>;
  let withIoredis: string;
  let bare: string;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'starwire-pack-'));
    // dist is built already (the specs run from it): pack it as is, without `prepare` rebuilding it.
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', base], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    packed = (JSON.parse(stdout) as Packed[])[0];
    files = new Set(packed.files.map((file) => file.path));
    const tarball = join(base, packed.filename);
    [withIoredis, bare] = await Promise.all([installProject(base, 'typed', tarball, true), installProject(base, 'bare', tarball, false)]);
  });

  after(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('ships an MIT LICENSE naming Starwire contributors, and no specs, samples or benchmarks', () => {
    assert.ok(files.has('LICENSE'));
    const license = readFileSync(join(bare, 'node_modules', 'starwire', 'LICENSE'), 'utf8');
    assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} Starwire contributors\n/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    assert.equal(pkg.license, 'MIT');
    assert.deepEqual(
      [...files].filter((file) => /^(dist\/)?(spec|samples|bench)\//.test(file)),
      [],
    );
  });

  it('every relative link in README.md names a file in the package', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((match) => match[1])
      .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link) && !link.startsWith('#'));
    assert.ok(links.length > 0, 'README has relative links to check');
    const missing = links.map((link) => link.split('#')[0].replace(/^\.\//, '')).filter((path) => !files.has(path));
    assert.deepEqual(missing, [], `linked from README but not in npm pack's files: ${missing.join(', ')}`);
  });

  it('every source map in the package carries its sources (sourcesContent)', () => {
    const maps = [...files].filter((file) => file.endsWith('.map'));
    assert.ok(maps.length > 50, `${maps.length} maps`);
    const unresolvable = maps.filter((file) => {
      const map = JSON.parse(readFileSync(join(bare, 'node_modules', 'starwire', file), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      return map.sources.some((_source, i) => typeof map.sourcesContent?.[i] !== 'string');
    });
    assert.deepEqual(unresolvable, []);
  });

  it('declares ioredis an optional peer dependency, still installed for development', () => {
    const pkg = JSON.parse(readFileSync(join(bare, 'node_modules', 'starwire', 'package.json'), 'utf8')) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    assert.equal(pkg.dependencies?.ioredis, undefined);
    assert.equal(typeof pkg.peerDependencies?.ioredis, 'string');
    assert.deepEqual(pkg.peerDependenciesMeta?.ioredis, { optional: true });
    assert.equal(typeof pkg.devDependencies?.ioredis, 'string');
  });

  it("require('starwire') neither needs nor loads ioredis; a Redis layer or store without it names the package", async () => {
    const script = `
      const starwire = require('starwire');
      const loaded = Object.keys(require.cache).filter((file) => file.includes('/ioredis/'));
      const errors = [];
      for (const make of [() => new starwire.RedisChannelLayer({ url: 'redis://127.0.0.1:1' }), () => new starwire.RedisRealtimeStore({ url: 'redis://127.0.0.1:1' })]) {
        try { make(); errors.push('made'); } catch (error) { errors.push(error.message); }
      }
      console.log(JSON.stringify({ loaded, errors }));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: bare });
    const { loaded, errors } = JSON.parse(stdout) as { loaded: string[]; errors: string[] };
    assert.deepEqual(loaded, []);
    assert.deepEqual(errors, [
      'RedisChannelLayer needs the ioredis package, an optional peer dependency of starwire: npm install ioredis',
      'RedisRealtimeStore needs the ioredis package, an optional peer dependency of starwire: npm install ioredis',
    ]);
    // With ioredis installed, importing Starwire still does not load it.
    const typed = await run(
      process.execPath,
      ['-e', "require('starwire'); console.log(Object.keys(require.cache).filter((f) => f.includes('/ioredis/')).length)"],
      { cwd: withIoredis },
    );
    assert.equal(typed.stdout.trim(), '0');
  });

  it("require('starwire') loads ajv, ws, tsyringe, send and busboy only when an app first needs each", async () => {
    const script = `
      const heavy = ['ajv', 'ws', 'tsyringe', 'send', 'busboy'];
      const loaded = () => heavy.filter((name) => Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/')));
      const starwire = require('starwire');
      const afterImport = loaded();
      const app = new starwire.App({ routes: [new starwire.Route('/n/{n:int}', 'GET', starwire.inject([starwire.PathParam('n', { type: 'integer', maximum: 9 })], (n) => ({ n })))] });
      const afterApp = loaded();
      const client = new starwire.TestClient(app);
      client.get('/n/50').then((tooBig) => {
        console.log(JSON.stringify({ afterImport, afterApp, tooBig: tooBig.status, afterUse: loaded() }));
      });`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: bare });
    const { afterImport, afterApp, tooBig, afterUse } = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(afterImport, []);
    // The app's container is made (and tsyringe loaded) only when something asks it for a class.
    assert.deepEqual(afterApp, ['ajv']);
    assert.equal(tooBig, 400);
    assert.deepEqual(afterUse, ['ajv']);
  });

  it("every name of require('starwire') can be imported by name from ESM", async () => {
    // Node finds a CommonJS module's names for `import { X }` by reading its source (cjs-module-lexer):
    // an export it cannot see there is missing from ESM even though `require()` has it.
    const names = Object.keys(require(join(bare, 'node_modules', 'starwire')) as object).sort();
    assert.ok(names.length > 80, `${names.length} names`);
    writeFileSync(
      join(bare, 'named.mjs'),
      `import { ${names.join(', ')} } from 'starwire';\nconsole.log(JSON.stringify([${names.map((name) => `typeof ${name}`).join(', ')}]));\n`,
    );
    const { stdout } = await run(process.execPath, [join(bare, 'named.mjs')], { cwd: bare });
    const kinds = JSON.parse(stdout) as string[];
    assert.deepEqual(
      names.filter((_, index) => kinds[index] === 'undefined'),
      [],
    );
    const namespace = await run(
      process.execPath,
      ['--input-type=module', '-e', "import * as s from 'starwire'; console.log(JSON.stringify(Object.keys(s)))"],
      {
        cwd: bare,
      },
    );
    assert.deepEqual(
      (JSON.parse(namespace.stdout) as string[]).filter((name) => !['default', 'module.exports', '__esModule'].includes(name)).sort(),
      names,
    );
  });

  it("require('starwire') leaves the API description builders, Redis parts, forms, file serving and zlib until first used", async () => {
    const script = `
      const own = ['descriptions/openapi-document', 'descriptions/asyncapi-document', 'realtime/switchboard', 'realtime/redis-scripts',
        'channels/redis-channel-connection', 'http/form-parser', 'http/file-response', 'server/api-docs-assets', 'testing/memory-socket'];
      const loaded = () => own.filter((name) => Object.keys(require.cache).some((file) => file.endsWith('/dist/lib/' + name + '.js')));
      const builtins = () => process.moduleLoadList.filter((name) => name === 'NativeModule zlib' || name === 'NativeModule internal/fs/promises');
      const starwire = require('starwire');
      const afterImport = { own: loaded(), builtins: builtins() };
      const app = new starwire.App({ routes: [new starwire.Route('/', 'GET', () => ({}))], hooks: [new starwire.Compression()] });
      app.openapi({ title: 't', version: '1' });
      app.asyncapi({ title: 't', version: '1' });
      void app.realtime;
      console.log(JSON.stringify({ afterImport, afterUse: { own: loaded(), builtins: builtins() } }));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: bare });
    const { afterImport, afterUse } = JSON.parse(stdout) as Record<string, { own: string[]; builtins: string[] }>;
    assert.deepEqual(afterImport, { own: [], builtins: [] });
    assert.deepEqual(afterUse.own, ['descriptions/openapi-document', 'descriptions/asyncapi-document', 'realtime/switchboard']);
    assert.deepEqual(afterUse.builtins, ['NativeModule zlib']);
  });

  it('a TypeScript project with skipLibCheck: false compiles against the installed package', async () => {
    writeFileSync(join(withIoredis, 'tsconfig.json'), JSON.stringify(USER_TSCONFIG));
    writeFileSync(join(withIoredis, 'app.ts'), USER_APP);
    const compiled = await run(process.execPath, [TSC, '-p', withIoredis], { cwd: withIoredis }).catch(
      (error: { stdout: string }) => error,
    );
    assert.equal(compiled.stdout, '', 'tsc reports nothing');
  });

  it('without ioredis, such a project only misses the types of ioredis in the Redis classes, as README says', async () => {
    writeFileSync(join(bare, 'tsconfig.json'), JSON.stringify(USER_TSCONFIG));
    writeFileSync(join(bare, 'app.ts'), USER_APP);
    const compiled = await run(process.execPath, [TSC, '-p', bare], { cwd: bare }).then(
      () => ({ stdout: '' }),
      (error: { stdout: string }) => error,
    );
    const errors = compiled.stdout.split('\n').filter((line) => /error TS/.test(line));
    assert.ok(errors.length > 0);
    for (const line of errors)
      assert.match(
        line,
        /^node_modules\/starwire\/dist\/lib\/(channels\/redis-channel-layer(-api)?|realtime\/redis-store)\.d\.ts\(\d+,\d+\): error TS2307: Cannot find module 'ioredis'/,
      );
  });
});
