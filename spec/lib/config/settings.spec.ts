import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { Logger } from '../../../lib/config/logger';
import { environmentAccessLog, environmentLogFormat, environmentLogLevel, resolveSettings } from '../../../lib/config/settings';

describe('settings (lib/config/settings.ts)', () => {
  describe('the log level from STARWIRE_LOG_LEVEL', () => {
    const saved = process.env.STARWIRE_LOG_LEVEL;
    afterEach(() => {
      if (saved === undefined) delete process.env.STARWIRE_LOG_LEVEL;
      else process.env.STARWIRE_LOG_LEVEL = saved;
    });

    it('is the default when set, and warn when unset or empty', () => {
      assert.equal(environmentLogLevel({}), 'warn');
      assert.equal(environmentLogLevel({ STARWIRE_LOG_LEVEL: '' }), 'warn');
      assert.equal(environmentLogLevel({ STARWIRE_LOG_LEVEL: 'debug' }), 'debug');
      process.env.STARWIRE_LOG_LEVEL = 'info';
      assert.equal(resolveSettings().logLevel, 'info');
    });

    it('gives way to the level the app sets itself', () => {
      process.env.STARWIRE_LOG_LEVEL = 'info';
      assert.equal(resolveSettings({ logLevel: 'error' }).logLevel, 'error');
    });

    it('refuses a name that is not a level, naming the variable', () => {
      assert.throws(
        () => environmentLogLevel({ STARWIRE_LOG_LEVEL: 'loud' }),
        /STARWIRE_LOG_LEVEL must be one of silent, fatal, error, warn, info, debug, trace, got "loud"/,
      );
      assert.throws(() => environmentLogLevel({ STARWIRE_LOG_LEVEL: 'toString' }), TypeError);
    });
  });

  describe('forms', () => {
    it('fills in every form limit and the upload folder, keeping those given', () => {
      const { forms } = resolveSettings({ forms: { maxFiles: 2, maxFileSize: undefined } });
      assert.equal(forms.maxFiles, 2);
      assert.equal(forms.maxFileSize, 10 * 1024 * 1024);
      assert.equal(forms.maxFields, 1000);
      assert.equal(forms.uploadDir, tmpdir());
    });

    it('refuses a limit that is not a non-negative integer, naming it', () => {
      assert.throws(
        () => resolveSettings({ forms: { maxTotalSize: -5 } }),
        /settings\.forms\.maxTotalSize must be a non-negative integer, got -5/,
      );
      assert.throws(() => resolveSettings({ forms: { maxFields: Number.NaN } }), TypeError);
    });
  });

  describe('the access log from STARWIRE_ACCESS_LOG', () => {
    it('is true or false when set (1/0, true/false, yes/no, on/off), undefined when unset or empty; an app setting wins', () => {
      assert.equal(environmentAccessLog({}), undefined);
      assert.equal(environmentAccessLog({ STARWIRE_ACCESS_LOG: '' }), undefined);
      for (const text of ['1', 'true', 'YES', 'on']) assert.equal(environmentAccessLog({ STARWIRE_ACCESS_LOG: text }), true);
      for (const text of ['0', 'false', 'No', 'off']) assert.equal(environmentAccessLog({ STARWIRE_ACCESS_LOG: text }), false);
      assert.throws(() => environmentAccessLog({ STARWIRE_ACCESS_LOG: 'maybe' }), /STARWIRE_ACCESS_LOG must be true or false, got "maybe"/);
      assert.equal(resolveSettings({ accessLog: true }).accessLog, true);
    });
  });

  describe('the log format from STARWIRE_LOG_FORMAT', () => {
    const saved = process.env.STARWIRE_LOG_FORMAT;
    afterEach(() => {
      if (saved === undefined) delete process.env.STARWIRE_LOG_FORMAT;
      else process.env.STARWIRE_LOG_FORMAT = saved;
    });

    it('is json when unset or empty, the variable when set, and gives way to the app setting', () => {
      assert.equal(environmentLogFormat({}), 'json');
      assert.equal(environmentLogFormat({ STARWIRE_LOG_FORMAT: '' }), 'json');
      assert.equal(environmentLogFormat({ STARWIRE_LOG_FORMAT: 'pretty' }), 'pretty');
      process.env.STARWIRE_LOG_FORMAT = 'pretty';
      assert.equal(resolveSettings().logFormat, 'pretty');
      assert.equal(resolveSettings({ logFormat: 'json' }).logFormat, 'json');
    });

    it('refuses a name that is not a format, from the variable or the setting', () => {
      assert.throws(
        () => environmentLogFormat({ STARWIRE_LOG_FORMAT: 'xml' }),
        /STARWIRE_LOG_FORMAT must be one of json, pretty, got "xml"/,
      );
      assert.throws(() => resolveSettings({ logFormat: 'xml' as never }), /settings.logFormat must be one of json, pretty, got xml/);
    });
  });

  describe('the logger', () => {
    it("is the built-in Logger at the settings' level, writing to logWrite, unless one is given", () => {
      const lines: string[] = [];
      const settings = resolveSettings({ logLevel: 'error', logWrite: (line) => lines.push(line) });
      assert.ok(settings.logger instanceof Logger);
      settings.logger.warn({}, 'dropped');
      settings.logger.error({ event: 'kept' }, 'kept');
      assert.equal(lines.length, 1);
      const given = new Logger({ level: 'debug' });
      assert.equal(resolveSettings({ logger: given }).logger, given);
    });

    it('refuses a logger without the methods Starwire calls', () => {
      assert.throws(
        () => resolveSettings({ logger: { info: 1 } as never }),
        /settings.logger must have the methods error, warn, info, debug and child/,
      );
    });

    it('routes the default logError to an error line with err, through the context logger when given', () => {
      const lines: Record<string, unknown>[] = [];
      const settings = resolveSettings({ logWrite: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
      settings.logError('Unhandled error in route GET /', new Error('boom'));
      settings.logError('thrown string', 'just text', { logger: settings.logger.child({ reqId: 'r-9' }) });
      assert.deepEqual(
        lines.map(({ level, event, msg, reqId }) => ({ level, event, msg, reqId })),
        [
          { level: 50, event: 'error', msg: 'Unhandled error in route GET /', reqId: undefined },
          { level: 50, event: 'error', msg: 'thrown string', reqId: 'r-9' },
        ],
      );
      assert.equal((lines[0].err as { type: string }).type, 'Error');
      assert.deepEqual(lines[1].err, { type: 'string', message: 'just text' });
    });
  });
});
