import { strict as assert } from 'node:assert';
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
});
