import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { Body } from '../../components/body';
import { Request } from '../../components/request';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';

/** How often each JSON handler ran: a refused request must leave these alone. */
const reached = { body: 0, json: 0 };

function makeApp(): App {
  return new App({
    settings: { logError: () => {} },
    routes: [
      new Route(
        '/transfer',
        'POST',
        inject([Body({ type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] })], (body) => {
          reached.body++;
          return { moved: body.amount };
        }),
      ),
      new Route(
        '/raw',
        'POST',
        inject([Request], async (request) => {
          const value = await request.json();
          reached.json++;
          return { got: value };
        }),
      ),
    ],
  });
}

const accepted = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON;charset=UTF-8',
  'application/json; charset="utf-8"',
  'application/merge-patch+json',
  'application/problem+json; charset=utf-8',
  'application/vnd.api+json',
];

const refused: readonly [string, string | undefined, RegExp][] = [
  ['text/plain (what a cross-site fetch or form may send without a preflight)', 'text/plain', /Unsupported Content-Type "text\/plain"/],
  ['text/plain;charset=UTF-8', 'text/plain;charset=UTF-8', /Unsupported Content-Type/],
  ['a form', 'application/x-www-form-urlencoded', /Unsupported Content-Type/],
  ['multipart', 'multipart/form-data; boundary=x', /Unsupported Content-Type/],
  ['no Content-Type at all', undefined, /has no Content-Type/],
  ['a look-alike type', 'application/jsonp', /Unsupported Content-Type/],
  ['a JSON type with another charset', 'application/json; charset=iso-8859-1', /Unsupported charset "iso-8859-1"/],
  ['a malformed Content-Type', 'application/json; charset', /Malformed Content-Type/],
];

describe('JSON bodies by media type (Body and request.json())', () => {
  forEachClient(makeApp, (client) => {
    for (const type of accepted) {
      it(`reads a body sent as ${type}`, async () => {
        for (const path of ['/transfer', '/raw']) {
          const response = await client().post(path, { body: '{"amount":5}', headers: { 'content-type': type } });
          assert.equal(response.status, 200, `${path}: ${await response.text()}`);
        }
      });
    }

    for (const [name, type, detail] of refused) {
      it(`answers 415 to ${name}, naming what it expects, without running the handler`, async () => {
        const before = { ...reached };
        for (const path of ['/transfer', '/raw']) {
          const response = await client().post(path, { body: '{"amount":5}', headers: type === undefined ? {} : { 'content-type': type } });
          assert.equal(response.status, 415, path);
          // RFC 9110 §12.5.1: Accept in a 415 says what would have been accepted.
          assert.equal(response.headers.get('accept'), 'application/json');
          const body = (await response.json()) as { detail: string };
          assert.match(body.detail, detail);
          assert.match(body.detail, /application\/json|UTF-8/);
        }
        assert.deepEqual(reached, before);
      });
    }
  });

  describe('a cross-site request forgery over a real socket', () => {
    let app: App;
    let server: Server;
    before(async () => {
      app = makeApp();
      server = await app.listen(0);
    });
    after(() => app.close());

    // A page on another site may POST text/plain (or a Blob with no type) without a CORS
    // preflight; the browser sends the user's cookies with it. The JSON handler must not run.
    for (const [name, headers] of [
      ['text/plain', { 'content-type': 'text/plain;charset=UTF-8' }],
      ['no Content-Type', {}],
    ] as const) {
      it(`never reaches a JSON handler with a ${name} POST from another origin`, async () => {
        const before = reached.body;
        const response = await fetch(`http://127.0.0.1:${App.portOf(server)}/transfer`, {
          method: 'POST',
          headers: { ...headers, origin: 'http://evil.example', cookie: 'session=victim' },
          body: new Blob(['{"amount":1000000}']),
        });
        assert.equal(response.status, 415);
        assert.equal(reached.body, before);
      });
    }
  });
});
