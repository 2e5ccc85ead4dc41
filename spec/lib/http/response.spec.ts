import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as status from '../../../lib/errors/status';
import {
  HTMLResponse,
  JSONResponse,
  PlainTextResponse,
  RedirectResponse,
  Response,
  type ResponseBody,
  StreamingResponse,
  serializedResponse,
  toResponse,
} from '../../../lib/http/response';
import type { ResponseSerializer } from '../../../lib/routing/response-serializer';

/** Reads any response body to a string. */
async function bodyText(body: ResponseBody): Promise<string> {
  if (body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

describe('Response', () => {
  describe('Response', () => {
    it('defaults to 200, no body and no headers', () => {
      const response = new Response();
      assert.equal(response.status, 200);
      assert.equal(response.body, null);
      assert.deepEqual(response.headers, {});
    });

    it('keeps the status, body and headers it is given, with header names lower-cased', () => {
      const response = new Response('made', { status: status.HTTP_201_CREATED, headers: { Location: '/items/7', 'X-Multi': ['a', 'b'] } });
      assert.equal(response.status, 201);
      assert.equal(response.body, 'made');
      assert.deepEqual(response.headers, { location: '/items/7', 'x-multi': ['a', 'b'] });
    });

    it('does not share its header bag with the init object', () => {
      const headers = { 'x-a': '1' };
      const response = new Response(null, { headers });
      response.setHeader('x-b', '2');
      assert.deepEqual(headers, { 'x-a': '1' });
    });

    it('uses the media type only when no content-type was given, in any case', () => {
      assert.equal(new Response('x', {}, 'text/csv').headers['content-type'], 'text/csv');
      assert.equal(new Response('x', { headers: { 'Content-Type': 'text/x-mine' } }, 'text/csv').headers['content-type'], 'text/x-mine');
      assert.equal(new Response('x').headers['content-type'], undefined);
    });

    describe('header helpers', () => {
      it('setHeader replaces, whatever the case of the name, and chains', () => {
        const response = new Response(null, { headers: { 'x-token': 'old' } });
        assert.equal(response.setHeader('X-Token', 'new'), response);
        assert.deepEqual(response.headers, { 'x-token': 'new' });
        response.setHeader('vary', ['accept', 'origin']);
        assert.deepEqual(response.getHeader('vary'), ['accept', 'origin']);
      });

      it('getHeader reads case-insensitively and gives undefined when absent', () => {
        const response = new Response(null, { headers: { 'X-Token': 'abc' } });
        assert.equal(response.getHeader('x-token'), 'abc');
        assert.equal(response.getHeader('X-TOKEN'), 'abc');
        assert.equal(response.getHeader('x-other'), undefined);
      });

      it('appendHeader starts a value, turns one value into a list, and extends a list', () => {
        const response = new Response();
        assert.equal(response.appendHeader('Set-Cookie', 'a=1'), response);
        assert.equal(response.getHeader('set-cookie'), 'a=1');
        response.appendHeader('set-cookie', 'b=2');
        assert.deepEqual(response.getHeader('set-cookie'), ['a=1', 'b=2']);
        response.appendHeader('SET-COOKIE', 'c=3');
        assert.deepEqual(response.getHeader('set-cookie'), ['a=1', 'b=2', 'c=3']);
      });

      it('appendHeader does not mutate a list the caller passed in', () => {
        const cookies = ['a=1'];
        const response = new Response(null, { headers: { 'set-cookie': cookies } });
        response.appendHeader('set-cookie', 'b=2');
        assert.deepEqual(cookies, ['a=1']);
        assert.deepEqual(response.getHeader('set-cookie'), ['a=1', 'b=2']);
      });
    });
  });

  describe('JSONResponse', () => {
    it('serializes the value once, when made, as application/json', () => {
      const data = { id: 7, tags: ['a'] };
      const response = new JSONResponse(data, { status: 410 });
      data.id = 8;
      assert.equal(response.body, '{"id":7,"tags":["a"]}');
      assert.equal(response.status, 410);
      assert.equal(response.headers['content-type'], 'application/json');
    });

    it('serializes null, numbers and strings as JSON, and undefined as null', () => {
      assert.equal(new JSONResponse(null).body, 'null');
      assert.equal(new JSONResponse(0).body, '0');
      assert.equal(new JSONResponse('hi').body, '"hi"');
      assert.equal(new JSONResponse(undefined).body, 'null');
    });

    it('lets an explicit content-type win', () => {
      assert.equal(
        new JSONResponse({}, { headers: { 'Content-Type': 'application/problem+json' } }).headers['content-type'],
        'application/problem+json',
      );
    });
  });

  describe('HTMLResponse and PlainTextResponse', () => {
    it('carry their text with a UTF-8 media type', () => {
      const html = new HTMLResponse('<h1>Hi</h1>');
      assert.equal(html.body, '<h1>Hi</h1>');
      assert.equal(html.headers['content-type'], 'text/html; charset=utf-8');
      const text = new PlainTextResponse('pong', { status: 202 });
      assert.equal(text.body, 'pong');
      assert.equal(text.status, 202);
      assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8');
    });
  });

  describe('RedirectResponse', () => {
    it('is a 307 by default, with the location and no body', () => {
      const response = new RedirectResponse('/login');
      assert.equal(response.status, status.HTTP_307_TEMPORARY_REDIRECT);
      assert.equal(response.headers.location, '/login');
      assert.equal(response.body, null);
    });

    it('takes another redirect status and extra headers', () => {
      const response = new RedirectResponse('/done', status.HTTP_303_SEE_OTHER, { headers: { 'Cache-Control': 'no-store' } });
      assert.equal(response.status, 303);
      assert.deepEqual(response.headers, { 'cache-control': 'no-store', location: '/done' });
    });

    it('percent-encodes the location without double-encoding escapes already there', () => {
      assert.equal(new RedirectResponse('/a b/café?q=x y').headers.location, '/a%20b/caf%C3%A9?q=x%20y');
      assert.equal(new RedirectResponse('/caf%C3%A9').headers.location, '/caf%C3%A9');
      assert.equal(new RedirectResponse('https://example.com/p?a=1&b=2#top').headers.location, 'https://example.com/p?a=1&b=2#top');
    });

    it('cannot be used to inject headers: CR and LF are encoded', () => {
      const location = new RedirectResponse('/x\r\nSet-Cookie: evil=1').headers.location;
      assert.equal(typeof location, 'string');
      assert.ok(!/[\r\n]/.test(location as string));
      assert.equal(location, '/x%0D%0ASet-Cookie:%20evil=1');
    });
  });

  describe('StreamingResponse', () => {
    it('keeps the stream as its body and defaults to application/octet-stream', async () => {
      async function* chunks(): AsyncGenerator<string> {
        yield 'a';
        yield 'b';
      }
      const stream = chunks();
      const response = new StreamingResponse(stream);
      assert.equal(response.body, stream);
      assert.equal(response.headers['content-type'], 'application/octet-stream');
      assert.equal(await bodyText(response.body), 'ab');
      const typed = new StreamingResponse(Readable.from(['x']), { headers: { 'content-type': 'text/event-stream' } });
      assert.equal(typed.headers['content-type'], 'text/event-stream');
    });
  });

  describe('toResponse', () => {
    it('passes a Response through untouched', () => {
      const response = new PlainTextResponse('as is', { status: 418 });
      assert.equal(toResponse(response), response);
    });

    it('turns undefined into an empty 204', () => {
      const response = toResponse(undefined);
      assert.equal(response.status, 204);
      assert.equal(response.body, null);
      assert.equal(response.headers['content-type'], undefined);
    });

    it('turns a string into text/plain', () => {
      const response = toResponse('hello');
      assert.ok(response instanceof PlainTextResponse);
      assert.equal(response.status, 200);
      assert.equal(response.body, 'hello');
      assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    });

    it('turns objects, arrays, numbers, booleans and null into JSON', () => {
      for (const value of [{ a: [1, { b: null }] }, [1, 2], 0, 42, false, true, null]) {
        const response = toResponse(value);
        assert.ok(response instanceof JSONResponse, JSON.stringify(value));
        assert.equal(response.status, 200);
        assert.equal(response.body, JSON.stringify(value));
        assert.equal(response.headers['content-type'], 'application/json');
      }
    });

    it('turns a Buffer or Uint8Array into application/octet-stream bytes', () => {
      const buffer = Buffer.from([0, 255, 1]);
      const fromBuffer = toResponse(buffer);
      assert.equal(fromBuffer.body, buffer);
      assert.equal(fromBuffer.headers['content-type'], 'application/octet-stream');
      const array = new Uint8Array([9, 8]);
      const fromArray = toResponse(array);
      assert.equal(fromArray.body, array);
      assert.equal(fromArray.headers['content-type'], 'application/octet-stream');
    });

    it('turns a Readable into a streaming response', async () => {
      const stream = Readable.from(['one ', 'two']);
      const response = toResponse(stream);
      assert.ok(response instanceof StreamingResponse);
      assert.equal(response.body, stream);
      assert.equal(await bodyText(response.body), 'one two');
    });

    it('turns an async generator into a streaming response, not into "{}"', async () => {
      async function* lines(): AsyncGenerator<string> {
        yield 'line 1\n';
        yield 'line 2\n';
      }
      const response = toResponse(lines());
      assert.ok(response instanceof StreamingResponse);
      assert.equal(await bodyText(response.body), 'line 1\nline 2\n');
    });
  });
  describe('serializedResponse', () => {
    const calls: unknown[] = [];
    const serializer: ResponseSerializer = {
      status: 201,
      serialize: (value) => {
        calls.push(value);
        return '{"shaped":true}';
      },
    };
    beforeEach(() => {
      calls.length = 0;
    });

    it('writes what would go out as JSON with the serializer, at its status', () => {
      for (const value of [{ a: 1 }, [1], 7, false, null]) {
        const response = serializedResponse(value, serializer);
        assert.equal(response.status, 201);
        assert.equal(response.body, '{"shaped":true}');
        assert.equal(response.headers['content-type'], 'application/json');
      }
      assert.deepEqual(calls, [{ a: 1 }, [1], 7, false, null]);
    });

    it('leaves everything else to toResponse, never calling the serializer', async () => {
      const given = new PlainTextResponse('as is');
      assert.equal(serializedResponse(given, serializer), given);
      assert.equal(serializedResponse(undefined, serializer).status, 204);
      assert.ok(serializedResponse('text', serializer) instanceof PlainTextResponse);
      assert.equal(serializedResponse(Buffer.from('x'), serializer).headers['content-type'], 'application/octet-stream');
      const streamed = serializedResponse(Readable.from(['s']), serializer);
      assert.equal(await bodyText(streamed.body), 's');
      assert.deepEqual(calls, []);
    });
  });
});
