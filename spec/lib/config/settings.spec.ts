import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { environmentLogLevel, resolveSettings } from '../../../lib/config/settings';

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
});
