import assert from 'node:assert/strict';
import { converters } from '../../../lib/routing/converters';

/** Converts `segment` with the named converter. */
function convert(name: string, segment: string): string | number | undefined {
  const converter = converters[name];
  assert.ok(converter, `no converter named ${name}`);
  return converter.convert(segment);
}

describe('converters', () => {
  it('offers str, int, float, uuid and path, each under its own name', () => {
    assert.deepEqual(Object.keys(converters).sort(), ['float', 'int', 'path', 'str', 'uuid']);
    for (const [key, converter] of Object.entries(converters)) assert.equal(converter.name, key);
  });

  describe('str', () => {
    it('gives any non-empty segment unchanged', () => {
      for (const segment of ['alice', '42', 'a b', 'é', '%2F', '-']) assert.equal(convert('str', segment), segment);
    });

    it('rejects the empty segment', () => {
      assert.equal(convert('str', ''), undefined);
    });
  });

  describe('int', () => {
    it('gives decimal integers as numbers, negatives and leading zeros included', () => {
      assert.equal(convert('int', '0'), 0);
      assert.equal(convert('int', '42'), 42);
      assert.equal(convert('int', '-7'), -7);
      assert.equal(convert('int', '007'), 7);
    });

    it('accepts the safe-integer range and rejects anything beyond it', () => {
      assert.equal(convert('int', String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
      assert.equal(convert('int', String(Number.MIN_SAFE_INTEGER)), Number.MIN_SAFE_INTEGER);
      assert.equal(convert('int', '9007199254740992'), undefined);
      assert.equal(convert('int', '-9007199254740992'), undefined);
      assert.equal(convert('int', '1'.repeat(400)), undefined);
    });

    for (const segment of ['1.5', '1.0', 'abc', '12abc', '', '-', '+1', '1e3', '0x1f', ' 1', '1 ', '١٢', 'Infinity', 'NaN']) {
      it(`rejects ${JSON.stringify(segment)}`, () => {
        assert.equal(convert('int', segment), undefined);
      });
    }
  });

  describe('float', () => {
    it('gives decimal numbers as numbers', () => {
      assert.equal(convert('float', '1.5'), 1.5);
      assert.equal(convert('float', '-0.25'), -0.25);
      assert.equal(convert('float', '3'), 3);
      assert.equal(convert('float', '10.000'), 10);
    });

    for (const segment of ['abc', '', '.5', '1.', '1.2.3', '1e3', 'NaN', 'Infinity', '-Infinity', '0x10', '1,5']) {
      it(`rejects ${JSON.stringify(segment)}`, () => {
        assert.equal(convert('float', segment), undefined);
      });
    }

    it('rejects digit strings too large to be a finite number', () => {
      assert.equal(convert('float', '9'.repeat(400)), undefined);
      assert.equal(convert('float', `-${'9'.repeat(400)}.5`), undefined);
    });
  });

  describe('uuid', () => {
    const uuid = '123e4567-e89b-12d3-a456-426614174000';

    it('accepts a canonical UUID and gives it lower-cased', () => {
      assert.equal(convert('uuid', uuid), uuid);
      assert.equal(convert('uuid', uuid.toUpperCase()), uuid);
    });

    for (const segment of [
      '',
      '123e4567e89b12d3a456426614174000',
      `{${uuid}}`,
      `${uuid}0`,
      uuid.slice(1),
      uuid.replace('1', 'g'),
      `urn:uuid:${uuid}`,
    ]) {
      it(`rejects ${JSON.stringify(segment)}`, () => {
        assert.equal(convert('uuid', segment), undefined);
      });
    }
  });

  describe('path', () => {
    it('gives the rest of the path as is, slashes included', () => {
      assert.equal(convert('path', 'a/b/c.txt'), 'a/b/c.txt');
      assert.equal(convert('path', ''), '');
    });
  });
});
