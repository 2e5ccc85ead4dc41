import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../../support/cli-process';

const SCRIPT = join(ROOT, 'scripts', 'redesign', 'move.mjs');

function run(root: string, args: readonly string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, '--root', root, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** A repository shaped like Starwire's, small enough to read the expected rewrites off. */
function scratchRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'starwire-move-'));
  write(root, 'lib/alpha.ts', 'export const OK = 200;\n');
  write(root, 'lib/app.ts', "import { OK } from './alpha';\nexport const app = OK;\n");
  write(root, 'components/old-name.ts', "import { OK } from '../lib/alpha';\nexport const ws = OK;\n");
  write(
    root,
    'spec/lib/alpha.spec.ts',
    [
      "import { join } from 'node:path';",
      "import { OK } from '../../lib/alpha';",
      "const COMPILED = join(__dirname, '..', '..', 'lib', 'alpha.js');",
      "const ROOT_DIR = join(__dirname, '..', '..', '..');",
      '// Tests lib/alpha.ts.',
      'export const all = [OK, COMPILED, ROOT_DIR];',
      '',
    ].join('\n'),
  );
  write(root, 'README.md', 'Run `node dist/lib/alpha.js`.\n');
  write(root, 'package.json', `${JSON.stringify({ name: 'scratch', bin: { scratch: 'dist/lib/alpha.js' } }, null, 2)}\n`);
  write(
    root,
    'scripts/redesign/moves.json',
    `${JSON.stringify(
      {
        'lib/alpha.ts': 'lib/greek/alpha.ts',
        'lib/app.ts': 'lib/app.ts',
        'components/old-name.ts': 'components/new-name.ts',
        'spec/lib/alpha.spec.ts': 'spec/lib/greek/alpha.spec.ts',
      },
      null,
      2,
    )}\n`,
  );
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync('git', ['-c', 'user.name=spec', '-c', 'user.email=spec@example.com', 'commit', '-qm', 'scratch'], { cwd: root });
  return root;
}

describe('the layout move (scripts/redesign/move.mjs)', function () {
  this.timeout(30_000);
  let root: string;
  beforeEach(() => {
    root = scratchRepository();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('moves the mapped files with git mv and re-aims every import, __dirname path and dist path', async () => {
    assert.equal((await run(root, ['--check'])).code, 0);
    const { code, stderr } = await run(root);
    assert.equal(code, 0, stderr);
    assert.ok(!existsSync(join(root, 'lib/alpha.ts')));
    const renamed = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
    assert.match(renamed, /^R {2}lib\/alpha\.ts -> lib\/greek\/alpha\.ts$/m);
    assert.match(readFileSync(join(root, 'lib/app.ts'), 'utf8'), /from '\.\/greek\/alpha'/);
    assert.match(readFileSync(join(root, 'components/new-name.ts'), 'utf8'), /from '\.\.\/lib\/greek\/alpha'/);
    const spec = readFileSync(join(root, 'spec/lib/greek/alpha.spec.ts'), 'utf8');
    assert.match(spec, /from '\.\.\/\.\.\/\.\.\/lib\/greek\/alpha'/);
    assert.match(spec, /join\(__dirname, '\.\.', '\.\.', '\.\.', 'lib', 'greek', 'alpha\.js'\)/);
    assert.match(spec, /join\(__dirname, '\.\.', '\.\.', '\.\.', '\.\.'\)/, 'the repository root seen from one folder deeper');
    assert.match(spec, /Tests lib\/greek\/alpha\.ts/);
    assert.match(readFileSync(join(root, 'README.md'), 'utf8'), /node dist\/lib\/greek\/alpha\.js/);
    assert.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin.scratch, 'dist/lib/greek/alpha.js');
  });

  it('refuses to run on a tree it already moved', async () => {
    assert.equal((await run(root)).code, 0);
    const again = await run(root);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /looks already moved .*refusing to move twice/);
    assert.ok(existsSync(join(root, 'lib/greek/alpha.ts')));
  });

  it('--check names a file the map lacks and an entry whose source is gone, and moves nothing', async () => {
    write(root, 'lib/added-by-another-branch.ts', 'export {};\n');
    execFileSync('git', ['rm', '-q', 'components/old-name.ts'], { cwd: root });
    const { code, stderr } = await run(root, ['--check']);
    assert.equal(code, 1);
    assert.match(stderr, /not in scripts\/redesign\/moves\.json: lib\/added-by-another-branch\.ts/);
    assert.match(stderr, /in scripts\/redesign\/moves\.json but missing: components\/old-name\.ts/);
    assert.ok(existsSync(join(root, 'lib/alpha.ts')));
    assert.equal((await run(root)).code, 1, 'the move itself refuses too');
  });
});
