import assert from 'node:assert/strict';
import { closeFrameFor } from '../../../lib/errors/error-close';
import { HTTPException, ValidationError, WebSocketException, WebSocketProtocolError } from '../../../lib/errors/exceptions';
import * as status from '../../../lib/errors/status';

describe('closeFrameFor (the after-accept column of the one table)', () => {
  describe('HTTPException', () => {
    const table: [number, number][] = [
      [status.HTTP_401_UNAUTHORIZED, status.WS_3000_UNAUTHORIZED],
      [status.HTTP_403_FORBIDDEN, status.WS_3003_FORBIDDEN],
      [status.HTTP_408_REQUEST_TIMEOUT, status.WS_3008_TIMEOUT],
      [status.HTTP_413_CONTENT_TOO_LARGE, status.WS_1009_MESSAGE_TOO_BIG],
      [status.HTTP_503_SERVICE_UNAVAILABLE, status.WS_1013_TRY_AGAIN_LATER],
      [status.HTTP_500_INTERNAL_SERVER_ERROR, status.WS_1011_INTERNAL_ERROR],
    ];
    for (const [httpStatus, code] of table) {
      it(`maps ${httpStatus} to ${code}, with the exception's message as reason, as an expected answer`, () => {
        assert.deepEqual(closeFrameFor(new HTTPException(httpStatus, 'because'), false), { code, reason: 'because', unexpected: false });
      });
    }

    for (const httpStatus of [400, 402, 404, 409, 422, 429, 451, 499]) {
      it(`maps the other 4xx ${httpStatus} to ${4000 + httpStatus}`, () => {
        assert.deepEqual(closeFrameFor(new HTTPException(httpStatus, 'no'), false), { code: 4000 + httpStatus, reason: 'no', unexpected: false });
      });
    }

    for (const httpStatus of [301, 501, 502, 504]) {
      it(`maps ${httpStatus}, neither 4xx nor listed, to 1011`, () => {
        assert.equal(closeFrameFor(new HTTPException(httpStatus), false).code, status.WS_1011_INTERNAL_ERROR);
      });
    }

    it('uses the standard status text when no detail was given, and JSON for an object detail', () => {
      assert.equal(closeFrameFor(new HTTPException(404), false).reason, 'Not Found');
      assert.equal(closeFrameFor(new HTTPException(422, { field: 'name' }), false).reason, '{"field":"name"}');
    });

    it('cuts a long detail to 123 bytes on a character boundary', () => {
      const frame = closeFrameFor(new HTTPException(403, '€'.repeat(50)), false);
      assert.equal(frame.reason, '€'.repeat(41));
      assert.equal(Buffer.byteLength(frame.reason), 123);
    });
  });

  describe('WebSocketException', () => {
    it('closes with its own code and reason', () => {
      assert.deepEqual(closeFrameFor(new WebSocketException(4321, 'custom'), false), { code: 4321, reason: 'custom', unexpected: false });
      assert.deepEqual(closeFrameFor(new WebSocketException(status.WS_1008_POLICY_VIOLATION), false), { code: 1008, reason: '', unexpected: false });
    });

    it('keeps the boundary codes 1000, 1014, 3000 and 4999', () => {
      for (const code of [1000, 1014, 3000, 4999]) assert.equal(closeFrameFor(new WebSocketException(code), false).code, code);
    });

    it('cuts a long reason without splitting a character that straddles byte 123', () => {
      const reason = `${'a'.repeat(121)}€€`;
      assert.equal(closeFrameFor(new WebSocketException(4000, reason), false).reason, 'a'.repeat(121));
      const emoji = '😀'.repeat(40); // 4 bytes (two UTF-16 units) each
      const cut = closeFrameFor(new WebSocketException(4000, emoji), false).reason;
      assert.equal(cut, '😀'.repeat(30));
      assert.equal(Buffer.byteLength(cut), 120);
    });

    for (const code of [1004, 1005, 1006, 1015, 999, 2000, 5000]) {
      it(`turns the unsendable code ${code} into 1011, reported as unexpected`, () => {
        assert.deepEqual(closeFrameFor(new WebSocketException(code, 'bad'), false), { code: 1011, reason: 'Internal Error', unexpected: true });
      });
    }

    it('WebSocketProtocolError closes 1002 with its reason', () => {
      assert.deepEqual(closeFrameFor(new WebSocketProtocolError('Speak chat.v1'), false), { code: 1002, reason: 'Speak chat.v1', unexpected: false });
      assert.deepEqual(closeFrameFor(new WebSocketProtocolError(), false), { code: 1002, reason: 'Protocol error', unexpected: false });
    });
  });

  describe('ValidationError', () => {
    it('closes 1007 with its message', () => {
      const error = new ValidationError('message', [{ instancePath: '/n', schemaPath: '#/properties/n/type', keyword: 'type', params: { type: 'integer' }, message: 'must be integer' }]);
      assert.deepEqual(closeFrameFor(error, false), { code: 1007, reason: 'Invalid message: /n must be integer', unexpected: false });
    });

    it('cuts a long message to 123 bytes', () => {
      const frame = closeFrameFor(new ValidationError('message', [], 'x'.repeat(500)), false);
      assert.deepEqual([frame.code, frame.reason], [1007, 'x'.repeat(123)]);
    });
  });

  describe('any other error', () => {
    it('closes 1011 "Internal Error" without details, as unexpected', () => {
      assert.deepEqual(closeFrameFor(new Error('secret detail'), false), { code: 1011, reason: 'Internal Error', unexpected: true });
      assert.deepEqual(closeFrameFor(new TypeError('x is undefined'), false), { code: 1011, reason: 'Internal Error', unexpected: true });
    });

    it('with debug, gives the error\'s name and message, cut to 123 bytes', () => {
      assert.deepEqual(closeFrameFor(new TypeError('x is undefined'), true), { code: 1011, reason: 'TypeError: x is undefined', unexpected: true });
      const long = closeFrameFor(new Error('é'.repeat(100)), true).reason;
      assert.equal(long, `Error: ${'é'.repeat(58)}`);
      assert.equal(Buffer.byteLength(long), 123);
    });

    it('has nothing to tell about a thrown non-Error, even with debug', () => {
      assert.deepEqual(closeFrameFor('a string', true), { code: 1011, reason: 'Internal Error', unexpected: true });
      assert.deepEqual(closeFrameFor(undefined, true), { code: 1011, reason: 'Internal Error', unexpected: true });
    });
  });
});
