// The relay's one error type. Socket handlers never throw: a failure becomes a RelayError whose code picks
// the close code the peer sees (closeCodeOf) and the line that is logged (the code, never the data).
import { CloseCode } from '../core/wire/closeCodes';

export type RelayErrorCode =
  | 'RELAY_ERR_AUTH_FAILED'
  | 'RELAY_ERR_AUTH_TIMEOUT'
  | 'RELAY_ERR_BAD_MESSAGE'
  | 'RELAY_ERR_BAD_FRAME'
  | 'RELAY_ERR_TEXT_FROM_DEVICE'
  | 'RELAY_ERR_PAYLOAD_TOO_LARGE'
  | 'RELAY_ERR_RATE_LIMITED'
  | 'RELAY_ERR_SLOW_PEER'
  | 'RELAY_ERR_HOST_OFFLINE'
  | 'RELAY_ERR_TOO_MANY_DEVICES'
  | 'RELAY_ERR_TOO_MANY_HOSTS'
  | 'RELAY_ERR_CONN_IDS_EXHAUSTED'
  | 'RELAY_ERR_LISTEN'
  | 'RELAY_ERR_CLUSTER_UNAVAILABLE'
  | 'RELAY_ERR_TLS'
  | 'RELAY_ERR_CLOSED';

export class RelayError extends Error {
  override readonly name = 'RelayError';

  constructor(
    readonly code: RelayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CLOSE_CODES: Record<RelayErrorCode, number> = {
  RELAY_ERR_AUTH_FAILED: CloseCode.hostAuthFailed,
  RELAY_ERR_AUTH_TIMEOUT: CloseCode.hostAuthFailed,
  RELAY_ERR_BAD_MESSAGE: CloseCode.protocolError,
  RELAY_ERR_BAD_FRAME: CloseCode.protocolError,
  RELAY_ERR_TEXT_FROM_DEVICE: CloseCode.unsupportedData,
  RELAY_ERR_PAYLOAD_TOO_LARGE: CloseCode.tooLarge,
  RELAY_ERR_RATE_LIMITED: CloseCode.rateLimited,
  RELAY_ERR_SLOW_PEER: CloseCode.tryAgainLater,
  RELAY_ERR_HOST_OFFLINE: CloseCode.hostOffline,
  RELAY_ERR_TOO_MANY_DEVICES: CloseCode.tooManyDevices,
  RELAY_ERR_TOO_MANY_HOSTS: CloseCode.tryAgainLater,
  RELAY_ERR_CONN_IDS_EXHAUSTED: CloseCode.tryAgainLater,
  RELAY_ERR_LISTEN: CloseCode.internalError,
  RELAY_ERR_CLUSTER_UNAVAILABLE: CloseCode.tryAgainLater,
  RELAY_ERR_TLS: CloseCode.internalError,
  RELAY_ERR_CLOSED: CloseCode.goingAway,
};

/** The WebSocket close code a peer gets for an error (1011 for anything that is not a RelayError). */
export function closeCodeOf(error: unknown): number {
  return error instanceof RelayError ? CLOSE_CODES[error.code] : CloseCode.internalError;
}

/** The loggable code of an error: a RelayError's code, or a fixed word (never the message of a foreign error). */
export function errorCodeOf(error: unknown): string {
  return error instanceof RelayError ? error.code : 'RELAY_ERR_INTERNAL';
}
