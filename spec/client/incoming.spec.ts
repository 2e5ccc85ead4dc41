import assert from 'node:assert/strict';

type IncomingModule = typeof import('../../client/incoming.mjs');

describe('client/incoming', () => {
  let parseIncoming: IncomingModule['parseIncoming'];
  before(async () => {
    ({ parseIncoming } = await import('../../client/incoming.mjs'));
  });

  it('parses JSON text and says why anything else is ignored', () => {
    assert.deepEqual(parseIncoming('{"type":"hi"}'), { message: { type: 'hi' } });
    assert.match((parseIncoming('not json') as { ignored: string }).ignored, /not JSON: not json/);
    assert.match((parseIncoming(new ArrayBuffer(2)) as { ignored: string }).ignored, /binary message/);
  });
});
