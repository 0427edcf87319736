// The plaintext of a Web Push message (encrypted to the browser with RFC 8291 before it leaves the host).
// The phone's service worker parses it with this schema and shows `title`/`body` under `tag`.
//
// Security decision: ids only. `approval` and `session` let the app open the right card; the app then
// fetches and verifies the request over the encrypted channel. No tool input, no command beyond what
// lockScreenText allowed, and nothing here is ever enough to approve.
import * as z from 'zod';
import { LIMITS } from '../wire/protocol';
import type { LockScreenText, NotifyKind } from './lockScreenText';

export const PUSH_PAYLOAD_VERSION = 1;

export const PushPayloadSchema = z.strictObject({
  v: z.literal(PUSH_PAYLOAD_VERSION),
  kind: z.enum(['approval-waiting', 'approval-expiring', 'turn-finished', 'session-ended', 'session-failed']),
  title: z.string().max(LIMITS.name),
  body: z.string().max(LIMITS.summary),
  tag: z.string().max(LIMITS.id + 16),
  session: z.string().min(1).max(LIMITS.id),
  /** The newest waiting approval, for approval kinds. */
  approval: z.string().min(1).max(LIMITS.id).optional(),
  /** Alert again (sound, vibration) although a notification with this tag is already shown. */
  renotify: z.boolean(),
  /** When the host sent it (ms since epoch): the app drops stale ones. */
  at: z.number().int().nonnegative(),
});
export type PushPayload = z.infer<typeof PushPayloadSchema>;

export function pushPayload(kind: NotifyKind, text: LockScreenText, ids: { session: string; approval?: string }, renotify: boolean, at: number): PushPayload {
  return {
    v: PUSH_PAYLOAD_VERSION,
    kind,
    title: text.title,
    body: text.body,
    tag: text.tag,
    session: ids.session,
    ...(ids.approval !== undefined ? { approval: ids.approval } : {}),
    renotify,
    at,
  };
}
