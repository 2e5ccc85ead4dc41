import assert from 'node:assert/strict';
import { createApp } from '../../samples/hello/app';
import { forEachClient } from '../support/clients';

describe('samples/hello', () => {
  forEachClient(createApp, (client) => {
    it('greets with a validated query parameter and its default', async () => {
      assert.deepEqual(await (await client().get('/hello', { query: { name: 'Ada' } })).json(), { message: 'Hello, Ada!' });
      assert.deepEqual(await (await client().get('/hello')).json(), { message: 'Hello, world!' });
      const bad = await client().get('/hello', { query: { name: '' } });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { parameter: string }).parameter, 'query parameter "name"');
    });

    it('stores notes in the app-scoped component and reads them back', async () => {
      const created = await client().post('/notes', { json: { text: 'remember' } });
      const note = (await created.json()) as { id: number; tags: string[] };
      assert.deepEqual(note.tags, []);
      assert.equal(created.headers.get('server-timing')?.startsWith('app;dur='), true);
      assert.deepEqual(await (await client().get(`/notes/${note.id}`)).json(), { id: note.id, text: 'remember', tags: [] });
      assert.equal((await client().get('/notes/999')).status, 404);
    });

    it('refuses a note that breaks the schema with ajv errors', async () => {
      const response = await client().post('/notes', { json: { text: 'x', extra: 1 } });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { parameter: string; errors: { keyword: string }[] };
      assert.equal(body.parameter, 'body');
      assert.equal(body.errors[0].keyword, 'additionalProperties');
    });
  });
});
