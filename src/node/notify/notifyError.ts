// The one error type of the notification senders, with a fixed code. Messages never carry an endpoint, a
// token, a key or the notification text: only what went wrong.

export type NotifyErrorCode =
  /** The push service answered 404 or 410: the subscription is gone for good (RFC 8030 §7.3). */
  | 'NOTIFY_ERR_GONE'
  /** The service refused the message (4xx other than 404/410, e.g. a bad VAPID JWT or a bad bot token). */
  | 'NOTIFY_ERR_REJECTED'
  /** The service failed (5xx, 429) or the connection did. Worth retrying later. */
  | 'NOTIFY_ERR_UNAVAILABLE'
  | 'NOTIFY_ERR_TIMEOUT'
  /** The target is not acceptable here (scheme, host, key lengths): nothing was sent. */
  | 'NOTIFY_ERR_BAD_TARGET'
  /** The stored VAPID keys do not parse. */
  | 'NOTIFY_ERR_BAD_KEYS';

export class NotifyError extends Error {
  constructor(
    readonly code: NotifyErrorCode,
    message: string,
    /** The HTTP status, when the service answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}
