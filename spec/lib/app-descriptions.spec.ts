import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Parser } from '@asyncapi/parser';
import { compileErrors, validate } from '@readme/openapi-parser';
import { App } from '../../lib/app';
import { TestClient } from '../../lib/testing/test-client';
import { createLiveApp } from '../../samples/alongside/live';
import { createApp as authApp } from '../../samples/auth/app';
import { createApp as channelsApp } from '../../samples/channels/consumers';
import { createApp as chatApp } from '../../samples/chat/app';
import { createApp as echoApp } from '../../samples/echo/app';
import { createApp as helloApp } from '../../samples/hello/app';

const info = { title: 'Spec', version: '1.0.0' };
const SAMPLES: Record<string, () => App> = {
  hello: helloApp,
  chat: () => chatApp(),
  echo: echoApp,
  auth: authApp,
  channels: channelsApp,
  alongside: createLiveApp,
};

type Json = Record<string, unknown>;
const at = (value: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], value);

describe('API descriptions (lib/app-descriptions.ts)', function () {
  this.timeout(30_000);
  const apps: App[] = [];
  after(async () => {
    for (const app of apps) await app.close();
  });

  for (const [name, make] of Object.entries(SAMPLES)) {
    it(`the ${name} sample's OpenAPI 3.1 and AsyncAPI 3.0 documents pass the official parsers with no error`, async () => {
      const app = make();
      apps.push(app);
      const openapi = app.openapi(info);
      assert.equal(openapi.openapi, '3.1.0');
      // The parser dereferences in place: it gets a copy.
      const checked = await validate(structuredClone(openapi) as never);
      assert.ok(checked.valid, checked.valid ? '' : compileErrors(checked));

      const asyncapi = app.asyncapi(info);
      assert.equal(asyncapi.asyncapi, '3.0.0');
      const diagnostics = await new Parser().validate(JSON.stringify(asyncapi));
      const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
      assert.deepEqual(
        errors.map((error) => `${error.path.join('.')}: ${error.message}`),
        [],
      );
    });
  }

  it("describes the hello sample's paths, parameters, bodies, declared and framework responses, tags and operation ids", () => {
    const app = helloApp();
    apps.push(app);
    const doc = app.openapi(info) as unknown as Json;
    const getNote = at(doc, 'paths', '/notes/{id}', 'get') as Json;
    assert.ok(getNote, `paths: ${Object.keys(at(doc, 'paths') as Json).join(', ')}`);
    assert.equal(getNote.operationId, 'getNote');
    assert.deepEqual(getNote.tags, ['notes']);
    const id = (getNote.parameters as Json[]).find((parameter) => parameter.name === 'id') as Json;
    assert.equal(id.in, 'path');
    assert.equal(id.required, true);
    assert.equal(at(id, 'schema', 'type'), 'integer');
    const responses = getNote.responses as Json;
    assert.equal(at(responses, '200', 'content', 'application/json', 'schema', 'required', '0'), 'id');
    assert.ok(responses['404'], 'the declared 404');
    assert.ok(responses['400'], 'the framework answers 400 for a path parameter off its schema');

    const addNote = at(doc, 'paths', '/notes', 'post') as Json;
    assert.equal(at(addNote, 'requestBody', 'content', 'application/json', 'schema', 'required', '0'), 'text');
    assert.ok(at(addNote, 'responses', '415') || at(addNote, 'responses', '400'), 'a body route lists what a bad body gets');
    // The description routes describe the app, not themselves.
    assert.equal(at(doc, 'paths', '/openapi.json'), undefined);
  });

  it("describes the chat sample's WebSocket route: its channel, the commands it receives and the messages it sends", () => {
    const app = chatApp();
    apps.push(app);
    const doc = app.asyncapi(info) as unknown as Json;
    const channels = doc.channels as Json;
    const channel = Object.values(channels).find((candidate) => (candidate as Json).address === '/ws') as Json;
    assert.ok(channel, `channels: ${JSON.stringify(Object.keys(channels))}`);
    const messages = Object.keys(channel.messages as Json);
    assert.ok(messages.includes('welcome'), `messages: ${messages.join(', ')}`);
    const operations = Object.values(doc.operations as Json) as Json[];
    assert.ok(operations.some((operation) => operation.action === 'send'));
    assert.ok(operations.some((operation) => operation.action === 'receive'));
  });

  it('serves /openapi.json and /asyncapi.json through the TestClient and over a real socket', async () => {
    const app = helloApp();
    apps.push(app);
    const inProcess = await new TestClient(app).get('/openapi.json');
    assert.equal(inProcess.status, 200);
    assert.equal(((await inProcess.json()) as Json).openapi, '3.1.0');
    const server = await app.listen(0);
    const answer = await fetch(`http://127.0.0.1:${App.portOf(server)}/asyncapi.json`);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /json/);
    assert.equal(((await answer.json()) as Json).asyncapi, '3.0.0');
  });

  it('starwire openapi and starwire asyncapi print the documents of an app module', async () => {
    const run = promisify(execFile);
    const cli = join(__dirname, '..', '..', 'lib', 'server', 'cli.js');
    const module = `${join(__dirname, '..', '..', 'samples', 'hello', 'app.js')}:createApp`;
    const openapi = JSON.parse((await run(process.execPath, [cli, 'openapi', module])).stdout) as Json;
    assert.equal(openapi.openapi, '3.1.0');
    assert.ok(at(openapi, 'paths', '/hello', 'get'));
    const asyncapi = JSON.parse((await run(process.execPath, [cli, 'asyncapi', module])).stdout) as Json;
    assert.equal(asyncapi.asyncapi, '3.0.0');
    // A module that will not load is one line, as `starwire serve` says it, and exit 1.
    const missing = await run(process.execPath, [cli, 'openapi', 'no-such-module.js']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    assert.ok('code' in missing && missing.code === 1);
    assert.match(missing.stderr, /^starwire: Cannot find module no-such-module\.js \(looked for [^\n]+\)\n$/);
  });
});
