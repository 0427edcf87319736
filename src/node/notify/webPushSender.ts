// Sends one Web Push message (RFC 8030) to a browser's push service: the payload encrypted to the browser
// with RFC 8291 `aes128gcm`, the request signed with a VAPID JWT (RFC 8292, ES256). All of the crypto is
// the `web-push` library's (generateRequestDetails); this file adds the rules and the transport.
//
// Security decisions:
//  - Endpoints must be https on a known push service (DEFAULT_PUSH_HOSTS; extendable by the host), so a
//    paired device cannot make the host POST to an arbitrary server (an SSRF through the registry).
//  - The Topic header (RFC 8030 §5.4, ≤ 32 base64url characters) is a SHA-256 of the session's tag, not the
//    tag: the push service sees that messages belong together (it could anyway, from timing), not a session id.
//  - The JSON is padded with trailing spaces to a multiple of PAD_BYTES (JSON.parse ignores them), so the
//    ciphertext's size does not tell the push service which event, privacy setting or folder name it carries.
//  - 404/410 means the subscription is gone (RFC 8030 §7.3): reported through onGone so the caller drops it.
import { createHash } from 'node:crypto';
import './eceKeylogGuard';
import webpush from 'web-push';
import type { PushPayload } from '../../core/notify/pushPayload';
import { PushSubscriptionSchema, type PushSubscription } from '../../core/wire/notifySettings';
import { checkStatus, checkUrl, post } from './httpPost';
import { NotifyError } from './notifyError';
import type { VapidKeys } from './vapidKeys';

/** The push services of Chrome/Edge/Android (FCM), Firefox (autopush), Safari/iOS (APNs) and Windows (WNS). */
export const DEFAULT_PUSH_HOSTS: readonly string[] = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'web.push.apple.com', '*.notify.windows.com'];

export type Urgency = 'very-low' | 'low' | 'normal' | 'high';

export interface WebPushOptions {
  urgency: Urgency;
  /** How long the push service keeps an undelivered message (RFC 8030 §5.2), seconds. */
  ttlSeconds: number;
}

export interface WebPushSenderOptions {
  keys: VapidKeys;
  /** The VAPID `sub` claim: a mailto: or https: contact for the push service operator (RFC 8292 §2.1). */
  subject?: string;
  /** Host names allowed as endpoints; `*.example.com` matches sub-domains. */
  allowedHosts?: readonly string[];
  timeoutMs?: number;
  /** Called once per send that found the subscription gone (404/410). */
  onGone?: (subscription: PushSubscription) => void;
}

export const DEFAULT_SUBJECT = 'mailto:walkie@users.noreply.github.com';
/** A notification must fit one RFC 8188 record of 4096 bytes: 4096 − 16 (tag) − 1 (delimiter) − 86 (header) = 3993. */
export const MAX_PAYLOAD_BYTES = 3993;
export const PAD_BYTES = 512;

function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  return allowed.some((h) => (h.startsWith('*.') ? hostname.endsWith(h.slice(1)) : hostname === h));
}

/** The RFC 8030 Topic for a tag: 24 bytes of SHA-256, 32 base64url characters. */
export function topicFor(tag: string): string {
  return createHash('sha256').update('walkie-push-topic\0').update(tag).digest().subarray(0, 24).toString('base64url');
}

export class WebPushSender {
  private readonly subject: string;
  private readonly allowedHosts: readonly string[];
  private readonly timeoutMs: number;

  constructor(private readonly options: WebPushSenderOptions) {
    this.subject = options.subject ?? DEFAULT_SUBJECT;
    this.allowedHosts = options.allowedHosts ?? DEFAULT_PUSH_HOSTS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The phone's `applicationServerKey` (base64url). Public: safe to send over the channel. */
  get publicKey(): string {
    return this.options.keys.publicKey;
  }

  /** Throws NotifyError; NOTIFY_ERR_GONE after calling onGone. */
  async send(subscription: PushSubscription, payload: PushPayload, options: WebPushOptions): Promise<void> {
    const parsed = PushSubscriptionSchema.safeParse(subscription);
    if (!parsed.success) throw new NotifyError('NOTIFY_ERR_BAD_TARGET', 'the subscription does not parse');
    const url = checkUrl(parsed.data.endpoint);
    if (!hostAllowed(url.hostname, this.allowedHosts)) throw new NotifyError('NOTIFY_ERR_BAD_TARGET', 'the endpoint is not on a known push service');
    const json = JSON.stringify(payload);
    const size = Buffer.byteLength(json);
    if (size > MAX_PAYLOAD_BYTES) throw new NotifyError('NOTIFY_ERR_BAD_TARGET', 'the payload is too large for one push message');
    const body = json + ' '.repeat(Math.min(MAX_PAYLOAD_BYTES, Math.ceil(size / PAD_BYTES) * PAD_BYTES) - size);
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = webpush.generateRequestDetails(parsed.data, body, {
        vapidDetails: { subject: this.subject, publicKey: this.options.keys.publicKey, privateKey: this.options.keys.privateKey },
        TTL: Math.max(0, Math.floor(options.ttlSeconds)),
        urgency: options.urgency,
        topic: topicFor(payload.tag),
        contentEncoding: 'aes128gcm',
      });
    } catch {
      // web-push throws on a malformed key (its message may quote it): keep only the fact.
      throw new NotifyError('NOTIFY_ERR_BAD_TARGET', 'the subscription keys or VAPID details are not usable');
    }
    const headers: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(details.headers)) if (k.toLowerCase() !== 'content-length') headers[k] = v as string | number;
    const result = await post(url, { headers, body: details.body ?? new Uint8Array(), timeoutMs: this.timeoutMs });
    try {
      checkStatus(result.status, 'the push service');
    } catch (e) {
      if (e instanceof NotifyError && e.code === 'NOTIFY_ERR_GONE') this.options.onGone?.(parsed.data);
      throw e;
    }
  }
}
