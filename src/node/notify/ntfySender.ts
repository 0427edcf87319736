// The ntfy fallback, for phones where Web Push cannot work (a plain-http LAN origin, a browser without
// push). API facts (https://docs.ntfy.sh/publish/, read 2026-11): publish with an HTTP POST (or PUT) to the
// topic URL (`https://ntfy.sh/<topic>` or the user's own server), the message as the body; `Title`,
// `Priority` (1–5 or min/low/default/high/urgent) and `Click` (a URL opened when the notification is
// tapped) as headers; a protected topic takes `Authorization: Bearer <access token>`; 200 with a JSON
// message envelope on success.
//
// Security decisions: ntfy's server reads everything it relays, and anyone who knows a public topic name
// can subscribe — so the text is always lockScreenText's `private` text (no folder, no command), the Click
// URL is only the app's address (no card id), and the topic URL and token are never logged.
import type { LockScreenText } from '../../core/notify/lockScreenText';
import { checkStatus, checkUrl, post } from './httpPost';

export interface NtfyTarget {
  topicUrl: string;
  token?: string;
}

export interface NtfyMessage {
  text: LockScreenText;
  /** `high` alerts (approvals), `default` for the rest. */
  priority: 'high' | 'default';
  /** Opened when the notification is tapped: the app's address. */
  clickUrl?: string;
}

export class NtfySender {
  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async send(target: NtfyTarget, message: NtfyMessage): Promise<void> {
    const url = checkUrl(target.topicUrl);
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=utf-8',
      // Header values must be ASCII: the title is a constant; the body (UTF-8) carries the rest.
      Title: asciiOnly(message.text.title),
      Priority: message.priority,
    };
    if (message.clickUrl) headers.Click = checkUrl(message.clickUrl).href;
    if (target.token) headers.Authorization = `Bearer ${asciiOnly(target.token)}`;
    const result = await post(url, { headers, body: message.text.body, timeoutMs: this.options.timeoutMs ?? 10_000 });
    checkStatus(result.status, 'ntfy');
  }
}

function asciiOnly(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '');
}
