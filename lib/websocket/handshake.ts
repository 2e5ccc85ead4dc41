import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer, WebSocket as WsSocket } from 'ws';
import { type HttpAnswer, httpAnswer } from '../errors/error-table';
import { headersProblem, statusProblem } from '../errors/http-fields';
import type { Upgrader, WireSocket } from './wire-socket';

/** What a pending handshake asked for, read by ws's `handleProtocols` and `headers` callbacks. */
export interface HandshakeChoice {
  subprotocol: string | undefined;
  headers: Readonly<Record<string, string>>;
}

export const choices = new WeakMap<IncomingMessage, HandshakeChoice>();

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A Sec-WebSocket-Key: 16 bytes in base64. Made once: a literal in the function would be a new RegExp per handshake. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

function bad(detail: string): HandshakeProblem {
  return { status: 400, detail };
}

/** Why a handshake cannot proceed, as the HTTP answer to give. */
export interface HandshakeProblem {
  readonly status: number;
  readonly detail: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Checks what ws would check before upgrading, so a malformed handshake is refused up front
 * (400, or 426 for a protocol version we do not speak) instead of ws dropping the socket
 * later, after hooks have run.
 */
export function handshakeProblem(req: IncomingMessage): HandshakeProblem | undefined {
  if (req.method !== 'GET') return bad('WebSocket handshakes use GET');
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return bad('Missing "Upgrade: websocket" header');
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key)) return bad('Missing or invalid Sec-WebSocket-Key header');
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    // RFC 6455 §4.4: say which version the server speaks.
    return { status: 426, detail: 'Unsupported Sec-WebSocket-Version (use 13)', headers: { 'Sec-WebSocket-Version': '13' } };
  }
  if (!req.headers.host) return bad('Missing Host header');
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    // RFC 6455 §4.1: a list of distinct tokens; an empty element or a repeat is not one.
    const offered = (Array.isArray(protocols) ? protocols.join(',') : protocols).split(',').map((p) => p.trim());
    if (!offered.every((p) => TOKEN.test(p)) || new Set(offered).size !== offered.length) {
      return bad('Invalid Sec-WebSocket-Protocol header');
    }
  }
  return undefined;
}

const NO_PROTOCOLS: string[] = [];

/** The subprotocols a client offered, in order. */
export function parseSubprotocols(header: string | string[] | undefined): string[] {
  if (header === undefined || header === '') return NO_PROTOCOLS;
  return (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Writes an HTTP response on a socket that asked to upgrade, then closes it. */
export function refuseSocket(
  socket: Duplex,
  statusCode: number,
  body: string,
  headers: Readonly<Record<string, string | string[]>> = {},
): void {
  if (socket.destroyed) return;
  const problem = statusProblem(statusCode, 'refusal') ?? headersProblem(headers, 'refusal');
  if (problem !== undefined) {
    // Raw bytes go out here, with no Node check behind: a CR or LF must never reach them.
    const answer = httpAnswer(new TypeError(problem), false);
    statusCode = answer.status;
    body = JSON.stringify(answer.body);
    headers = answer.headers;
  }
  const lines = [
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}`,
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) lines.push('Content-Type: application/json');
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'connection' || name.toLowerCase() === 'content-length') continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  // A peer that never reads must not keep the socket open.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Anything that refuses a pending handshake: an `Upgrader`, or the `WebSocket` before accept. */
export interface Refusable {
  refuse(status: number, body: string, headers: Readonly<Record<string, string | string[]>>): void;
}

/**
 * Refuses a pending handshake with an answer of the one table (lib/errors/error-table.ts).
 * A debug stack stays out: handshake refusals have always carried the detail only.
 */
export function refuseWithAnswer(target: Refusable, answer: HttpAnswer): void {
  target.refuse(answer.status, answerBody(answer), answer.headers);
}

/** The body of a handshake refusal: the answer's JSON, without a debug stack. */
export function answerBody(answer: HttpAnswer): string {
  return JSON.stringify(answer.body.stack === undefined ? answer.body : { ...answer.body, stack: undefined });
}

/**
 * The listener a socket that asked to upgrade carries until ws takes it: socket errors before
 * the upgrade end in 'close', and a listener keeps them from crashing the process.
 */
export function ignoreSocketError(): void {}

/**
 * Completes or refuses one handshake on a Node socket, through ws. A class, so a handshake costs
 * one object rather than an object and a closure per method.
 */
export class NodeUpgrader implements Upgrader {
  /** True once ws has taken the socket over: from then on its own listeners handle its errors. */
  private upgraded = false;
  /** True while `ignoreSocketError` listens on the socket. */
  private guarded = false;

  constructor(
    private readonly wss: WebSocketServer,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
  ) {}

  complete(subprotocol: string | undefined, headers: Readonly<Record<string, string>>): WireSocket | Promise<WireSocket> {
    const { req, socket } = this;
    if (socket.destroyed) return Promise.reject(clientLeft());
    // ws's callbacks read the choice only when there is one: most handshakes need no entry.
    if (subprotocol !== undefined || hasAny(headers)) choices.set(req, { subprotocol, headers });
    let client: WsSocket | undefined;
    let done: ((client: WsSocket) => void) | undefined;
    this.wss.handleUpgrade(req, socket, this.head, (ws: WsSocket) => {
      this.upgraded = true;
      // ws listens for the socket's errors from now on; a second listener would cost an array per socket.
      if (this.guarded) socket.off('error', ignoreSocketError);
      if (done) done(ws);
      else client = ws;
    });
    // Without a verifyClient, ws completes the upgrade before handleUpgrade returns: most
    // handshakes are settled here, with no listener added to the socket and taken off again.
    if (client !== undefined) return client as unknown as WireSocket;
    return new Promise<WireSocket>((resolve, reject) => {
      const gone = (): void => reject(clientLeft());
      if (socket.destroyed) return gone();
      socket.once('close', gone);
      done = (ws) => {
        socket.off('close', gone);
        resolve(ws as unknown as WireSocket);
      };
    });
  }

  refuse(statusCode: number, body: string, headers: Readonly<Record<string, string | string[]>>): void {
    refuseSocket(this.socket, statusCode, body, headers);
  }

  /**
   * Keeps the socket's errors from crashing the process until ws takes it over. Socket errors are
   * emitted from I/O, never within the upgrade's turn: a handshake that ws took over in it (the
   * usual case) needs no listener, only one still pending then does.
   */
  guardUntilUpgraded(): void {
    if (this.upgraded || this.guarded) return;
    this.guarded = true;
    this.socket.on('error', ignoreSocketError);
  }
}

function clientLeft(): Error {
  return new Error('The client left during the WebSocket handshake');
}

function hasAny(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}
