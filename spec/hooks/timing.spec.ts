import assert from 'node:assert/strict';
import { Timing } from '../../hooks/timing';
import { App } from '../../lib/app';
import { HTTPException } from '../../lib/errors/exceptions';
import * as status from '../../lib/errors/status';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

const SLOW_MS = 30;

function routes(): Route[] {
  return [
    new Route('/ok', 'GET', () => ({ ok: true })),
    new Route('/slow', 'GET', async () => {
      await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
      return { ok: true };
    }),
    new Route('/boom', 'GET', () => {
      throw new Error('kaput');
    }),
    new Route('/forbidden', 'GET', () => {
      throw new HTTPException(status.HTTP_403_FORBIDDEN);
    }),
  ];
}

function duration(value: string | null): number {
  const match = /^app;dur=(\d+\.\d{3})$/.exec(value ?? '');
  assert.ok(match, `server-timing is ${JSON.stringify(value)}`);
  return Number(match[1]);
}

describe('Timing', () => {
  describe('with the default header', () => {
    forEachClient(
      () => new App({ routes: routes(), hooks: [new Timing()], settings: { logError: () => {} } }),
      (client) => {
        it('adds server-timing to a successful response', async () => {
          const response = await client().get('/ok');
          assert.equal(response.status, 200);
          assert.ok(duration(response.headers.get('server-timing')) >= 0);
        });

        it('measures the time the handler took', async () => {
          const response = await client().get('/slow');
          const ms = duration(response.headers.get('server-timing'));
          assert.ok(ms >= SLOW_MS - 1, `dur=${ms} for a ${SLOW_MS} ms handler`);
          assert.ok(ms < 5000, `dur=${ms}`);
        });

        it('adds it to a 500', async () => {
          const response = await client().get('/boom');
          assert.equal(response.status, 500);
          duration(response.headers.get('server-timing'));
        });

        it('adds it to an HTTPException response', async () => {
          const response = await client().get('/forbidden');
          assert.equal(response.status, 403);
          duration(response.headers.get('server-timing'));
        });

        it('adds it to a 404', async () => {
          const response = await client().get('/nowhere');
          assert.equal(response.status, 404);
          duration(response.headers.get('server-timing'));
        });
      },
    );
  });

  describe('with a custom header name', () => {
    forEachClient(
      () => new App({ routes: routes(), hooks: [new Timing({ header: 'X-Response-Time' })], settings: { logError: () => {} } }),
      (client) => {
        it('puts plain milliseconds in that header instead', async () => {
          const response = await client().get('/slow');
          const value = response.headers.get('x-response-time');
          assert.match(value ?? '', /^\d+\.\d{3}$/);
          assert.ok(Number(value) >= SLOW_MS - 1, `x-response-time=${value}`);
          assert.equal(response.headers.get('server-timing'), null);
        });

        it('on error responses too', async () => {
          const response = await client().get('/boom');
          assert.equal(response.status, 500);
          assert.match(response.headers.get('x-response-time') ?? '', /^\d+\.\d{3}$/);
          assert.equal(response.headers.get('server-timing'), null);
        });
      },
    );
  });
});
