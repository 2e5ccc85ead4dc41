import * as status from './status';

/** Codes that RFC 6455 forbids in a close frame: they describe what happened, never what is sent. */
const FORBIDDEN = new Set([
  status.WS_1004_RESERVED,
  status.WS_1005_NO_STATUS_RECEIVED,
  status.WS_1006_ABNORMAL_CLOSURE,
  status.WS_1015_TLS_HANDSHAKE,
]);

/** RFC 6455 §5.5: a control frame payload is at most 125 bytes, two of which carry the code. */
export const MAX_REASON_BYTES = 123;

/** True when `code` may appear in a close frame sent by an endpoint. */
export function isSendableCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    code >= 1000 &&
    code <= 4999 &&
    !FORBIDDEN.has(code) &&
    // 1016–2999 are reserved for future revisions of the protocol and unassigned today.
    !(code > status.WS_1015_TLS_HANDSHAKE && code < 3000)
  );
}

/**
 * Checks a close code given by user code, throwing a `TypeError` that says what is wrong,
 * so a bad code fails where it was written and never reaches the wire.
 */
export function assertCloseCode(code: number): void {
  if (!isSendableCloseCode(code)) {
    throw new TypeError(
      `WebSocket close code ${code} cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 ` +
        '(1004, 1005, 1006 and 1015 are reserved by RFC 6455)',
    );
  }
}

/** Checks a close reason given by user code: it must fit in 123 UTF-8 bytes. */
export function assertCloseReason(reason: string): void {
  const size = Buffer.byteLength(reason);
  if (size > MAX_REASON_BYTES) {
    throw new TypeError(`WebSocket close reason is ${size} UTF-8 bytes; at most ${MAX_REASON_BYTES} fit in a close frame`);
  }
}

/**
 * Cuts a reason the framework composed (from an exception message, say) to 123 UTF-8 bytes
 * without splitting a character, so a long message never turns into a protocol error.
 */
export function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    const size = Buffer.byteLength(char);
    if (bytes + size > MAX_REASON_BYTES) break;
    bytes += size;
    end += char.length;
  }
  return reason.slice(0, end);
}

/** The close code ws sends for each kind of receive error it reports (see ws's receiver). */
export function closeCodeOfReceiveError(code: string | undefined): number | undefined {
  if (code === undefined || !code.startsWith('WS_ERR_')) return undefined;
  if (code === 'WS_ERR_INVALID_UTF8') return status.WS_1007_INVALID_FRAME_PAYLOAD_DATA;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH')
    return status.WS_1009_MESSAGE_TOO_BIG;
  return status.WS_1002_PROTOCOL_ERROR;
}
