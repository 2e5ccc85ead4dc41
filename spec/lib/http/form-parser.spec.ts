import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Files } from '../../../components/files';
import { Form } from '../../../components/form';
import { Request } from '../../../components/request';
import { App } from '../../../lib/app';
import { inject } from '../../../lib/inject/inject';
import { Route } from '../../../lib/routing/routes';
import { TestClient } from '../../../lib/testing/test-client';
import { UploadDir } from '../../support/upload-dir';

const BOUNDARY = 'starwire-spec-boundary';

/** The start of a multipart body: one field, then a file part whose content follows. */
function multipartHead(): string {
  return (
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nholiday\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="beach.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`
  );
}

describe('form parsing (lib/http/form-parser.ts)', () => {
  let uploads: UploadDir;
  let errors: unknown[];
  let reached: number;

  beforeEach(() => {
    uploads = new UploadDir();
    errors = [];
    reached = 0;
  });
  afterEach(() => uploads.remove());

  function makeApp(extra: Partial<{ uploadDir: string }> = {}): App {
    return new App({
      settings: { logError: (_message, error) => errors.push(error), forms: { uploadDir: uploads.path, ...extra } },
      routes: [
        new Route(
          '/upload',
          'POST',
          inject([Form(), Files()], (fields, files) => {
            reached++;
            return { fields, files: files.map((file) => file.size) };
          }),
        ),
        new Route(
          '/read-first',
          'POST',
          inject([Request], async (request) => {
            const bytes = await request.bytes();
            const form = await request.form();
            return { bytes: bytes.length, fields: form.fields, files: form.files.map((file) => file.filename) };
          }),
        ),
      ],
    });
  }

  describe('over a real socket', () => {
    let app: App;
    let server: Server;
    beforeEach(async () => {
      app = makeApp();
      server = await app.listen(0);
    });
    afterEach(() => app.close());

    it('removes the temporary file when the client goes away mid-upload', async () => {
      const socket = connect(App.portOf(server), '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 1000000\r\n\r\n`,
      );
      socket.write(multipartHead());
      socket.write(Buffer.alloc(64 * 1024, 1));
      // Half the file is on disk: the request's folder holds its temporary file.
      const deadline = Date.now() + 2000;
      const spooled = (): string[] => uploads.entries().flatMap((folder) => readdirSync(join(uploads.path, folder)));
      while (spooled().length === 0) {
        assert.ok(Date.now() < deadline, 'the upload never reached the disk');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      socket.destroy();
      await uploads.waitEmpty();
      assert.equal(reached, 0);
      assert.deepEqual(errors, []);
    });

    it('answers a complete multipart body sent by hand', async () => {
      const body = `${multipartHead()}JPEG\r\n--${BOUNDARY}--\r\n`;
      const response = await fetch(`http://127.0.0.1:${App.portOf(server)}/upload`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        body,
      });
      assert.deepEqual(await response.json(), { fields: { title: 'holiday' }, files: [4] });
      await uploads.waitEmpty();
    });

    it('answers 400 to a body cut short, and leaves nothing behind', async () => {
      const response = await fetch(`http://127.0.0.1:${App.portOf(server)}/upload`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        body: `${multipartHead()}half a fi`,
      });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { detail: string }).detail, /^Malformed form body: Unexpected end of/);
      await uploads.waitEmpty();
      assert.deepEqual(errors, []);
    });
  });

  it('parses a form from a body already read', async () => {
    await using client = new TestClient(makeApp());
    const form = new FormData();
    form.append('a', '1');
    form.append('f', new Blob(['x']), 'x.txt');
    const response = await client.post('/read-first', { body: form });
    const body = (await response.json()) as { bytes: number; fields: unknown; files: string[] };
    assert.ok(body.bytes > 0);
    assert.deepEqual([body.fields, body.files], [{ a: '1' }, ['x.txt']]);
    await uploads.waitEmpty();
  });

  it('answers 500 and reports the error when the upload folder cannot be made', async () => {
    await using client = new TestClient(makeApp({ uploadDir: join(uploads.path, 'missing', 'deeper') }));
    const form = new FormData();
    form.append('f', new Blob(['x']), 'x.txt');
    const response = await client.post('/upload', { body: form });
    assert.equal(response.status, 500);
    assert.equal(reached, 0);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /ENOENT/);
  });
});
