import assert from 'node:assert/strict';
import * as status from '../../lib/status';

/** RFC 6455 §7.4.1 and the IANA WebSocket Close Code Number Registry. */
const websocketRegistry: Record<number, string> = {
  1000: 'NORMAL_CLOSURE', 1001: 'GOING_AWAY', 1002: 'PROTOCOL_ERROR', 1003: 'UNSUPPORTED_DATA',
  1004: 'RESERVED', 1005: 'NO_STATUS_RECEIVED', 1006: 'ABNORMAL_CLOSURE', 1007: 'INVALID_FRAME_PAYLOAD_DATA',
  1008: 'POLICY_VIOLATION', 1009: 'MESSAGE_TOO_BIG', 1010: 'MANDATORY_EXTENSION', 1011: 'INTERNAL_ERROR',
  1012: 'SERVICE_RESTART', 1013: 'TRY_AGAIN_LATER', 1014: 'BAD_GATEWAY', 1015: 'TLS_HANDSHAKE',
  3000: 'UNAUTHORIZED', 3003: 'FORBIDDEN', 3008: 'TIMEOUT',
};

/** A sample of the IANA HTTP Status Code Registry (RFC 9110 names). */
const httpRegistry: Record<number, string> = {
  200: 'OK', 201: 'CREATED', 204: 'NO_CONTENT', 301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER',
  304: 'NOT_MODIFIED', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT', 400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT', 413: 'CONTENT_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 422: 'UNPROCESSABLE_CONTENT',
  426: 'UPGRADE_REQUIRED', 429: 'TOO_MANY_REQUESTS', 500: 'INTERNAL_SERVER_ERROR', 501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE', 504: 'GATEWAY_TIMEOUT',
};

describe('status', () => {
  it('has every registered WebSocket close code under its registry name', () => {
    for (const [code, name] of Object.entries(websocketRegistry)) {
      assert.equal((status as Record<string, number>)[`WS_${code}_${name}`], Number(code), `WS_${code}_${name}`);
    }
  });

  it('has the registered HTTP codes under their RFC 9110 names', () => {
    for (const [code, name] of Object.entries(httpRegistry)) {
      assert.equal((status as Record<string, number>)[`HTTP_${code}_${name}`], Number(code), `HTTP_${code}_${name}`);
    }
  });

  it('carries in every constant the number its name states', () => {
    const entries = Object.entries(status);
    assert.ok(entries.length > 60);
    for (const [name, value] of entries) {
      const match = /^(HTTP|WS)_(\d{3,4})_[A-Z_]+$/.exec(name);
      assert.ok(match, `${name} is not named KIND_NUMBER_NAME`);
      assert.equal(value, Number(match[2]), name);
    }
  });
});
