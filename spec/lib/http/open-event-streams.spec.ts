import assert from 'node:assert/strict';
import { App } from '../../../lib/app';
import { EventStream } from '../../../lib/http/event-stream';
import { Route } from '../../../lib/routing/routes';
import { openSse } from '../../support/sse-reader';
import { within } from '../../support/ws-client';

describe('OpenEventStreams (app.close() and event streams)', () => {
  it('ends every open event stream on app.close(), running their generators to the end', async () => {
    let finished = 0;
    const app = new App({
      routes: [
        new Route(
          '/events',
          'GET',
          () =>
            new EventStream(async function* (signal) {
              try {
                yield { data: 'hello' };
                await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
              } finally {
                finished++;
              }
            }),
        ),
      ],
    });
    const base = `http://127.0.0.1:${App.portOf(await app.listen(0, '127.0.0.1'))}`;
    const streams = await Promise.all([openSse(`${base}/events`), openSse(`${base}/events`)]);
    for (const sse of streams) assert.equal((await sse.nextEvent()).data, 'hello');
    await within(app.close(), 3000, 'app.close() with open event streams');
    await within(Promise.all(streams.map((sse) => sse.ended())), 3000, 'the streams to end');
    assert.equal(finished, 2);
  });
});
