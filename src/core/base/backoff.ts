// One reconnect backoff for every client Walkie has (the phone's bridge client, the host's relay link, the
// tunnel supervisor): exponential with full jitter — a delay uniform in [0, min(cap, base·2^attempt)] — so a
// crowd of clients that lost the same server does not come back in lock-step. Randomness from the platform
// CSPRNG (through @noble/hashes, in browsers and Node alike), never Math.random.
import { randomBytes } from '@noble/hashes/utils.js';

export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

/** The delay before reconnect attempt `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, o: Backoff, uniform: () => number = cryptoUniform): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.floor(uniform() * ceiling);
}

/** A uniform number in [0, 1) from the platform CSPRNG. */
export function cryptoUniform(): number {
  const b = randomBytes(4);
  return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
}

/**
 * Reconnect pacing for a link that was lost `offlineForMs` ago. For the first `fastForMs` of an outage the
 * delay is capped at `fastCapMs` (still full jitter), so a client is back within about a second of a relay
 * restart or a network change; a longer outage backs off exponentially up to `capMs` as before, so a dead
 * relay is not hammered for long.
 */
export interface ReconnectPacing extends Backoff {
  readonly fastCapMs: number;
  readonly fastForMs: number;
}

export const DEFAULT_PACING: ReconnectPacing = { baseMs: 500, capMs: 30_000, fastCapMs: 1_000, fastForMs: 120_000 };

export function reconnectDelay(attempt: number, offlineForMs: number, o: ReconnectPacing, uniform: () => number = cryptoUniform): number {
  const capMs = offlineForMs < o.fastForMs ? Math.min(o.capMs, o.fastCapMs) : o.capMs;
  return backoffDelay(attempt, { baseMs: o.baseMs, capMs }, uniform);
}
