// The relay's limits, in one place. Every one is an option of RelayServer (tests shrink the timers;
// the benchmark lifts the rate limits to measure the forwarding path itself).
import type { RateLimit } from './rateLimiter';

export interface RelayLimits {
  /** Largest WebSocket message a device may send (ws `maxPayload`; over it → 1009). */
  readonly maxPayload: number;
  readonly maxDevicesPerHost: number;
  /** Authenticated host ids at once; one more is refused with 1013 (try again later). */
  readonly maxHosts: number;
  /** Host connections still answering their challenge; more are refused with HTTP 503 before the upgrade. */
  readonly maxPendingHosts: number;
  /** The same, per source address (more → HTTP 429), so one machine cannot fill the global cap. */
  readonly maxPendingHostsPerSource: number;
  /** WebSocket upgrades one source address may start per second, and at once (more → HTTP 429). */
  readonly upgradesPerSec: number;
  readonly upgradesBurst: number;
  readonly authTimeoutMs: number;
  /** Ping every peer this often; a peer that has not answered the previous ping is terminated. */
  readonly heartbeatMs: number;
  /** A destination socket with more than this queued is too slow: the relay closes it with 1013. */
  readonly maxBufferedBytes: number;
  readonly deviceRate: RateLimit;
  /** The host speaks for all of its devices, so its bucket is maxDevicesPerHost times a device's. */
  readonly hostRate: RateLimit;
}

const MiB = 1024 * 1024;

/** The 4-byte big-endian conn id in front of every frame on the host connection. */
export const CONN_HEADER_LENGTH = 4;
/** Conn ids are u32 and never reused while a host connection lives. */
export const MAX_CONN_ID = 0xffff_ffff;

export const DEFAULT_LIMITS: RelayLimits = Object.freeze({
  // A Noise message is at most 65535 bytes (Noise rev 34 §8); the rest is headroom.
  maxPayload: 70_000,
  maxDevicesPerHost: 16,
  maxHosts: 10_000,
  maxPendingHosts: 256,
  maxPendingHostsPerSource: 8,
  upgradesPerSec: 20,
  upgradesBurst: 60,
  authTimeoutMs: 5_000,
  heartbeatMs: 30_000,
  maxBufferedBytes: 8 * MiB,
  deviceRate: Object.freeze({ msgsPerSec: 200, msgsBurst: 400, bytesPerSec: 2 * MiB, bytesBurst: 4 * MiB }),
  hostRate: Object.freeze({ msgsPerSec: 3_200, msgsBurst: 6_400, bytesPerSec: 32 * MiB, bytesBurst: 64 * MiB }),
});

/** The defaults with `overrides` applied (shallow, per field). */
export function resolveLimits(overrides: Partial<RelayLimits> = {}): RelayLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
