import assert from 'node:assert/strict';
import * as status from '../../../lib/errors/status';

/** RFC 6455 §7.4.1 and the IANA WebSocket Close Code Number Registry. */
const websocketRegistry: Record<number, string> = {
  1000: 'NORMAL_CLOSURE',
  1001: 'GOING_AWAY',
  1002: 'PROTOCOL_ERROR',
  1003: 'UNSUPPORTED_DATA',
  1004: 'RESERVED',
  1005: 'NO_STATUS_RECEIVED',
  1006: 'ABNORMAL_CLOSURE',
  1007: 'INVALID_FRAME_PAYLOAD_DATA',
  1008: 'POLICY_VIOLATION',
  1009: 'MESSAGE_TOO_BIG',
  1010: 'MANDATORY_EXTENSION',
  1011: 'INTERNAL_ERROR',
  1012: 'SERVICE_RESTART',
  1013: 'TRY_AGAIN_LATER',
  1014: 'BAD_GATEWAY',
  1015: 'TLS_HANDSHAKE',
  3000: 'UNAUTHORIZED',
  3003: 'FORBIDDEN',
  3008: 'TIMEOUT',
};

/**
 * The IANA HTTP Status Code Registry, as its CSV lists it:
 * https://www.iana.org/assignments/http-status-codes/http-status-codes-1.csv
 * (https://www.iana.org/assignments/http-status-codes/http-status-codes.xhtml).
 */
const HTTP_REGISTRY_CSV = `Value,Description,Reference
100,Continue,"[RFC9110, Section 15.2.1]"
101,Switching Protocols,"[RFC9110, Section 15.2.2]"
102,Processing,[RFC2518]
103,Early Hints,[RFC8297]
104,Upload Resumption Supported (TEMPORARY - registered 2024-11-13; extension registered 2025-09-15; expires 2026-11-13),[draft-ietf-httpbis-resumable-upload-05]
105-199,Unassigned,
200,OK,"[RFC9110, Section 15.3.1]"
201,Created,"[RFC9110, Section 15.3.2]"
202,Accepted,"[RFC9110, Section 15.3.3]"
203,Non-Authoritative Information,"[RFC9110, Section 15.3.4]"
204,No Content,"[RFC9110, Section 15.3.5]"
205,Reset Content,"[RFC9110, Section 15.3.6]"
206,Partial Content,"[RFC9110, Section 15.3.7]"
207,Multi-Status,[RFC4918]
208,Already Reported,[RFC5842]
209-225,Unassigned,
226,IM Used,[RFC3229]
227-299,Unassigned,
300,Multiple Choices,"[RFC9110, Section 15.4.1]"
301,Moved Permanently,"[RFC9110, Section 15.4.2]"
302,Found,"[RFC9110, Section 15.4.3]"
303,See Other,"[RFC9110, Section 15.4.4]"
304,Not Modified,"[RFC9110, Section 15.4.5]"
305,Use Proxy,"[RFC9110, Section 15.4.6]"
306,(Unused),"[RFC9110, Section 15.4.7]"
307,Temporary Redirect,"[RFC9110, Section 15.4.8]"
308,Permanent Redirect,"[RFC9110, Section 15.4.9]"
309-399,Unassigned,
400,Bad Request,"[RFC9110, Section 15.5.1]"
401,Unauthorized,"[RFC9110, Section 15.5.2]"
402,Payment Required,"[RFC9110, Section 15.5.3]"
403,Forbidden,"[RFC9110, Section 15.5.4]"
404,Not Found,"[RFC9110, Section 15.5.5]"
405,Method Not Allowed,"[RFC9110, Section 15.5.6]"
406,Not Acceptable,"[RFC9110, Section 15.5.7]"
407,Proxy Authentication Required,"[RFC9110, Section 15.5.8]"
408,Request Timeout,"[RFC9110, Section 15.5.9]"
409,Conflict,"[RFC9110, Section 15.5.10]"
410,Gone,"[RFC9110, Section 15.5.11]"
411,Length Required,"[RFC9110, Section 15.5.12]"
412,Precondition Failed,"[RFC9110, Section 15.5.13]"
413,Content Too Large,"[RFC9110, Section 15.5.14]"
414,URI Too Long,"[RFC9110, Section 15.5.15]"
415,Unsupported Media Type,"[RFC9110, Section 15.5.16]"
416,Range Not Satisfiable,"[RFC9110, Section 15.5.17]"
417,Expectation Failed,"[RFC9110, Section 15.5.18]"
418,(Unused),"[RFC9110, Section 15.5.19]"
419-420,Unassigned,
421,Misdirected Request,"[RFC9110, Section 15.5.20]"
422,Unprocessable Content,"[RFC9110, Section 15.5.21]"
423,Locked,[RFC4918]
424,Failed Dependency,[RFC4918]
425,Too Early,[RFC8470]
426,Upgrade Required,"[RFC9110, Section 15.5.22]"
427,Unassigned,
428,Precondition Required,[RFC6585]
429,Too Many Requests,[RFC6585]
430,Unassigned,
431,Request Header Fields Too Large,[RFC6585]
432-450,Unassigned,
451,Unavailable For Legal Reasons,[RFC7725]
452-499,Unassigned,
500,Internal Server Error,"[RFC9110, Section 15.6.1]"
501,Not Implemented,"[RFC9110, Section 15.6.2]"
502,Bad Gateway,"[RFC9110, Section 15.6.3]"
503,Service Unavailable,"[RFC9110, Section 15.6.4]"
504,Gateway Timeout,"[RFC9110, Section 15.6.5]"
505,HTTP Version Not Supported,"[RFC9110, Section 15.6.6]"
506,Variant Also Negotiates,[RFC2295]
507,Insufficient Storage,[RFC4918]
508,Loop Detected,[RFC5842]
509,Unassigned,
510,Not Extended (OBSOLETED),[RFC2774][status-change-http-experiments-to-historic]
511,Network Authentication Required,[RFC6585]
512-599,Unassigned,`;

