import assert from 'node:assert/strict';
import { ConfigurationError } from '../../../lib/errors/exceptions';
import { type Converter, converters } from '../../../lib/routing/converters';
import { type Match, parseTemplate, Router } from '../../../lib/routing/router';

/** A router over route names, built from `[method, template]` pairs; each value is `"METHOD template"`. */
function routerOf(...routes: [string, string][]): Router<string> {
  const router = new Router<string>();
  for (const [method, template] of routes) router.add(method, template, `${method} ${template}`);
  return router;
}

function found(value: string, params: Record<string, string | number> = {}): Match<string> {
  return { found: true, value, params };
}

/** Asserts that `fn` throws a ConfigurationError whose message contains every fragment. */
function assertConfigError(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should mention ${fragment}`);
    return true;
  });
}

/** Counts calls to one converter for the duration of `fn`, then restores it. */
function countConverterCalls(name: string, fn: () => void): number {
  const converter: Converter = converters[name];
  const original = converter.convert;
  let calls = 0;
  converter.convert = (segment: string) => {
    calls++;
    return original.call(converter, segment);
  };
  try {
    fn();
  } finally {
    converter.convert = original;
  }
  return calls;
}

/**
 * Counts the trie nodes one lookup visits by wrapping the router's recursive `walk` on the
 * instance (recursive calls go through `this.walk`, so each visit is counted).
 */
function countingLookup(router: Router<string>): (method: string, path: string) => { match: Match<string>; visits: number } {
  const target = router as unknown as { walk: (...args: unknown[]) => unknown };
  const original = target.walk;
  assert.equal(typeof original, 'function', 'Router is expected to walk its trie with a recursive walk() method');
  let visits = 0;
  target.walk = function (this: unknown, ...args: unknown[]): unknown {
    visits++;
    return original.apply(this, args);
  };
  return (method, path) => {
    visits = 0;
    const match = router.lookup(method, path);
    return { match, visits };
  };
}

describe('Router', () => {
  describe('parseTemplate', () => {
    it('splits a template into static, converter and rest segments and lists the parameter names', () => {
      const { segments, params } = parseTemplate('/users/{id:int}/files/{rest:path}');
      assert.deepEqual(params, { id: 'int', rest: 'path' });
      assert.deepEqual(
        segments.map((s) => s.kind),
        ['static', 'param', 'static', 'rest'],
      );
      const param = segments[1];
      assert.ok(param.kind === 'param');
      assert.equal(param.converter, converters.int);
    });

    it('treats {name} without a converter as {name:str}', () => {
      const param = parseTemplate('/{slug}').segments[0];
      assert.ok(param.kind === 'param');
      assert.equal(param.converter, converters.str);
    });

    const malformed: [string, string][] = [
      ['users', 'must start with "/"'],
      ['', 'must start with "/"'],
      ['/a/{id', '{id'],
      ['/a/id}', 'id}'],
      ['/a/{}', '{}'],
      ['/a/{1id}', '{1id}'],
      ['/a/{id-x}', '{id-x}'],
      ['/a/pre{id}', 'pre{id}'],
      ['/a/{id}suffix', '{id}suffix'],
      ['/a/{id:}', '{id:}'],
      ['/a/{{id}}', '{{id}}'],
    ];
    for (const [template, fragment] of malformed) {
      it(`rejects the malformed template ${JSON.stringify(template)} with a ConfigurationError`, () => {
        assertConfigError(() => parseTemplate(template), fragment);
      });
    }

    it('rejects an unknown converter, naming it, the path and the known ones', () => {
      assertConfigError(() => parseTemplate('/a/{id:integer}'), '/a/{id:integer}', '"integer"', 'int', 'uuid');
    });

    it('rejects a parameter declared twice in one path', () => {
      assertConfigError(() => parseTemplate('/a/{id}/b/{id:int}'), '/a/{id}/b/{id:int}', '"id"', 'twice');
    });

    it('accepts parameter names that are also Object.prototype keys', () => {
      for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
        const { params } = parseTemplate(`/a/{${name}}`);
        assert.deepEqual(Object.keys(params), [name], name);
        assert.equal(Object.getOwnPropertyDescriptor(params, name)?.value, 'str', name);
      }
    });

    it('rejects {x:path} anywhere but the last segment', () => {
      assertConfigError(() => parseTemplate('/files/{rest:path}/meta'), '/files/{rest:path}/meta', 'last');
      assert.doesNotThrow(() => parseTemplate('/files/{rest:path}'));
    });
  });

  describe('matching', () => {
    it('matches static paths exactly, including the root and trailing slashes', () => {
      const router = routerOf(['GET', '/'], ['GET', '/users'], ['GET', '/users/']);
      assert.deepEqual(router.lookup('GET', '/'), found('GET /'));
      assert.deepEqual(router.lookup('GET', '/users'), found('GET /users'));
      assert.deepEqual(router.lookup('GET', '/users/'), found('GET /users/'));
      assert.deepEqual(router.lookup('GET', '/users/x'), { found: false, allowed: [] });
      assert.deepEqual(router.lookup('GET', '/Users'), { found: false, allowed: [] });
    });

    it('prefers a static segment over a parameter, whatever the declaration order', () => {
      const router = routerOf(['GET', '/users/{name}'], ['GET', '/users/me']);
      assert.deepEqual(router.lookup('GET', '/users/me'), found('GET /users/me'));
      assert.deepEqual(router.lookup('GET', '/users/alice'), found('GET /users/{name}', { name: 'alice' }));
    });

    it('prefers a parameter over {rest:path}, whatever the declaration order', () => {
      const router = routerOf(['GET', '/files/{rest:path}'], ['GET', '/files/{name}']);
      assert.deepEqual(router.lookup('GET', '/files/a.txt'), found('GET /files/{name}', { name: 'a.txt' }));
      assert.deepEqual(router.lookup('GET', '/files/a/b.txt'), found('GET /files/{rest:path}', { rest: 'a/b.txt' }));
    });

    it('does not match an empty segment with {name}', () => {
      const router = routerOf(['GET', '/users/{name}']);
      assert.deepEqual(router.lookup('GET', '/users/'), { found: false, allowed: [] });
      assert.deepEqual(router.lookup('GET', '/users'), { found: false, allowed: [] });
    });

    it('converts {id:int} to a number, negatives included', () => {
      const router = routerOf(['GET', '/items/{id:int}']);
      assert.deepEqual(router.lookup('GET', '/items/42'), found('GET /items/{id:int}', { id: 42 }));
      assert.deepEqual(router.lookup('GET', '/items/-7'), found('GET /items/{id:int}', { id: -7 }));
      const match = router.lookup('GET', '/items/42');
      assert.ok(match.found);
      assert.equal(typeof match.params.id, 'number');
    });

    for (const segment of ['1.5', 'abc', '1e3', '0x10', '', ' 1', '+1', '9007199254740992', '99999999999999999999']) {
      it(`does not match {id:int} with ${JSON.stringify(segment)}`, () => {
        const router = routerOf(['GET', '/items/{id:int}']);
        assert.deepEqual(router.lookup('GET', `/items/${segment}`), { found: false, allowed: [] });
      });
    }

    it('matches {id:int} up to the largest safe integer', () => {
      const router = routerOf(['GET', '/items/{id:int}']);
      assert.deepEqual(router.lookup('GET', '/items/9007199254740991'), found('GET /items/{id:int}', { id: Number.MAX_SAFE_INTEGER }));
      assert.deepEqual(router.lookup('GET', '/items/-9007199254740991'), found('GET /items/{id:int}', { id: -Number.MAX_SAFE_INTEGER }));
    });

    it('converts {x:float} to a number and rejects what is not a decimal number', () => {
      const router = routerOf(['GET', '/price/{x:float}']);
      assert.deepEqual(router.lookup('GET', '/price/1.5'), found('GET /price/{x:float}', { x: 1.5 }));
      assert.deepEqual(router.lookup('GET', '/price/-2.25'), found('GET /price/{x:float}', { x: -2.25 }));
      assert.deepEqual(router.lookup('GET', '/price/3'), found('GET /price/{x:float}', { x: 3 }));
      for (const bad of ['abc', '1.', '.5', 'NaN', 'Infinity', '1e3']) {
        assert.deepEqual(router.lookup('GET', `/price/${bad}`), { found: false, allowed: [] }, bad);
      }
    });

    it('matches {key:uuid} in either case and gives it lower-cased', () => {
      const router = routerOf(['GET', '/keys/{key:uuid}']);
      const uuid = '123E4567-E89B-12D3-A456-426614174000';
      assert.deepEqual(router.lookup('GET', `/keys/${uuid}`), found('GET /keys/{key:uuid}', { key: uuid.toLowerCase() }));
      for (const bad of [
        '123e4567e89b12d3a456426614174000',
        '123e4567-e89b-12d3-a456-42661417400',
        'g23e4567-e89b-12d3-a456-426614174000',
      ]) {
        assert.deepEqual(router.lookup('GET', `/keys/${bad}`), { found: false, allowed: [] }, bad);
      }
    });

    it('gives {rest:path} the rest of the path, slashes included', () => {
      const router = routerOf(['GET', '/static/{rest:path}']);
      assert.deepEqual(router.lookup('GET', '/static/css/site/main.css'), found('GET /static/{rest:path}', { rest: 'css/site/main.css' }));
      assert.deepEqual(router.lookup('GET', '/static/a//b/'), found('GET /static/{rest:path}', { rest: 'a//b/' }));
      assert.deepEqual(router.lookup('GET', '/static'), { found: false, allowed: [] });
    });

    it('matches the raw path and decodes each parameter after matching', () => {
      const router = routerOf(['GET', '/files/{name}'], ['GET', '/files/{name}/meta'], ['GET', '/café/{id:int}']);
      // An encoded slash stays inside its segment: one parameter, not a second segment.
      assert.deepEqual(router.lookup('GET', '/files/x%2Fy'), found('GET /files/{name}', { name: 'x/y' }));
      assert.deepEqual(router.lookup('GET', '/files/x%2Fy/meta'), found('GET /files/{name}/meta', { name: 'x/y' }));
      // Decoded once: an encoded percent sign stays a percent sign.
      assert.deepEqual(router.lookup('GET', '/files/x%252Fy'), found('GET /files/{name}', { name: 'x%2Fy' }));
      assert.deepEqual(router.lookup('GET', '/files/a%20b'), found('GET /files/{name}', { name: 'a b' }));
      // Static segments compare decoded, and converters see the decoded text.
      assert.deepEqual(router.lookup('GET', '/caf%C3%A9/%34%32'), found('GET /café/{id:int}', { id: 42 }));
    });

    it('decodes {rest:path} after matching, encoded slashes included', () => {
      const router = routerOf(['GET', '/static/{rest:path}']);
      assert.deepEqual(router.lookup('GET', '/static/a%2Fb/c%20d'), found('GET /static/{rest:path}', { rest: 'a/b/c d' }));
      assert.deepEqual(router.lookup('GET', '/static/x%252Fy'), found('GET /static/{rest:path}', { rest: 'x%2Fy' }));
    });

    it('matches nothing where a segment holds a malformed escape', () => {
      const router = routerOf(['GET', '/files/{name}'], ['GET', '/static/{rest:path}']);
      for (const path of ['/files/%zz', '/files/a%4', '/files/%C3', '/static/ok/%E0%A4%A']) {
        assert.deepEqual(router.lookup('GET', path), { found: false, allowed: [] }, path);
      }
    });

    it('combines converters with a rest parameter in one route', () => {
      const router = routerOf(['GET', '/users/{id:int}/files/{rest:path}']);
      assert.deepEqual(
        router.lookup('GET', '/users/3/files/docs/a.txt'),
        found('GET /users/{id:int}/files/{rest:path}', { id: 3, rest: 'docs/a.txt' }),
      );
    });

    it('tries parameters with different converters at one position in declaration order', () => {
      const router = routerOf(['GET', '/a/{id:int}'], ['GET', '/a/{name}']);
      assert.deepEqual(router.lookup('GET', '/a/5'), found('GET /a/{id:int}', { id: 5 }));
      assert.deepEqual(router.lookup('GET', '/a/five'), found('GET /a/{name}', { name: 'five' }));
      const reversed = routerOf(['GET', '/a/{name}'], ['GET', '/a/{id:int}']);
      assert.deepEqual(reversed.lookup('GET', '/a/5'), found('GET /a/{name}', { name: '5' }));
    });

    it('backtracks from a static branch that dead-ends to a parameter branch', () => {
      const router = routerOf(['GET', '/a/{x}/c'], ['GET', '/a/b/d']);
      assert.deepEqual(router.lookup('GET', '/a/b/d'), found('GET /a/b/d'));
      assert.deepEqual(router.lookup('GET', '/a/b/c'), found('GET /a/{x}/c', { x: 'b' }));
      assert.deepEqual(router.lookup('GET', '/a/z/c'), found('GET /a/{x}/c', { x: 'z' }));
      assert.deepEqual(router.lookup('GET', '/a/b/e'), { found: false, allowed: [] });
    });

    it('backtracks from a parameter branch that dead-ends to {rest:path}', () => {
      const router = routerOf(['GET', '/a/{x:int}/c'], ['GET', '/a/{rest:path}']);
      assert.deepEqual(router.lookup('GET', '/a/1/c'), found('GET /a/{x:int}/c', { x: 1 }));
      assert.deepEqual(router.lookup('GET', '/a/1/d'), found('GET /a/{rest:path}', { rest: '1/d' }));
    });

    it('backtracks on the method: a deeper match for the right method beats a shallower one for another', () => {
      const router = routerOf(['GET', '/a/{id:int}'], ['POST', '/a/{name}']);
      assert.deepEqual(router.lookup('POST', '/a/5'), found('POST /a/{name}', { name: '5' }));
      assert.deepEqual(router.lookup('GET', '/a/5'), found('GET /a/{id:int}', { id: 5 }));
    });

    it('does not leak a {rest:path} value from a branch that only allowed other methods', () => {
      const router = routerOf(['POST', '/a/{rest:path}'], ['GET', '/{x}/b']);
      assert.deepEqual(router.lookup('GET', '/a/b'), found('GET /{x}/b', { x: 'a' }));
    });

    it('matches methods exactly as registered', () => {
      const router = routerOf(['GET', '/x'], ['POST', '/x']);
      assert.deepEqual(router.lookup('POST', '/x'), found('POST /x'));
      assert.deepEqual(router.lookup('GET', '/x'), found('GET /x'));
    });
  });

  describe('allowed methods (405)', () => {
    it('lists the methods the path allows, in declaration order, when the method does not match', () => {
      const router = routerOf(['GET', '/x'], ['POST', '/x'], ['PUT', '/x']);
      assert.deepEqual(router.lookup('DELETE', '/x'), { found: false, allowed: ['GET', 'POST', 'PUT'] });
    });

    it('gives an empty list when no route matches the path at all', () => {
      const router = routerOf(['GET', '/x'], ['POST', '/y/{id:int}']);
      assert.deepEqual(router.lookup('GET', '/z'), { found: false, allowed: [] });
      assert.deepEqual(router.lookup('POST', '/y/abc'), { found: false, allowed: [] });
    });

    it('lists the methods of parametric routes whose converters accept the path', () => {
      const router = routerOf(['GET', '/items/{id:int}'], ['DELETE', '/items/{id:int}']);
      assert.deepEqual(router.lookup('PATCH', '/items/4'), { found: false, allowed: ['GET', 'DELETE'] });
      assert.deepEqual(router.lookup('PATCH', '/items/four'), { found: false, allowed: [] });
    });

    it('lists every method that some route would serve for this path, across branches', () => {
      const router = routerOf(['GET', '/a/{x}'], ['POST', '/a/b'], ['PUT', '/a/{rest:path}']);
      const match = router.lookup('DELETE', '/a/b');
      assert.equal(match.found, false);
      assert.ok(!match.found);
      // GET /a/b, POST /a/b and PUT /a/b all succeed, so all three are allowed here.
      assert.deepEqual([...match.allowed].sort(), ['GET', 'POST', 'PUT']);
      for (const method of match.allowed) assert.equal(router.lookup(method, '/a/b').found, true, method);
    });

    it('never lists a method twice', () => {
      const router = routerOf(['GET', '/a/{x}'], ['GET', '/a/b']);
      assert.deepEqual(router.lookup('POST', '/a/b'), { found: false, allowed: ['GET'] });
    });
  });

  describe('configuration errors', () => {
    it('rejects the same method and path declared twice, naming both', () => {
      const router = routerOf(['GET', '/users/{id:int}']);
      assertConfigError(() => router.add('GET', '/users/{id:int}', 'again'), 'GET', '/users/{id:int}', 'twice');
    });

    it('accepts the same path for different methods', () => {
      const router = routerOf(['GET', '/users'], ['POST', '/users']);
      assert.deepEqual(router.lookup('POST', '/users'), found('POST /users'));
    });

    it('rejects a parameter that clashes with another name at the same position and converter', () => {
      const router = routerOf(['GET', '/users/{id}']);
      assertConfigError(() => router.add('POST', '/users/{name}', 'x'), '/users/{name}', '{name}', '{id}');
      const ints = routerOf(['GET', '/users/{id:int}/posts']);
      assertConfigError(() => ints.add('GET', '/users/{uid:int}/comments', 'x'), '/users/{uid:int}/comments', '{uid}', '{id}');
    });

    it('rejects a {x:path} that clashes with another rest name at the same position', () => {
      const router = routerOf(['GET', '/files/{rest:path}']);
      assertConfigError(() => router.add('POST', '/files/{file:path}', 'x'), '/files/{file:path}', 'file', 'rest');
    });

    it('accepts the same rest name for another method and gives its value', () => {
      const router = routerOf(['GET', '/files/{rest:path}'], ['PUT', '/files/{rest:path}']);
      assert.deepEqual(router.lookup('PUT', '/files/a/b'), found('PUT /files/{rest:path}', { rest: 'a/b' }));
    });

    it('leaves the router unchanged for a template it rejects', () => {
      const router = routerOf(['GET', '/ok']);
      assertConfigError(() => router.add('GET', '/bad/{x', 'x'), '/bad/{x');
      assert.deepEqual(router.lookup('GET', '/bad/{x'), { found: false, allowed: [] });
    });
  });

  describe('lookup cost', () => {
    const ROUTES = 10_000;

    it('visits as many nodes among 10,000 static routes as among 10', () => {
      const small = routerOf(...Array.from({ length: 10 }, (_, i): [string, string] => ['GET', `/s${i}/x`]));
      const large = routerOf(...Array.from({ length: ROUTES }, (_, i): [string, string] => ['GET', `/s${i}/x`]));
      const smallLookup = countingLookup(small);
      const largeLookup = countingLookup(large);
      const hit = largeLookup('GET', `/s${ROUTES - 1}/x`);
      assert.deepEqual(hit.match, found(`GET /s${ROUTES - 1}/x`));
      assert.ok(hit.visits > 0 && hit.visits <= 3, `visited ${hit.visits} nodes`);
      assert.equal(hit.visits, smallLookup('GET', '/s9/x').visits);
      const miss = largeLookup('GET', '/nowhere/x');
      assert.equal(miss.match.found, false);
      assert.ok(miss.visits <= 2, `a miss visited ${miss.visits} nodes`);
    });

    it('calls one converter once per segment among 10,000 parametric routes', () => {
      const large = routerOf(...Array.from({ length: ROUTES }, (_, i): [string, string] => ['GET', `/items/{id:int}/v${i}`]));
      const small = routerOf(...Array.from({ length: 10 }, (_, i): [string, string] => ['GET', `/items/{id:int}/v${i}`]));
      let match: Match<string> | undefined;
      const largeCalls = countConverterCalls('int', () => {
        match = large.lookup('GET', `/items/12/v${ROUTES - 1}`);
      });
      assert.deepEqual(match, found(`GET /items/{id:int}/v${ROUTES - 1}`, { id: 12 }));
      assert.equal(largeCalls, 1);
      const smallCalls = countConverterCalls('int', () => small.lookup('GET', '/items/12/v9'));
      assert.equal(smallCalls, largeCalls);
      const missCalls = countConverterCalls('int', () => {
        match = large.lookup('GET', '/items/12/none');
      });
      assert.equal(match?.found, false);
      assert.equal(missCalls, 1);
    });

    it('calls converters a bounded number of times when 10,000 routes each start with a different static segment', () => {
      const router = routerOf(...Array.from({ length: ROUTES }, (_, i): [string, string] => ['GET', `/r${i}/{id:int}/{key:uuid}`]));
      const lookup = countingLookup(router);
      const uuid = '123e4567-e89b-12d3-a456-426614174000';
      let result: { match: Match<string>; visits: number } | undefined;
      const intCalls = countConverterCalls('int', () => {
        result = lookup('GET', `/r${ROUTES / 2}/7/${uuid}`);
      });
      assert.deepEqual(result?.match, found(`GET /r${ROUTES / 2}/{id:int}/{key:uuid}`, { id: 7, key: uuid }));
      assert.equal(intCalls, 1);
      assert.ok(result !== undefined && result.visits <= 4, `visited ${result?.visits} nodes`);
    });
  });
});
