import assert from 'node:assert/strict';
import { WakeTimer } from '../../../lib/channels/wake-timer';

describe('lib/channels/wake-timer', () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('fires once, for the earliest deadline asked for', async () => {
    let fired = 0;
    const wake = new WakeTimer(() => fired++);
    const start = performance.now();
    wake.at(start + 5000);
    wake.at(start + 20);
    wake.at(start + 4000); // later than the one set: changes nothing
    await wait(80);
    assert.equal(fired, 1);
    wake.cancel();
  });

  it('can be set again after firing, and cancel() stops it', async () => {
    let fired = 0;
    const wake = new WakeTimer(() => fired++);
    wake.at(performance.now() + 10);
    await wait(50);
    wake.at(performance.now() + 10);
    await wait(50);
    assert.equal(fired, 2);
    wake.at(performance.now() + 10);
    wake.cancel();
    await wait(50);
    assert.equal(fired, 2);
  });
});
