import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { Scope } from '../../components/scope';
import { declaredTokens, inject } from '../../lib/inject';

const root = resolve(__dirname, '../../..');

describe('inject', () => {
  it('returns the function itself, annotated with its tokens', () => {
    const fn = (scope: Scope) => scope.path;
    const annotated = inject([Scope], fn);
    assert.equal(annotated, fn);
    assert.deepEqual(declaredTokens(fn), [Scope]);
  });

  it('annotates a method when used as a decorator', () => {
    class Hook {
      @inject([Scope])
      onRequest(scope: Scope): string { return scope.path; }
    }
    assert.deepEqual(declaredTokens(Hook.prototype.onRequest), [Scope]);
  });

  it('reads class-typed parameters from decorator metadata when given no list', () => {
    class Hook {
      @inject()
      onRequest(scope: Scope): string { return scope.path; }
    }
    assert.deepEqual(declaredTokens(Hook.prototype.onRequest), [Scope]);
  });

  it('rejects a token list that is not an array', () => {
    assert.throws(() => inject(Scope as never, () => 1), /array of tokens/);
  });

  it('makes the compiler reject a handler whose annotation contradicts its token', function () {
    this.timeout(30000);
    const dir = mkdtempSync(join(tmpdir(), 'starwire-types-'));
    const file = join(dir, 'wrong.ts');
    writeFileSync(file, [
      `import { inject } from ${JSON.stringify(join(root, 'lib/inject'))};`,
      `import { PathParam } from ${JSON.stringify(join(root, 'components/path-param'))};`,
      `export const wrong = inject([PathParam('id', { type: 'integer' })], (id: string) => id);`,
    ].join('\n'));
    const tsc = join(root, 'node_modules/.bin/tsc');
    let output = '';
    try {
      execFileSync(tsc, ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--experimentalDecorators', '--types', 'node', '--typeRoots', join(root, 'node_modules/@types'), file], { encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    assert.match(output, /error TS2345/);
    assert.match(output, /'number' is not assignable to (type|parameter of type) 'string'/);
  });
});
