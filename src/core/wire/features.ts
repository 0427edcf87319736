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
   * The host sends `app`: the SHA-256 of its own web app (dist/webview/bundle.json), so the phone's
   * service worker activates a new bundle only when the paired host vouches for it (SECURITY.md §3).
   */
  'appPin',
  /**
   * Notifications (issue 12): the host sends `notify {vapidPublicKey, settings}` after its answering
   * `hello` and after each change; the device sends `notify {settings}` to change its own settings (its
   * push subscription, an ntfy topic, lock-screen privacy, which events).
   */
  'notify',
  /**
   * The host sends `relay {url}` after its answering `hello` and whenever its public address changes (a
   * tunnel came up under a new name): the device keeps it and connects there from then on (issue 11).
   */
  'relay',
  /**
   * Scheduled sessions and /loop listings: `schedules` / `scheduleSaved` (host → device); `schedules`,
   * `scheduleSave`, `scheduleDelete`, `scheduleRunNow`, `loopCancel` (device → host). docs/protocol.md §Schedules.
   */
  'schedules',
  /** `hello` carries `hostKind`: what the host runs in ('vscode', 'cli'), so a device can name it. */
  'hostKind',
  /**
   * The host's session list (`sessionList`, with pending approvals and last activity), past agent sessions
   * (`listPast` → `pastSessions`), and starting, resuming, stopping and clearing sessions from a device
   * (`startSession` → `sessionStarted`, `stopSession`, `clearSession`). A `sync` of a session the host does
   * not know gets an ended placeholder `session` instead of HOST_ERR_NO_SESSION.
   */
  'sessions',
  /** `resolved.author` may be `{kind: "terminal"}`: answered at the computer, in the `walkie host` terminal. */
  'terminalAuthor',
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
