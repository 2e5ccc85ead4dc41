import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { jsonLine, prettyLine, serializeError } from '../../../lib/config/log-line';
import { Logger } from '../../../lib/config/logger';

const TIME = Date.UTC(2026, 10, 24, 15, 40, 0, 123);

describe('log lines (lib/config/log-line.ts)', () => {
  describe('jsonLine', () => {
    it("puts pino's members in pino's order, fields between the bindings and msg", () => {
      const line = jsonLine(30, TIME, ',"pid":1,"hostname":"h","reqId":"r"', { event: 'e', n: 2 }, 'hi');
      assert.equal(line, `{"level":30,"time":${TIME},"pid":1,"hostname":"h","reqId":"r","event":"e","n":2,"msg":"hi"}`);
      assert.equal(jsonLine(40, TIME, '', {}, undefined), `{"level":40,"time":${TIME}}`);
    });
  });

  describe('serializeError', () => {
    it('gives an Error its class name, message and stack, and anything else its type and text', () => {
      class PaymentError extends Error {}
      const error = serializeError(new PaymentError('declined'));
      assert.equal(error.type, 'PaymentError');
      assert.equal(error.message, 'declined');
      assert.match(error.stack ?? '', /declined\n\s+at /);
      assert.deepEqual(serializeError(42), { type: 'number', message: '42' });
      assert.deepEqual(serializeError(null), { type: 'null', message: 'null' });
      assert.deepEqual(serializeError({ message: 'plain' }), { type: 'Object', message: 'plain', stack: undefined });
    });
  });

  describe('prettyLine', () => {
    it('is one short line: clock, level, message, the fields the message does not show, then the bindings', () => {
      const line = prettyLine(
        30,
        TIME,
        { reqId: 'k3x9-1' },
        { event: 'http', method: 'GET', path: '/items', status: 200, ms: 0.41, client: '127.0.0.1', completed: true },
        'GET /items 200 0.41 ms',
        false,
      );
      assert.equal(line, '15:40:00.123 INFO  GET /items 200 0.41 ms client=127.0.0.1 completed=true reqId=k3x9-1');
    });

    it("shows an error's type, message and first stack frame on the same line", () => {
      const error = new TypeError('bad\ninput');
      const line = prettyLine(50, TIME, {}, { event: 'error', err: error }, 'Unhandled error in route GET /', false);
      assert.ok(!line.includes('\n'), line);
      assert.match(
        line,
        /^15:40:00\.123 ERROR Unhandled error in route GET \/ TypeError: bad input \(at .+log-line\.spec\.js:\d+:\d+\)\)?$/,
      );
    });

    it('colours the level when asked, and only then', () => {
      const plain = prettyLine(40, TIME, {}, { n: 1 }, 'careful', false);
      const coloured = prettyLine(40, TIME, {}, { n: 1 }, 'careful', true);
      assert.equal(plain, '15:40:00.123 WARN  careful n=1');
      assert.notEqual(coloured, plain);
      assert.ok(coloured.includes('\u001b[33mWARN '), 'warn is yellow');
      assert.equal(stripVTControlCharacters(coloured), plain);
    });

    it("is what the built-in Logger writes with format: 'pretty'", () => {
      const lines: string[] = [];
      const logger = new Logger({ level: 'info', format: 'pretty', write: (line) => lines.push(line) });
      logger.child({ connId: '7' }).info({ event: 'ws.open', path: '/ws' }, 'WebSocket /ws opened');
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^\d\d:\d\d:\d\d\.\d{3} INFO {2}WebSocket \/ws opened connId=7$/);
    });
  });
});
