// Notify-only messages through the user's own Telegram bot. API facts (https://core.telegram.org/bots/api,
// "Making requests" and "sendMessage", read 2026-11): POST https://api.telegram.org/bot<token>/sendMessage
// with a JSON body {chat_id, text, link_preview_options}; the answer is JSON, `{"ok":true,"result":…}` or
// `{"ok":false,"error_code":N,"description":"…"}` with the same HTTP status; 401/404 for a bad token, 403
// when the user blocked the bot, 400 for an unknown chat, 429 with `parameters.retry_after` when flooded.
//
// Security decisions: Telegram's servers read every bot message (bots get no end-to-end encryption), so
// the text is always lockScreenText's `private` line — never a command, a folder or any chat content — and
// carries no link (no link preview fetch either). The bot token is part of the URL: never logged.
import type { LockScreenText } from '../../core/notify/lockScreenText';
import { checkUrl, post } from './httpPost';
import { NotifyError } from './notifyError';

export const TELEGRAM_API = 'https://api.telegram.org';
/** "123456789:AA…" — the bot id, a colon, and the secret. */
const TOKEN = /^\d{3,20}:[A-Za-z0-9_-]{30,80}$/;

export interface TelegramSenderOptions {
  botToken: string;
  /** Tests point this at a local stub. */
  apiBase?: string;
  timeoutMs?: number;
}

export class TelegramSender {
  private readonly base: string;

  constructor(private readonly options: TelegramSenderOptions) {
    if (!TOKEN.test(options.botToken)) throw new NotifyError('NOTIFY_ERR_BAD_TARGET', 'that is not a Telegram bot token');
    this.base = (options.apiBase ?? TELEGRAM_API).replace(/\/+$/, '');
  }

  async send(chatId: number | string, text: LockScreenText): Promise<void> {
    const url = checkUrl(`${this.base}/bot${this.options.botToken}/sendMessage`);
    const body = JSON.stringify({ chat_id: chatId, text: text.line, link_preview_options: { is_disabled: true } });
    const result = await post(url, { headers: { 'Content-Type': 'application/json' }, body, timeoutMs: this.options.timeoutMs ?? 10_000 });
    let ok = false;
    try {
      ok = (JSON.parse(result.text) as { ok?: unknown }).ok === true;
    } catch {
      // not JSON: judged by the status alone
    }
    if (result.status >= 200 && result.status < 300 && ok) return;
    // The bot was blocked or removed from the chat: this target will not work again.
    if (result.status === 403) throw new NotifyError('NOTIFY_ERR_GONE', 'Telegram answered 403: the bot cannot write to this chat', 403);
    if (result.status === 429 || result.status >= 500) throw new NotifyError('NOTIFY_ERR_UNAVAILABLE', `Telegram answered ${result.status}`, result.status);
    throw new NotifyError('NOTIFY_ERR_REJECTED', `Telegram answered ${result.status}`, result.status);
  }
}
