import assert from 'node:assert/strict';
import { formatServerSentEvent } from '../../../lib/http/server-sent-event';

describe('formatServerSentEvent', () => {
  it('writes the fields in order and ends with a blank line', () => {
    assert.equal(
      formatServerSentEvent({ comment: 'hi', id: '7', event: 'price', retry: 3000, data: 'x' }),
      ': hi\nid: 7\nevent: price\nretry: 3000\ndata: x\n\n',
    );
  });

  it('splits data on LF, CRLF and CR into several data lines', () => {
    assert.equal(formatServerSentEvent({ data: 'a\nb\r\nc\rd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n');
    assert.equal(formatServerSentEvent({ data: '' }), 'data: \n\n');
    assert.equal(formatServerSentEvent({ data: 'ends\n' }), 'data: ends\ndata: \n\n');
  });

  it('sends other values as JSON', () => {
    assert.equal(formatServerSentEvent({ data: { a: [1, 'two\nlines'] } }), 'data: {"a":[1,"two\\nlines"]}\n\n');
    assert.equal(formatServerSentEvent({ data: null }), 'data: null\n\n');
  });

  it('keeps a leading space of data (the parser strips only the one after the colon)', () => {
    assert.equal(formatServerSentEvent({ data: ' indented' }), 'data:  indented\n\n');
  });

  it('refuses an id with CR, LF or NUL, an event name with a line break, a retry that is not a whole number ≥ 0', () => {
    for (const id of ['a\nb', 'a\rb', 'a\0b']) assert.throws(() => formatServerSentEvent({ id }), /ServerSentEvent\.id/);
    assert.throws(() => formatServerSentEvent({ event: 'a\nb' }), /ServerSentEvent\.event/);
    for (const retry of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => formatServerSentEvent({ retry }), /ServerSentEvent\.retry/);
    }
  });

  it('writes multi-line comments as one comment line each', () => {
    assert.equal(formatServerSentEvent({ comment: 'one\ntwo' }), ': one\n: two\n\n');
  });
});
