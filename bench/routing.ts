/**
 * What the number of routes costs: how long `new App()` takes with 1,000 routes (mixed static,
 * parameterised and WebSocket), and what serving a request costs for the first route declared
 * against the last, in apps of 10, 100 and 1,000 routes. Requests go through `app.dispatch`
 * (routing, path parameters, validation, the handler) with no socket, so matching is the only
 * part whose cost could grow with the route count.
 *
 * Run: `npm run bench -- routing [--rounds 5] [--lookups 100000]`
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { App, inject, PathParam, Route, WebSocket, WebSocketRoute } from '../index';
import { positive } from './support/options';
import { median, round } from './support/stats';
import { formatTable } from './support/table';

const TARGETS = { construct_1000_ms: 100, last_vs_first: 1.2 };

/** Route `i` of an app: a static path, one with an int, one with a name and a uuid, or a WebSocket. */
function template(i: number): { path: string; sample: string; websocket: boolean } {
  switch (i % 4) {
    case 0:
      return { path: `/r${i}/items`, sample: `/r${i}/items`, websocket: false };
    case 1:
      return { path: `/r${i}/items/{id:int}`, sample: `/r${i}/items/42`, websocket: false };
    case 2:
      return {
        path: `/r${i}/users/{name}/posts/{post:uuid}`,
        sample: `/r${i}/users/ada/posts/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b`,
        websocket: false,
      };
    default:
      return { path: `/r${i}/ws/{room}`, sample: `/r${i}/ws/lobby`, websocket: true };
  }
}

/** Each route its own handler and schema objects, as routes written out by hand have. */
function routes(count: number): (Route | WebSocketRoute)[] {
  return Array.from({ length: count }, (_, i) => {
    const { path, websocket } = template(i);
    if (websocket) {
      return new WebSocketRoute(
        path,
        inject([WebSocket, PathParam('room', { type: 'string', maxLength: 40 })], async (ws) => {
          await ws.accept();
        }),
      );
    }
    const handler =
      i % 4 === 0
        ? inject([], () => ({ ok: true }))
        : i % 4 === 1
          ? inject([PathParam('id', { type: 'integer', minimum: 1 })], (id) => ({ id }))
          : inject(
              [PathParam('name', { type: 'string', minLength: 1 }), PathParam('post', { type: 'string', format: 'uuid' })],
              (name, post) => ({
                name,
                post,
              }),
            );
    return new Route(path, 'GET', handler);
  });
}

const NO_BODY: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) };

/** Nanoseconds per request for `path`, over `count` requests dispatched in turn. */
async function dispatchNs(app: App, path: string, count: number): Promise<number> {
  const source = { method: 'GET', url: path, headers: {}, client: null, server: null, body: NO_BODY };
  let matched = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const { response, finish } = app.dispatch(source);
    const answer = await response;
    if (answer.status === 200) matched++;
    await finish();
  }
  const ns = Number(process.hrtime.bigint() - start) / count;
  if (matched !== count) throw new Error(`routing bench: ${path} did not answer 200`);
  return ns;
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { rounds: { type: 'string', default: '5' }, lookups: { type: 'string', default: '100000' } },
  });
  const rounds = positive('rounds', values.rounds);
  const lookups = positive('lookups', values.lookups);

  const constructMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const list = routes(1000);
    const start = performance.now();
    new App({ routes: list });
    constructMs.push(performance.now() - start);
  }

  const rows: (string | number)[][] = [];
  const ratios: Record<string, number> = {};
  for (const count of [10, 100, 1000]) {
    const app = new App({ routes: routes(count) });
    const httpIndexes = Array.from({ length: count }, (_, i) => i).filter((i) => !template(i).websocket);
    // First and last of each HTTP shape, so a static path is never compared with a parameterised one.
    for (const shape of [0, 1, 2]) {
      const ofShape = httpIndexes.filter((i) => i % 4 === shape);
      const first = template(ofShape[0]).sample;
      const last = template(ofShape[ofShape.length - 1]).sample;
      // Small batches, alternating first and last, so a GC or a busy neighbour hits both alike.
      const firstNs: number[] = [];
      const lastNs: number[] = [];
      const batch = 1000;
      for (let done = 0; done < lookups * rounds; done += batch) {
        firstNs.push(await dispatchNs(app, first, batch));
        lastNs.push(await dispatchNs(app, last, batch));
      }
      const ratio = round(median(lastNs) / median(firstNs), 3);
      rows.push([count, ['static', 'int param', 'name + uuid'][shape], round(median(firstNs)), round(median(lastNs)), ratio]);
      if (count === 1000) ratios[`last_vs_first_${['static', 'int', 'uuid'][shape]}`] = ratio;
    }
  }

  console.log(`routing bench: ${rounds} rounds, ${lookups} lookups per figure`);
  console.log(formatTable(['routes', 'shape', 'first ns', 'last ns', 'last/first'], rows));
  const construct = round(median(constructMs), 1);
  console.log(
    `\nnew App() with 1,000 routes: ${construct} ms median (first ${round(constructMs[0], 1)} ms) (target < ${TARGETS.construct_1000_ms}) ${
      construct < TARGETS.construct_1000_ms ? 'ok' : 'ABOVE TARGET'
    }`,
  );
  for (const [name, ratio] of Object.entries(ratios)) {
    console.log(`${name}: ${ratio} (target ≤ ${TARGETS.last_vs_first}) ${ratio <= TARGETS.last_vs_first ? 'ok' : 'ABOVE TARGET'}`);
  }
  console.log(JSON.stringify({ bench: 'routing', construct_1000_ms: construct, construct_first_ms: round(constructMs[0], 1), ratios }));
}
