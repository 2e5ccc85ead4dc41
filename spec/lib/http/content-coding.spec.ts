import assert from 'node:assert/strict';
import { isCompressible, negotiateEncoding } from '../../../lib/http/content-coding';

describe('negotiateEncoding', () => {
  const both = ['br', 'gzip'] as const;

  it('prefers br when the client weighs both the same', () => {
    assert.equal(negotiateEncoding('gzip, deflate, br', both), 'br');
    assert.equal(negotiateEncoding('gzip;q=0.8, br;q=0.8', both), 'br');
  });

  it('follows q values', () => {
    assert.equal(negotiateEncoding('br;q=0.5, gzip', both), 'gzip');
    assert.equal(negotiateEncoding('br;q=0.9, gzip;q=0.95', both), 'gzip');
  });

  it('honours q=0 and identity-only clients', () => {
    assert.equal(negotiateEncoding('br;q=0, gzip', both), 'gzip');
    assert.equal(negotiateEncoding('gzip;q=0, br;q=0', both), undefined);
    assert.equal(negotiateEncoding('identity', both), undefined);
    assert.equal(negotiateEncoding('identity;q=0', both), undefined);
    assert.equal(negotiateEncoding('', both), undefined);
    assert.equal(negotiateEncoding(undefined, both), undefined);
  });

  it('lets * stand for the codings not named', () => {
    assert.equal(negotiateEncoding('*', both), 'br');
    assert.equal(negotiateEncoding('br;q=0, *', both), 'gzip');
    assert.equal(negotiateEncoding('*;q=0, identity', both), undefined);
  });

  it('offers only the configured codings, in their order', () => {
    assert.equal(negotiateEncoding('br, gzip', ['gzip']), 'gzip');
    assert.equal(negotiateEncoding('br, gzip', ['gzip', 'br']), 'gzip');
  });

  it('reads x-gzip as gzip and ignores malformed q values', () => {
    assert.equal(negotiateEncoding('x-gzip', both), 'gzip');
    assert.equal(negotiateEncoding('br;q=2, gzip;q=0.1', both), 'gzip');
    assert.equal(negotiateEncoding(' GZIP ; Q=0.5 ', both), 'gzip');
  });
});

describe('isCompressible', () => {
  it('takes text, JSON, XML, JavaScript and SVG', () => {
    for (const type of [
      'text/html; charset=utf-8',
      'text/css',
      'application/json',
      'application/problem+json',
      'application/javascript',
      'application/xml',
      'application/atom+xml',
      'image/svg+xml',
    ]) {
      assert.equal(isCompressible(type), true, type);
    }
  });

  it('leaves alone compressed formats, event streams and unknown types', () => {
    for (const type of [
      'image/png',
      'image/jpeg',
      'image/webp',
      'video/mp4',
      'audio/mpeg',
      'application/zip',
      'application/gzip',
      'font/woff2',
      'application/octet-stream',
      'text/event-stream',
      'text/event-stream; charset=utf-8',
      undefined,
    ]) {
      assert.equal(isCompressible(type), false, String(type));
    }
  });
});
