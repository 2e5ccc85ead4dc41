import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/cli-process';

const SCRIPT = join(ROOT, 'scripts', 'api-report.mjs');

function runExamples(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, '--examples'], { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

describe('doc comment examples (scripts/api-report.mjs --examples)', function () {
  this.timeout(30_000);

  it('every class and function exported by starwire and starwire/client has an @example in its doc comment', async () => {
    const { code, stdout, stderr } = await runExamples(SCRIPT, ROOT);
    assert.equal(code, 0, `${stdout}${stderr}`);
    const [, documented, total] = /(\d+) of (\d+) exported classes and functions have an @example/.exec(stdout) ?? [];
    assert.equal(documented, total, stdout);
    // Not vacuous: both entry points' classes and functions are counted (61 when this was written).
    assert.ok(Number(total) >= 60, `only ${total} classes and functions were found`);
  });

  describe('on a package whose declarations lack examples', () => {
    let dir: string;
    before(async () => {
      // The script finds the package from its own place (scripts/..), so a copy runs on a fixture.
      dir = mkdtempSync(join(tmpdir(), 'starwire-doc-examples-'));
      mkdirSync(join(dir, 'scripts'));
      copyFileSync(SCRIPT, join(dir, 'scripts', 'api-report.mjs'));
      write(
        dir,
        'dist/index.d.ts',
        [
          "export { Documented, Undocumented as Renamed, overloaded } from './lib/a';",
          "export * from './lib/b';",
          "export type { Options } from './lib/b';",
          '/** A function declared at the root, with no example. */',
          'export declare function rootless(): void;',
          '',
        ].join('\n'),
      );
      write(
        dir,
        'dist/lib/a.d.ts',
        [
          '/**',
          ' * Has one.',
          ' *',
          ' * @example',
          ' * new Documented();',
          ' */',
          'export declare class Documented {',
          '}',
          '/** Says what it is, shows nothing. */',
          'export declare class Undocumented {',
          '}',
          '/**',
          ' * The first overload is what an editor shows first.',
          ' *',
          ' * @example',
          ' * overloaded(1);',
          ' */',
          'export declare function overloaded(n: number): number;',
          'export declare function overloaded(s: string): string;',
          '',
        ].join('\n'),
      );
      write(
        dir,
        'dist/lib/b.d.ts',
        [
          '/** @example bare(); */',
          'export declare function bare(): void;',
          '/**',
          ' * @example',
          ' * belongsToTheConstantAbove();',
          ' */',
          'export declare const above = 1;',
          'export declare class Stranded {',
          '}',
          '/** Interfaces are not required to show one. */',
          'export interface Options {',
          '}',
          '',
        ].join('\n'),
      );
      write(dir, 'dist/client/index.d.mts', ["export { connect } from './connect.mjs';", ''].join('\n'));
      write(dir, 'dist/client/connect.d.mts', 'export declare function connect(url: string): void;\n');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('exits 1 naming each class and function without an @example, where it is declared and why', async () => {
      const { code, stdout } = await runExamples(join(dir, 'scripts', 'api-report.mjs'), dir);
      assert.equal(code, 1, stdout);
      // Followed through a renamed re-export to the declaration's own comment.
      assert.match(stdout, /^starwire Renamed class \(dist\/lib\/a\.d\.ts\): doc comment has no @example$/m);
      assert.match(stdout, /^starwire rootless function \(dist\/index\.d\.ts\): doc comment has no @example$/m);
      // An @example on the declaration above does not count for the next one.
      assert.match(stdout, /^starwire Stranded class \(dist\/lib\/b\.d\.ts\): no doc comment$/m);
      assert.match(stdout, /^starwire\/client connect function \(dist\/client\/connect\.d\.mts\): no doc comment$/m);
      assert.match(stdout, /^api-report: 3 of 7 exported classes and functions have an @example$/m);
    });

    it('accepts an @example on the first overload and on a one-line comment, and asks none of constants and interfaces', async () => {
      const { stdout } = await runExamples(join(dir, 'scripts', 'api-report.mjs'), dir);
      assert.doesNotMatch(stdout, /\b(Documented|overloaded|bare|above|Options) /);
    });
  });
});
