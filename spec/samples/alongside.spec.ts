import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startExpressAlongside } from '../../samples/alongside/express';
import { createFastifyAlongside } from '../../samples/alongside/fastify';
import { type LiveSocket, openLive, within } from '../support/ws-client';

/** One sample serving on 127.0.0.1, and how to shut it down the way its README says. */
interface Running {
  readonly port: number;
  stop(): Promise<void>;
}

const samples: readonly { name: string; file: string; start(): Promise<Running> }[] = [
  {
    name: 'express',
    file: 'express.js',
    async start() {
      const { server, app } = await startExpressAlongside(0);
      return { port: (server.address() as AddressInfo).port, stop: () => app.close() };
    },
  },
  {
    name: 'fastify',
    file: 'fastify.js',
    async start() {
      const { fastify } = await createFastifyAlongside();
      await fastify.listen({ port: 0, host: '127.0.0.1' });
      return { port: (fastify.server.address() as AddressInfo).port, stop: () => fastify.close() };
    },
  },
];

/** The framework's route, Starwire's HTTP route, and one message on Starwire's WebSocket route. */
async function exercise(port: number, framework: string): Promise<LiveSocket> {
  const hello = await fetch(`http://127.0.0.1:${port}/api/hello?name=${framework}`);
  assert.deepEqual(await hello.json(), { hello: framework });
  const peer = await openLive(`ws://127.0.0.1:${port}/live/echo`);
  peer.sendJson({ text: 'hi' });
  assert.deepEqual(await peer.receiveJson(), { echo: 'hi' });
  const status = await fetch(`http://127.0.0.1:${port}/live/status`);
  assert.deepEqual(await status.json(), { service: 'starwire', open: 1 });
  return peer;
}

describe('samples/alongside', () => {
  for (const sample of samples) {
    describe(`${sample.name}.ts`, () => {
      let running: Running | undefined;
      let peer: LiveSocket | undefined;
      after(async () => {
        peer?.socket.terminate();
        await running?.stop();
      });

      it(`serves ${sample.name}'s route, Starwire's HTTP route and a WebSocket message on one port`, async () => {
        running = await sample.start();
        peer = await exercise(running.port, sample.name);
      });

      it('shuts down with the WebSocket closed 1001', async () => {
        assert.ok(running && peer, 'the previous test started the sample');
        const stopping = running.stop();
        running = undefined;
        assert.equal((await within(peer.closed, 2000, 'the 1001 close')).code, 1001);
        await within(stopping, 2000, 'the shutdown');
      });
    });
  }

  it('docs/alongside.md quotes the samples as they are', () => {
    const root = join(__dirname, '..', '..', '..');
    const doc = readFileSync(join(root, 'docs', 'alongside.md'), 'utf8');
    const quotes = [...doc.matchAll(/```ts\n\/\/ (samples\/alongside\/[\w-]+\.ts)\n([\s\S]*?)```/g)];
    assert.deepEqual(quotes.map((quote) => quote[1]).sort(), [
      'samples/alongside/express.ts',
      'samples/alongside/fastify.ts',
      'samples/alongside/live.ts',
    ]);
    for (const [, file, code] of quotes) {
      for (const part of code.split('\n\n'))
        assert.ok(readFileSync(join(root, file), 'utf8').includes(part), `${file} no longer contains:\n${part}`);
    }
  });

  describe('run as programs', () => {
    const children: ChildProcess[] = [];
    afterEach(() => {
      for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    for (const sample of samples) {
      it(`node dist/samples/alongside/${sample.file} serves on PORT and exits on SIGINT`, async function () {
        // Generous: a loaded machine can take seconds to start a Node process that loads Fastify.
        this.timeout(20000);
        const child = spawn(process.execPath, [join(__dirname, '..', '..', 'samples', 'alongside', sample.file)], {
          env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        let output = '';
        let errors = '';
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          errors += chunk;
        });
        const port = await within(
          new Promise<number>((resolve, reject) => {
            child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
              output += chunk;
              const match = /on http:\/\/127\.0\.0\.1:(\d+) /.exec(output);
              if (match) resolve(Number(match[1]));
            });
            child.once('exit', (code) => reject(new Error(`${sample.file} exited with ${code} before serving:\n${errors}`)));
          }),
          10000,
          `the ${sample.file} startup line`,
        );
        const peer = await exercise(port, sample.name);
        child.kill('SIGINT');
        assert.equal((await within(peer.closed, 2000, 'the 1001 close')).code, 1001);
        assert.equal(await within(exited, 3000, `${sample.file} to exit`), 0);
      });
    }
  });
});
