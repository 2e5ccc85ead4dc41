import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { environmentAccessLog, environmentLogLevel, resolveSettings } from '../../../lib/config/settings';

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
        /STARWIRE_LOG_LEVEL must be one of silent, error, warn, info, debug, got "loud"/,
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
});