interface RegistryEntry {
  code: number;
  description: string;
}

/** The codes the registry assigns (its ranges, and 427, 430 and 509, are "Unassigned"). */
function httpRegistry(): RegistryEntry[] {
  return HTTP_REGISTRY_CSV.split('\n')
    .slice(1)
    .flatMap((line) => {
      const match = /^(\d{3}),([^,]+),/.exec(line);
      return match && match[2] !== 'Unassigned' ? [{ code: Number(match[1]), description: match[2] }] : [];
    });
}

/** The constant's name for a registry description: "Non-Authoritative Information" → NON_AUTHORITATIVE_INFORMATION. */
function constantName(description: string): string {
  return description
    .replace(/\s*\((?:OBSOLETED|TEMPORARY)[^)]*\)/, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_');
}

/**
 * Older names users reach for: RFC 2616, 4918 and 7231 names, Starlette's, API Star's (seed
 * 003's `WS_1000_OK`). Each must carry the number of a code the registry has.
 */
const ALIASES: Readonly<Record<string, number>> = {
  HTTP_306_RESERVED: 306,
  HTTP_413_PAYLOAD_TOO_LARGE: 413,
  HTTP_413_REQUEST_ENTITY_TOO_LARGE: 413,
  HTTP_414_REQUEST_URI_TOO_LONG: 414,
  HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE: 416,
  HTTP_418_IM_A_TEAPOT: 418,
  HTTP_422_UNPROCESSABLE_ENTITY: 422,
  WS_1000_OK: 1000,
  WS_1005_NO_STATUS_RCVD: 1005,
  WS_1010_MANDATORY_EXT: 1010,
};

describe('status', () => {
  it('has every registered WebSocket close code under its registry name', () => {
    for (const [code, name] of Object.entries(websocketRegistry)) {
      assert.equal((status as Record<string, number>)[`WS_${code}_${name}`], Number(code), `WS_${code}_${name}`);
    }
  });

  it('has every code of the IANA HTTP registry under its registry (RFC 9110) name', () => {
    const named = httpRegistry().filter((entry) => entry.description !== '(Unused)');
    assert.ok(named.length >= 62, `${named.length} registered codes`);
    for (const { code, description } of named) {
      const name = `HTTP_${code}_${constantName(description)}`;
      assert.equal((status as Record<string, number>)[name], code, `${name} (${description})`);
    }
  });

  it('has no HTTP constant but registry names and the listed older names, each for a registered code', () => {
    const registered = new Map(httpRegistry().map((entry) => [entry.code, entry.description]));
    for (const name of Object.keys(status).filter((key) => key.startsWith('HTTP_'))) {
      const code = (status as Record<string, number>)[name];
      const description = registered.get(code);
      assert.ok(description !== undefined, `${name}: ${code} is not in the registry`);
      if (name !== `HTTP_${code}_${constantName(description)}`)
        assert.equal(ALIASES[name], code, `${name} is neither the registry name nor a listed alias`);
    }
  });

  it('has the older names users reach for (Starlette, earlier RFCs, seed 003)', () => {
    for (const [name, code] of Object.entries(ALIASES)) {
      assert.equal((status as Record<string, number>)[name], code, name);
      if (name.startsWith('HTTP_'))
        assert.ok(
          httpRegistry().some((entry) => entry.code === code),
          `${name}: ${code} is registered`,
        );
      else assert.ok(websocketRegistry[code] !== undefined, `${name}: ${code} is registered`);
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
