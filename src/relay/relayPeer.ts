// What the relay's socket handlers share: the context they run in, and closing a peer without ever
// throwing (a close on a dead socket, a bad code or a long reason must not escape a handler).
import { WebSocket } from 'ws';
import type { Clock } from '../core/base/clock';
import type { Logger } from '../core/base/logger';
import { closeCodeOf, errorCodeOf, RelayError } from './relayError';
import type { RelayLimits } from './relayLimits';

export interface RelayContext {
  readonly limits: RelayLimits;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** Starts closing `ws` with `code`; terminates it if even that fails. Never throws. */
export function closePeer(ws: WebSocket, code: number, reason: string): void {
  try {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason.slice(0, 100));
  } catch {
    ws.terminate();
  }
}

/** Closes `ws` with the close code of `error` and logs the error's code (never its data). Never throws. */
export function failPeer(ws: WebSocket, error: unknown, ctx: RelayContext, who: string): void {
  const code = closeCodeOf(error);
  ctx.logger.debug(`relay: closing ${who} with ${code} (${errorCodeOf(error)})`);
  closePeer(ws, code, error instanceof RelayError ? error.message : 'internal error');
}

/** A short, loggable prefix of a host id (the full id is not secret, but logs need not link sessions). */
export function shortId(hostId: string): string {
  return hostId.slice(0, 8);
}
