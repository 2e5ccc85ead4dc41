import assert from 'node:assert/strict';
import { LastEventId } from '../../components/last-event-id';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

function makeApp(): App {
  return new App({
    routes: [
      new Route(
        '/events',
        'GET',
        inject([LastEventId], (id) => ({ id: id ?? null })),
      ),
    ],
  });
}

describe('LastEventId', () => {
  forEachClient(makeApp, (client) => {
    it('is undefined on a first connection', async () => {
      assert.deepEqual(await (await client().get('/events')).json(), { id: null });
    });

    it('reads the Last-Event-ID header an EventSource sends when it reconnects', async () => {
      const response = await client().get('/events', { headers: { 'Last-Event-ID': 'm1x:42' } });
      assert.deepEqual(await response.json(), { id: 'm1x:42' });
    });

    it('reads ?lastEventId= for polyfills that cannot set headers', async () => {
      const response = await client().get('/events', { query: { lastEventId: 'm1x:7' } });
      assert.deepEqual(await response.json(), { id: 'm1x:7' });
    });

    it('prefers the header to the query', async () => {
      const response = await client().get('/events', { headers: { 'last-event-id': 'h:1' }, query: { lastEventId: 'q:1' } });
      assert.deepEqual(await response.json(), { id: 'h:1' });
    });

    it('treats an empty value as none (EventSource sends it empty after an event without id)', async () => {
      const response = await client().get('/events', { query: { lastEventId: '' } });
      assert.deepEqual(await response.json(), { id: null });
    });
  });
});
