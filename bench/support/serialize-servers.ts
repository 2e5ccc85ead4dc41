/**
 * The servers `bench/http-serialize.ts` compares: GET /order answers one realistic order
 * (15 fields, two nested objects, an array of 10 line items) as JSON, written by
 * `JSON.stringify` (no response schema) or by a serializer compiled from `ORDER_SCHEMA`
 * (fast-json-stringify in both frameworks). The object holds exactly the schema's properties,
 * so every system sends the same JSON and only the writing differs.
 *
 * Run one: `node dist/bench/support/serialize-servers.js <system> [port]`. Forked, it speaks
 * child-server.ts's IPC protocol; run by hand, it prints its URL.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fastify } from 'fastify';
import { App, type JsonSchema, Route } from '../../index';
import { serveChildProtocol } from './child-server';

export const SERIALIZE_SYSTEMS = ['starwire', 'starwire-schema', 'fastify', 'fastify-schema'] as const;
export type SerializeSystem = (typeof SERIALIZE_SYSTEMS)[number];

export function isSerializeSystem(name: string): name is SerializeSystem {
  return (SERIALIZE_SYSTEMS as readonly string[]).includes(name);
}

const money = { type: 'number' } as const;
const text = { type: 'string' } as const;

export const ORDER_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    number: text,
    status: { type: 'string', enum: ['pending', 'paid', 'shipped'] },
    currency: text,
    subtotal: money,
    tax: money,
    shipping: money,
    total: money,
    paid: { type: 'boolean' },
    createdAt: text,
    updatedAt: text,
    note: { type: 'string', nullable: true },
    customer: { type: 'object', properties: { id: { type: 'integer' }, name: text, email: text }, required: ['id', 'name'] },
    shippingAddress: { type: 'object', properties: { line1: text, city: text, postcode: text, country: text } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sku: text, name: text, quantity: { type: 'integer' }, unitPrice: money, total: money },
        required: ['sku', 'quantity'],
      },
    },
  },
  required: ['id', 'number', 'status', 'total', 'items'],
} as const satisfies JsonSchema;

const items = Array.from({ length: 10 }, (_, i) => ({
  sku: `SKU-${1000 + i}`,
  name: `Item number ${i} with a longer name`,
  quantity: 1 + (i % 3),
  unitPrice: 9.99 + i,
  total: Math.round((9.99 + i) * (1 + (i % 3)) * 100) / 100,
}));

export const ORDER = {
  id: 42,
  number: 'ORD-2026-000042',
  status: 'paid',
  currency: 'EUR',
  subtotal: 254.8,
  tax: 48.41,
  shipping: 4.9,
  total: 308.11,
  paid: true,
  createdAt: '2026-12-05T10:00:00.000Z',
  updatedAt: '2026-12-05T10:05:00.000Z',
  note: null,
  customer: { id: 7, name: 'Ada Lovelace', email: 'ada@example.com' },
  shippingAddress: { line1: '12 Analytical Row', city: 'London', postcode: 'N1 9GU', country: 'GB' },
  items,
};

function starwire(schema: boolean): (port: number) => Promise<Server> {
  return (port) => {
    const options = schema ? { responses: { 200: ORDER_SCHEMA } } : {};
    return new App({ routes: [new Route('/order', 'GET', () => ORDER, options)] }).listen(port, '127.0.0.1');
  };
}

function fastifyServer(schema: boolean): (port: number) => Promise<Server> {
  return async (port) => {
    const app = fastify({ logger: false });
    app.get('/order', schema ? { schema: { response: { 200: ORDER_SCHEMA } } } : {}, async () => ORDER);
    await app.listen({ port, host: '127.0.0.1' });
    return app.server;
  };
}

const START: Record<SerializeSystem, (port: number) => Promise<Server>> = {
  starwire: starwire(false),
  'starwire-schema': starwire(true),
  fastify: fastifyServer(false),
  'fastify-schema': fastifyServer(true),
};

async function run(): Promise<void> {
  const [system = '', portArg = '0'] = process.argv.slice(2);
  if (!isSerializeSystem(system)) throw new Error(`usage: serialize-servers.js <${SERIALIZE_SYSTEMS.join('|')}> [port]`);
  const server = await START[system](Number(portArg));
  const port = (server.address() as AddressInfo).port;
  if (process.send) serveChildProtocol(port);
  else console.log(`${system} listening on http://127.0.0.1:${port}/order`);
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
