// The first seconds of a host connection: send a challenge, accept exactly one `auth` answer, verify it
// (src/core/wire/relayAuth.ts) and hand the proven host id on. Anything else — a binary message, junk, a bad
// signature, silence past the timeout — closes the connection with CloseCode.hostAuthFailed.
import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { TimerHandle } from '../core/base/clock';
import { RELAY_NONCE_LENGTH, verifyRelayAuth } from '../core/wire/relayAuth';
import { RelayError } from './relayError';
import { failPeer, type RelayContext } from './relayPeer';
import { AuthMessageSchema, parseControl } from './relayProtocol';

/**
 * Challenges `ws`; calls `onProven(hostId)` once if it answers correctly in time, or `onFailed()` once
 * if it does not (after closing it). The nonce is fresh per connection and never stored beyond it, so an
 * answer recorded on the wire cannot be replayed and the relay keeps no per-host state.
 */
export function authenticateHost(ws: WebSocket, ctx: RelayContext, onProven: (hostId: string) => void, onFailed: () => void): void {
  const nonce = randomBytes(RELAY_NONCE_LENGTH).toString('base64url');
  let settled = false;

  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    ctx.clock.clearTimeout(timer);
    ws.off('message', onMessage);
    ws.off('close', onClose);
    return true;
  };
  const fail = (error: RelayError): void => {
    if (!settle()) return;
    failPeer(ws, error, ctx, 'unauthenticated host');
    onFailed();
  };
  const onMessage = (data: RawData, isBinary: boolean): void => {
    try {
      const text = isBinary ? undefined : (data as Buffer).toString('utf8');
      const msg = text === undefined ? undefined : parseControl(AuthMessageSchema, text);
      if (!msg) return fail(new RelayError('RELAY_ERR_AUTH_FAILED', 'expected auth'));
      const hostId = verifyRelayAuth(nonce, msg.publicKey, msg.signature);
      if (!hostId) return fail(new RelayError('RELAY_ERR_AUTH_FAILED', 'auth failed'));
      if (settle()) onProven(hostId);
    } catch {
      fail(new RelayError('RELAY_ERR_AUTH_FAILED', 'auth failed'));
    }
  };
  const onClose = (): void => {
    if (settle()) onFailed();
  };

  ws.on('message', onMessage);
  ws.on('close', onClose);
  const timer: TimerHandle = ctx.clock.setTimeout(() => fail(new RelayError('RELAY_ERR_AUTH_TIMEOUT', 'auth timeout')), ctx.limits.authTimeoutMs);
  try {
    ws.send(JSON.stringify({ type: 'challenge', nonce }));
  } catch {
    fail(new RelayError('RELAY_ERR_AUTH_FAILED', 'auth failed'));
  }
}
