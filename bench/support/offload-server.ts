/**
 * The server of bench/offload.ts, in its own process: `GET /work` does `--work-ms` of CPU work
 * (support/offload-work.ts), inline on the event loop (`--mode inline`) or through `Offload` in
 * worker threads (`--mode offload`, `--threads` of them); `/echo` is a WebSocket JSON echo.
 *
 * Run one: `node dist/bench/support/offload-server.js --mode offload [--threads 1] [--work-ms 20]`.
 * Forked, it speaks child-server.ts's IPC protocol; run by hand, it prints its URL.
 */
import { parseArgs } from 'node:util';
import { App, inject, Offload, Route, WebSocket, WebSocketRoute } from '../../index';
import { serveChildProtocol } from './child-server';
import { burn } from './offload-work';

const WORK = require.resolve('./offload-work');

export type OffloadMode = 'inline' | 'offload';

function offloadApp(mode: OffloadMode, threads: number, workMs: number): App {
  const work =
    mode === 'inline'
      ? inject([], () => ({ rounds: burn(workMs) }))
      : inject([Offload], async (offload) => ({
          rounds: await offload.run<typeof import('./offload-work'), 'burn'>(WORK, 'burn', [workMs]),
        }));
  const echo = inject([WebSocket], async (ws) => {
    await ws.accept();
    for await (const message of ws) await ws.send(message);
  });
  return new App({
    offload: { maxThreads: threads, maxQueue: 1024 },
    routes: [new Route('/work', 'GET', work), new WebSocketRoute('/echo', echo)],
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'offload' },
      threads: { type: 'string', default: '1' },
      'work-ms': { type: 'string', default: '20' },
    },
  });
  if (values.mode !== 'inline' && values.mode !== 'offload') throw new Error(`--mode must be inline or offload, got ${values.mode}`);
  const app = offloadApp(values.mode, Number(values.threads), Number(values['work-ms']));
  const server = await app.listen(0);
  const port = App.portOf(server);
  if (process.send) {
    serveChildProtocol(port);
  } else {
    console.log(`http://127.0.0.1:${port} (${values.mode})`);
  }
}

if (require.main === module) void main();
