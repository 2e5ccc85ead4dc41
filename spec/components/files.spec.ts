import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { Files, FormFile, type UploadFile } from '../../components/files';
import { Form } from '../../components/form';
import { App } from '../../lib/app';
import { inject } from '../../lib/inject/inject';
import { Route } from '../../lib/routing/routes';
import { forEachClient } from '../support/clients';
import { UploadDir } from '../support/upload-dir';

interface ErrorBody {
  detail: string;
  parameter?: string;
}

const uploads = new UploadDir();
after(() => uploads.remove());

/** Paths of the temporary files handlers saw, to check they are gone afterwards. */
const seen: string[] = [];

function describeFile(file: UploadFile) {
  seen.push(file.path);
  return { field: file.fieldName, name: file.filename, type: file.contentType, size: file.size, existed: existsSync(file.path) };
}

function makeApp(): App {
  return new App({
    settings: { logError: () => {}, forms: { uploadDir: uploads.path, maxFileSize: 1024, maxFiles: 3 } },
    routes: [
      new Route(
        '/avatar',
        'POST',
        inject([FormFile('avatar')], async (avatar) => ({
          ...describeFile(avatar),
          text: await avatar.text(),
          bytes: (await avatar.bytes()).length,
          streamed: await text(avatar.stream()),
        })),
      ),
      new Route(
        '/optional',
        'POST',
        inject([FormFile('avatar', { required: false })], (avatar) => ({ sent: avatar !== undefined })),
      ),
      new Route(
        '/all',
        'POST',
        inject([Files()], (files) => files.map(describeFile)),
      ),
      new Route(
        '/photos',
        'POST',
        inject([Files('photo')], (photos) => photos.map((photo) => photo.filename)),
      ),
      new Route(
        '/post',
        'POST',
        inject([Form({ type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }), Files()], (form, files) => ({
          title: form.title,
          files: files.map((file) => file.filename),
        })),
      ),
      new Route(
        '/tight',
        'POST',
        inject([Form(), Files(undefined, { maxFileSize: 4 })], (_form, files) => files.length),
      ),
      new Route(
        '/throws',
        'POST',
        inject([Files()], (files) => {
          files.forEach(describeFile);
          throw new Error('handler failed');
        }),
      ),
    ],
  });
}

function fileForm(entries: [field: string, content: string, filename: string, type?: string][]): FormData {
  const form = new FormData();
  for (const [field, content, filename, type] of entries) form.append(field, new Blob([content], { type: type ?? '' }), filename);
  return form;
}

describe('Files and FormFile', () => {
  forEachClient(makeApp, (client) => {
    afterEach(async () => {
      await uploads.waitEmpty();
      for (const path of seen.splice(0)) assert.ok(!existsSync(path), `${path} is still there`);
    });

    it('gives one uploaded file with its name, type, size and content, spooled while the handler runs', async () => {
      const response = await client().post('/avatar', { body: fileForm([['avatar', 'hello ☺', 'me.txt', 'text/plain']]) });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        field: 'avatar',
        name: 'me.txt',
        type: 'text/plain',
        size: Buffer.byteLength('hello ☺'),
        existed: true,
        text: 'hello ☺',
        bytes: Buffer.byteLength('hello ☺'),
        streamed: 'hello ☺',
      });
    });

    it('answers 400 naming a missing file, and gives undefined where the file is optional', async () => {
      const form = new FormData();
      form.append('other', 'x');
      const missing = await client().post('/avatar', { body: form });
      assert.equal(missing.status, 400);
      const body = (await missing.json()) as ErrorBody;
      assert.equal(body.parameter, 'file "avatar"');
      assert.equal(body.detail, 'Missing file "avatar"');
      assert.deepEqual(await (await client().post('/optional', { body: form })).json(), { sent: false });
    });

    it('answers 400 to two files where one is expected', async () => {
      const response = await client().post('/avatar', {
        body: fileForm([
          ['avatar', 'a', 'a.png'],
          ['avatar', 'b', 'b.png'],
        ]),
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as ErrorBody).detail, 'Expected one file "avatar", got 2');
    });

    it('gives every file in order, or those of one field', async () => {
      const form = fileForm([
        ['photo', '1', 'one.jpg', 'image/jpeg'],
        ['doc', '22', 'two.pdf'],
        ['photo', '333', 'three.jpg'],
      ]);
      const all = await client().post('/all', { body: form });
      assert.deepEqual(
        ((await all.json()) as { field: string; name: string; size: number }[]).map((f) => [f.field, f.name, f.size]),
        [
          ['photo', 'one.jpg', 1],
          ['doc', 'two.pdf', 2],
          ['photo', 'three.jpg', 3],
        ],
      );
      assert.deepEqual(await (await client().post('/photos', { body: form })).json(), ['one.jpg', 'three.jpg']);
    });

    it('gives a file sent without a type as application/octet-stream, and no file for an empty file input', async () => {
      const form = fileForm([['a', 'x', 'raw.bin']]);
      form.append('empty', new Blob([]), '');
      const files = (await (await client().post('/all', { body: form })).json()) as { name: string; type: string }[];
      assert.deepEqual(
        files.map((f) => [f.name, f.type]),
        [['raw.bin', 'application/octet-stream']],
      );
    });

    it('shares one parse between Form and Files', async () => {
      const form = fileForm([['attachment', 'data', 'notes.txt']]);
      form.append('title', 'Minutes');
      const response = await client().post('/post', { body: form });
      assert.deepEqual(await response.json(), { title: 'Minutes', files: ['notes.txt'] });
    });

    it('gives no files from a urlencoded form', async () => {
      assert.deepEqual(await (await client().post('/all', { body: new URLSearchParams({ a: '1' }) })).json(), []);
    });

    it('answers 413 naming the file over maxFileSize, and leaves no temporary file', async () => {
      const response = await client().post('/avatar', { body: fileForm([['avatar', 'x'.repeat(1025), 'big.png']]) });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as ErrorBody).detail, "File 'avatar' exceeds 1024 bytes");
      assert.equal(response.headers.get('connection'), 'close');
    });

    it('accepts a file of exactly maxFileSize bytes', async () => {
      const response = await client().post('/all', { body: fileForm([['avatar', 'x'.repeat(1024), 'edge.png']]) });
      assert.equal(response.status, 200);
    });

    it('answers 413 past maxFiles', async () => {
      const response = await client().post('/all', {
        body: fileForm([
          ['a', '1', '1'],
          ['a', '2', '2'],
          ['a', '3', '3'],
          ['a', '4', '4'],
        ]),
      });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as ErrorBody).detail, 'Too many files: more than 3');
    });

    it("checks a token's tighter limit on a form another token parsed first", async () => {
      const response = await client().post('/tight', { body: fileForm([['f', '12345', 'five.txt']]) });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as ErrorBody).detail, "File 'f' exceeds 4 bytes");
    });

    it('removes the temporary files when the handler throws', async () => {
      const response = await client().post('/throws', {
        body: fileForm([
          ['a', 'content', 'a.txt'],
          ['b', 'more', 'b.txt'],
        ]),
      });
      assert.equal(response.status, 500);
      assert.equal(seen.length, 2);
    });
  });
});
