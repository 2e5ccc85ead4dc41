import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Scope } from '../../../components/scope';
import { App } from '../../../lib/app';
import { ConfigurationError } from '../../../lib/errors/exceptions';
import { declaredTokens, inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';

const root = resolve(__dirname, '../../../..');

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
      onRequest(scope: Scope): string {
        return scope.path;
      }
    }
    assert.deepEqual(declaredTokens(Hook.prototype.onRequest), [Scope]);
  });

  it('reads class-typed parameters from decorator metadata when given no list', () => {
    class Hook {
      @inject()
      onRequest(scope: Scope): string {
        return scope.path;
      }
    }
    assert.deepEqual(declaredTokens(Hook.prototype.onRequest), [Scope]);
  });

  describe('compiled without experimentalDecorators (standard TC39 decorators)', () => {
    /** What a TC39 runtime passes a method decorator: the method and a context object. */
    function standardContext(name: string): object {
      return {
        kind: 'method',
        name,
        static: false,
        private: false,
        access: { has: () => true, get: () => undefined },
        addInitializer: () => {},
        metadata: {},
      };
    }

    it('@inject([...]) fails with a message naming both tsconfig options', () => {
      const method = function onRequest(scope: Scope): string {
        return scope.path;
      };
      const decorate = inject([Scope]) as unknown as (value: unknown, context: object) => void;
      assert.throws(
        () => decorate(method, standardContext('onRequest')),
        (error: Error) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, /@inject\(\.\.\.\) on onRequest was called as a standard \(TC39\) method decorator/);
          assert.match(error.message, /"experimentalDecorators": true/);
          assert.match(error.message, /"emitDecoratorMetadata": true/);
          return true;
        },
      );
    });

    it('does so when a class compiled by tsc with such a tsconfig is loaded', function () {
      this.timeout(60000);
      const dir = mkdtempSync(join(tmpdir(), 'starwire-tc39-'));
      writeFileSync(
        join(dir, 'hook.ts'),
        [
          'declare function require(id: string): unknown;',
          `const { inject } = require(${JSON.stringify(join(root, 'dist/lib/inject/inject.js'))}) as { inject: (tokens: unknown[]) => (...args: unknown[]) => void };`,
          `const { Scope } = require(${JSON.stringify(join(root, 'dist/components/scope.js'))}) as { Scope: unknown };`,
          'export class Greeter {',
          '  @inject([Scope])',
          '  onRequest(scope: unknown): unknown { return scope; }',
          '}',
        ].join('\n'),
      );
      // The tsconfig a user without the two options has: TypeScript then emits TC39 decorators.
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'out', types: [], skipLibCheck: true },
          files: ['hook.ts'],
        }),
      );
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8' });
      const emitted = readFileSync(join(dir, 'out/hook.js'), 'utf8');
      assert.match(emitted, /__esDecorate/, 'expected TypeScript to emit standard decorators');
      let stderr = '';
      try {
        execFileSync(process.execPath, [join(dir, 'out/hook.js')], { encoding: 'utf8', stdio: 'pipe' });
        assert.fail('expected loading the class to fail');
      } catch (error) {
        stderr = String((error as { stderr?: string }).stderr);
      }
      assert.match(stderr, /TypeError: @inject\(\.\.\.\) on onRequest was called as a standard \(TC39\) method decorator/);
      assert.match(stderr, /"experimentalDecorators": true and "emitDecoratorMetadata": true/);
    });
  });

  it('@inject() whose decorator metadata is missing says emitDecoratorMetadata is off', () => {
    // What a compiler without emitDecoratorMetadata produces: the decorator runs, no metadata is recorded.
    class Greeter {
      onRequest(scope: Scope): string {
        return scope.path;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Greeter.prototype, 'onRequest')!;
    inject()(Greeter.prototype, 'onRequest', descriptor);
    let message = '';
    try {
      new App({ routes: [new Route('/', 'GET', () => 'ok')], hooks: [Greeter] });
    } catch (error) {
      assert.ok(error instanceof ConfigurationError);
      message = error.message;
    }
    assert.match(
      message,
      /route GET \/: hook Greeter\.onRequest: @inject\(\) without a token list reads the parameter types from decorator metadata, and there is none/,
    );
    assert.match(message, /"emitDecoratorMetadata" is off/);
    assert.doesNotMatch(message, /declares no tokens/);
  });

  it('rejects a token list that is not an array', () => {
    assert.throws(() => inject(Scope as never, () => 1), /array of tokens/);
  });

  it('makes the compiler reject a handler whose annotation contradicts its token', function () {
    this.timeout(30000);
    const dir = mkdtempSync(join(tmpdir(), 'starwire-types-'));
    const file = join(dir, 'wrong.ts');
    writeFileSync(
      file,
      [
        `import { inject } from ${JSON.stringify(join(root, 'lib/inject/inject'))};`,
        `import { PathParam } from ${JSON.stringify(join(root, 'components/path-param'))};`,
        `export const wrong = inject([PathParam('id', { type: 'integer' })], (id: string) => id);`,
      ].join('\n'),
    );
    const tsc = join(root, 'node_modules/.bin/tsc');
    let output = '';
    try {
      execFileSync(
        tsc,
        [
          '--ignoreConfig',
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--experimentalDecorators',
          '--types',
          'node',
          '--typeRoots',
          join(root, 'node_modules/@types'),
          file,
        ],
        { encoding: 'utf8' },
      );
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    assert.match(output, /error TS2345/);
    assert.match(output, /'number' is not assignable to (type|parameter of type) 'string'/);
  });
});
