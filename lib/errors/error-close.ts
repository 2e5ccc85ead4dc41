import { isSendableCloseCode, truncateReason } from './close-codes';
import { HTTPException, ValidationError, WebSocketException } from './exceptions';
import * as status from './status';

/** HTTP statuses with a close code of their own once a WebSocket is open. */
const HTTP_TO_CLOSE: Readonly<Record<number, number>> = {
  [status.HTTP_401_UNAUTHORIZED]: status.WS_3000_UNAUTHORIZED,
  [status.HTTP_403_FORBIDDEN]: status.WS_3003_FORBIDDEN,
  [status.HTTP_408_REQUEST_TIMEOUT]: status.WS_3008_TIMEOUT,
  [status.HTTP_413_CONTENT_TOO_LARGE]: status.WS_1009_MESSAGE_TOO_BIG,
  [status.HTTP_503_SERVICE_UNAVAILABLE]: status.WS_1013_TRY_AGAIN_LATER,
  [status.HTTP_500_INTERNAL_SERVER_ERROR]: status.WS_1011_INTERNAL_ERROR,
};

/** A close frame to send. */
export interface CloseFrame {
  readonly code: number;
  readonly reason: string;
}

/**
 * The after-accept column of the one table: the close frame an exception becomes on an open
 * WebSocket. `unexpected` is true for errors that are bugs rather than answers (logged).
 */
export function closeFrameFor(error: unknown, debug: boolean): CloseFrame & { unexpected: boolean } {
  // A code that may not be sent (1005, 5000, ...) is a bug in the raiser: it closes 1011 like one.
  if (error instanceof WebSocketException && isSendableCloseCode(error.code)) {
    return { code: error.code, reason: truncateReason(error.reason), unexpected: false };
  }
  if (error instanceof HTTPException) {
    const code = HTTP_TO_CLOSE[error.status] ??
      (error.status >= 400 && error.status < 500 ? 4000 + error.status : status.WS_1011_INTERNAL_ERROR);
    return { code, reason: truncateReason(error.message), unexpected: false };
  }
  if (error instanceof ValidationError) {
    return { code: status.WS_1007_INVALID_FRAME_PAYLOAD_DATA, reason: truncateReason(error.message), unexpected: false };
  }
  const reason = debug && error instanceof Error ? `${error.name}: ${error.message}` : 'Internal Error';
  return { code: status.WS_1011_INTERNAL_ERROR, reason: truncateReason(reason), unexpected: true };
}
