import assert from 'node:assert/strict';
import { MAX_REQUEST_ID_LENGTH, newRequestId, requestIdOf } from '../../../lib/http/request-id';

describe('request ids (lib/http/request-id.ts)', () => {
  it('takes a printable X-Request-Id of at most 200 characters as it is', () => {
    for (const id of ['abc', '7f1c2a4e-9b0d-4f57-8a3e-2b9f0c6d1e55', 'a b', 'x'.repeat(MAX_REQUEST_ID_LENGTH), '~!@#$%^&*()']) {
      assert.equal(requestIdOf(id), id);
    }
  });

  it('replaces a missing, empty, too long, non-printable or repeated header with a new id', () => {
    for (const header of [undefined, '', ' ', ' padded', 'x'.repeat(201), 'tab\there', 'new\nline', 'é', '\u0000', ['a', 'b']]) {
      const id = requestIdOf(header);
      assert.notEqual(id, header);
      assert.match(id, /^[\w-]+-[0-9a-z]+$/, `a generated id for ${JSON.stringify(header)}`);
    }
  });

  it('generates ids unique in the process, with one prefix and a counter', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    assert.equal(new Set(ids).size, 1000);
    const prefixes = new Set(ids.map((id) => id.slice(0, id.lastIndexOf('-'))));
    assert.equal(prefixes.size, 1);
    const [prefix] = prefixes;
    assert.ok(prefix.length >= 8, prefix);
  });
});
