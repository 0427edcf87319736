// Protocol features: how the app protocol grows without a new PROTOCOL_VERSION (docs/protocol.md
// §Versions and features). Each peer lists the features it speaks in its `hello`; a feature is on for a
// channel only when BOTH sides listed it, and a sender uses a feature's messages or fields only then.
// A peer that never sent `hello` (every page and host before features existed) is a v1 peer: it parses
// strictly, so it gets exactly the v1 shapes — `forPeer` strips everything newer.
import * as z from 'zod';
import { LIMITS } from './limits';

/** The features this build speaks. Append only; never reuse a name. Each is documented in docs/protocol.md. */
export const WIRE_FEATURES = [
  /** `resolved` carries the typed `author` (src/core/wire/author.ts) next to the v1 string `by`. */
  'author',
  /**
   * Heartbeat: the device sends `ping` when the channel has been quiet, the host answers `pong` at once; either
   * side that hears nothing for a bound declares the channel dead (src/core/bridge/heartbeat.ts).
   */
  'ping',
  /**
   * Windowed sync: a sync answers with the last events only, in `chats` batches (several events a frame); the
   * first batch's `base` says where the window starts. Older events come on demand (`history`, `older: true`).
   */
  'window',
  /** `synced` lists the ids of every approval still pending in the session, so a device drops the others. */
  'reconcile',
] as const;
export type WireFeature = (typeof WIRE_FEATURES)[number];

/** At most this many features in one hello: a list can grow, but not without bound. */
export const MAX_FEATURES = 64;

/**
 * A hello's feature list. Names this build does not know are valid (a newer peer's) and simply not used,
 * so the list is parsed as plain names and narrowed by `agreedFeatures`.
 */
export const FeatureListSchema = z.array(z.string().min(1).max(LIMITS.name).regex(/^[a-z][a-zA-Z0-9.-]*$/)).max(MAX_FEATURES);

/** The features on for a channel: those both this build and the peer listed. */
export function agreedFeatures(theirs: readonly string[] | undefined): ReadonlySet<WireFeature> {
  const listed = new Set(theirs ?? []);
  return new Set(WIRE_FEATURES.filter((f) => listed.has(f)));
}
