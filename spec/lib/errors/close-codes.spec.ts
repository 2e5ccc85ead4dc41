import assert from 'node:assert/strict';
import { assertCloseCode, assertCloseReason, isSendableCloseCode, MAX_REASON_BYTES, truncateReason } from '../../../lib/errors/close-codes';
import * as status from '../../../lib/errors/status';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** True when `text` survives a UTF-8 round trip, i.e. holds no lone surrogate from a split pair. */
const wellFormed = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('close codes', () => {
  describe('assertCloseCode', () => {
    const forbidden = [
      1004,
      1005,
      1006,
      1015, // reserved by RFC 6455: never sent in a close frame
      0,
      1,
      999,
      -1000, // below the range
      1016,
      1100,
      2000,
      2999, // reserved for future protocol revisions
      5000,
      65535,
      70000, // above the range
      1000.5,
      3000.1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY, // not integers
    ];
    for (const code of forbidden) {
      it(`rejects ${code} with a TypeError that names the code`, () => {
        assert.throws(
          () => assertCloseCode(code),
          (error: unknown) => {
            assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
            assert.ok(error.message.includes(String(code)), error.message);
            return true;
          },
        );
        assert.equal(isSendableCloseCode(code), false);
      });
    }

    const allowed = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3003, 3008, 3999, 4000, 4404, 4999];
    for (const code of allowed) {
      it(`accepts ${code}`, () => {
        assert.doesNotThrow(() => assertCloseCode(code));
        assert.equal(isSendableCloseCode(code), true);
      });
    }

    it('agrees with the status constants: every WS_ constant but the four reserved ones is sendable', () => {
      const reserved = new Set([
        status.WS_1004_RESERVED,
        status.WS_1005_NO_STATUS_RECEIVED,
        status.WS_1006_ABNORMAL_CLOSURE,
        status.WS_1015_TLS_HANDSHAKE,
      ]);
      let checked = 0;
      for (const [name, code] of Object.entries(status)) {
        if (!name.startsWith('WS_')) continue;
        checked++;
        assert.equal(isSendableCloseCode(code), !reserved.has(code), name);
      }
      assert.ok(checked >= 19, `only ${checked} WS_ constants`);
    });

    it('checks every code from 0 to 5100 against the RFC 6455 ranges', () => {
      for (let code = 0; code <= 5100; code++) {
        const expected = (code >= 1000 && code <= 1015 && ![1004, 1005, 1006, 1015].includes(code)) || (code >= 3000 && code <= 4999);
        assert.equal(isSendableCloseCode(code), expected, String(code));
      }
    });
  });

  describe('assertCloseReason', () => {
    it('accepts reasons up to 123 UTF-8 bytes', () => {
      assert.equal(MAX_REASON_BYTES, 123);
      assert.doesNotThrow(() => assertCloseReason(''));
      assert.doesNotThrow(() => assertCloseReason('a'.repeat(123)));
      assert.doesNotThrow(() => assertCloseReason('é'.repeat(61) + 'a')); // 61 × 2 + 1 = 123 bytes
    });

    it('rejects a reason over 123 UTF-8 bytes with a TypeError giving its size', () => {
      assert.throws(
        () => assertCloseReason('a'.repeat(124)),
        (error: unknown) => error instanceof TypeError && error.message.includes('124'),
      );
    });

    it('counts bytes, not UTF-16 code units: 62 two-byte characters are too many', () => {
      const reason = 'é'.repeat(62);
      assert.equal(reason.length, 62);
      assert.throws(
        () => assertCloseReason(reason),
        (error: unknown) => error instanceof TypeError && error.message.includes('124'),
      );
      const emoji = '😀'.repeat(31); // 62 code units, 124 bytes
      assert.throws(() => assertCloseReason(emoji), TypeError);
    });
  });

  describe('truncateReason', () => {
    it('returns a reason that fits unchanged', () => {
      for (const reason of ['', 'bye', 'a'.repeat(123), '😀'.repeat(30), '中'.repeat(41)]) {
        assert.equal(truncateReason(reason), reason);
      }
    });

    it('cuts ASCII to exactly 123 bytes', () => {
      const cut = truncateReason('x'.repeat(500));
      assert.equal(cut, 'x'.repeat(123));
    });

    const cases: [string, string, number][] = [
      // [label, reason, expected byte length of the result]
      ['emoji (4 bytes each)', '😀'.repeat(40), 120],
      ['CJK (3 bytes each)', '中'.repeat(50), 123],
      ['two-byte letters', 'é'.repeat(80), 122],
      ['ASCII then an emoji across the limit', `${'a'.repeat(121)}😀tail`, 121],
      ['ASCII then CJK across the limit', `${'a'.repeat(122)}中`, 122],
      ['mixed scripts', 'Ошибка: 接続が切れました 😀 '.repeat(10), -1],
    ];
    for (const [label, reason, expected] of cases) {
      it(`never splits a character and never exceeds 123 bytes: ${label}`, () => {
        const cut = truncateReason(reason);
        assert.ok(bytes(cut) <= MAX_REASON_BYTES, `${bytes(cut)} bytes`);
        assert.ok(wellFormed(cut), 'the cut split a surrogate pair');
        assert.ok(reason.startsWith(cut), 'the result is a prefix of the reason');
        // Nothing more would have fit: the next character overflows.
        const next = [...reason.slice(cut.length)][0];
        assert.ok(next !== undefined && bytes(cut) + bytes(next) > MAX_REASON_BYTES, 'cut shorter than needed');
        if (expected >= 0) assert.equal(bytes(cut), expected);
        assert.doesNotThrow(() => assertCloseReason(cut));
      });
    }
  });
});
