// Decides who gets which notification, and when (issue 12): events in (an approval opened, resolved or
// about to expire, a turn finished, a session ended), sends out through the Web Push, ntfy and Telegram
// senders, with the words from lockScreenText and each device's settings.
//
// Rules:
//  - One notification per session while approvals wait: every new card updates it (same tag/Topic); only
//    the first card of a quiet session alerts again (`renotify`). ntfy and Telegram cannot replace a shown
//    message, so they get only the first card, the reminder and the turn/session events.
//  - A reminder `expiryWarningMs` before an approval expires (at most one per session per window).
//  - Nothing while the user is at the computer (`presence()`), unless the device asked (`whenPresent`).
//  - A resolved approval sends nothing (a push the phone must show just to clear one would be noise; the
//    app clears its notifications when it syncs).
//  - A target reported gone (404/410 from a push service, 403 from Telegram) is skipped from then on and
//    reported through onTargetGone, so the owner drops it from the registry.
// Time comes from the injected Clock; sends are fire-and-forget (idle() waits for them).
import type { Clock, TimerHandle } from '../../core/base/clock';
import type { Disposable } from '../../core/base/dispose';
import { nullLogger, type Logger } from '../../core/base/logger';
import { lockScreenText, type LockScreenInput, type NotifyKind } from '../../core/notify/lockScreenText';
import type { DeviceNotifySettings, NotifyTarget } from '../../core/wire/notifySettings';
import { pushPayload } from '../../core/notify/pushPayload';
import type { NtfySender } from './ntfySender';
import { NotifyError } from './notifyError';
import type { TelegramSender } from './telegramSender';
import type { WebPushSender } from './webPushSender';

export interface NotifyDevice {
  id: string;
  settings: DeviceNotifySettings;
}

/** The fields of a protocol ApprovalRequest the notifier uses (never the input or the detail). */
export interface ApprovalEvent {
  id: string;
  session: string;
  cwd: string;
  summary: string;
  expiresAt: number;
}

export interface NotifierOptions {
  clock: Clock;
  logger?: Logger;
  /** The paired devices and their settings, read at each send (the registry owns them). */
  devices: () => readonly NotifyDevice[];
  /** True while the user is at the computer: a focused VS Code window, recent typing in the terminal. */
  presence: () => boolean;
  webPush?: Pick<WebPushSender, 'send'>;
  ntfy?: Pick<NtfySender, 'send'>;
  telegram?: Pick<TelegramSender, 'send'>;
  /** The app's address, opened by a tapped ntfy notification (no secrets in it: ntfy's server sees it). */
  appUrl?: string;
  /** How long before expiry the reminder goes out (default 5 minutes). */
  expiryWarningMs?: number;
  onTargetGone?: (deviceId: string, target: NotifyTarget) => void;
}

export const DEFAULT_EXPIRY_WARNING_MS = 5 * 60_000;
/** How long a push service keeps an undelivered turn/session notification. */
const EVENT_TTL_S = 60 * 60;

interface Pending {
  summary: string;
  expiresAt: number;
  timer?: TimerHandle;
}
interface SessionState {
  cwd: string;
  pending: Map<string, Pending>;
  lastReminderAt?: number;
}
interface Send {
  kind: NotifyKind;
  session: string;
  cwd: string;
  approval?: string;
  summary?: string;
  waiting?: number;
  expiresAt?: number;
  /** Alert again; for ntfy/Telegram: send at all. */
  alert: boolean;
}

export class Notifier implements Disposable {
  private readonly sessions = new Map<string, SessionState>();
  private readonly gone = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly logger: Logger;
  private readonly warningMs: number;
  private disposed = false;

  constructor(private readonly options: NotifierOptions) {
    this.logger = options.logger ?? nullLogger;
    this.warningMs = options.expiryWarningMs ?? DEFAULT_EXPIRY_WARNING_MS;
  }

  approvalOpened(request: ApprovalEvent): void {
    if (this.disposed) return;
    const state = this.session(request.session, request.cwd);
    const first = state.pending.size === 0;
    const pending: Pending = { summary: request.summary, expiresAt: request.expiresAt };
    const remindIn = request.expiresAt - this.warningMs - this.options.clock.now();
    if (remindIn > 0) pending.timer = this.options.clock.setTimeout(() => this.remind(request.session, request.id), remindIn);
    state.pending.set(request.id, pending);
    this.dispatch({ kind: 'approval-waiting', session: request.session, cwd: state.cwd, approval: request.id, summary: request.summary, waiting: state.pending.size, expiresAt: request.expiresAt, alert: first });
  }

  approvalResolved(request: { id: string; session: string }): void {
    const state = this.sessions.get(request.session);
    const pending = state?.pending.get(request.id);
    if (!state || !pending) return;
    if (pending.timer) this.options.clock.clearTimeout(pending.timer);
    state.pending.delete(request.id);
  }

  turnFinished(event: { session: string; cwd: string }): void {
    if (this.disposed) return;
    this.dispatch({ kind: 'turn-finished', session: event.session, cwd: event.cwd, alert: true });
  }

  sessionEnded(event: { session: string; cwd: string; failed?: boolean }): void {
    if (this.disposed) return;
    this.forget(event.session);
    this.dispatch({ kind: event.failed ? 'session-failed' : 'session-ended', session: event.session, cwd: event.cwd, alert: true });
  }

  /** Settles when every send started so far has finished (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  dispose(): void {
    this.disposed = true;
    for (const session of [...this.sessions.keys()]) this.forget(session);
  }

  private session(id: string, cwd: string): SessionState {
    let state = this.sessions.get(id);
    if (!state) this.sessions.set(id, (state = { cwd, pending: new Map() }));
    return state;
  }

  private forget(session: string): void {
    const state = this.sessions.get(session);
    if (!state) return;
    for (const p of state.pending.values()) if (p.timer) this.options.clock.clearTimeout(p.timer);
    this.sessions.delete(session);
  }

  private remind(session: string, id: string): void {
    const state = this.sessions.get(session);
    const pending = state?.pending.get(id);
    if (!state || !pending || this.disposed) return;
    pending.timer = undefined;
    const now = this.options.clock.now();
    // Several cards expiring together: one reminder per session per warning window.
    if (state.lastReminderAt !== undefined && now - state.lastReminderAt < this.warningMs) return;
    state.lastReminderAt = now;
    this.dispatch({ kind: 'approval-expiring', session, cwd: state.cwd, approval: id, summary: pending.summary, waiting: state.pending.size, expiresAt: pending.expiresAt, alert: true });
  }

  private wants(settings: DeviceNotifySettings, kind: NotifyKind): boolean {
    if (kind === 'turn-finished') return settings.turnFinished;
    if (kind === 'session-ended' || kind === 'session-failed') return settings.sessionEnded;
    return true;
  }

  private dispatch(send: Send): void {
    const present = this.options.presence();
    const now = this.options.clock.now();
    const input: LockScreenInput = { kind: send.kind, session: send.session, cwd: send.cwd, waiting: send.waiting, summary: send.summary, expiresInMs: send.expiresAt !== undefined ? send.expiresAt - now : undefined };
    const approvalKind = send.kind === 'approval-waiting' || send.kind === 'approval-expiring';
    for (const device of this.options.devices()) {
      if (present && !device.settings.whenPresent) continue;
      if (!this.wants(device.settings, send.kind)) continue;
      for (const target of device.settings.targets) {
        const key = `${device.id}\0${targetKey(target)}`;
        if (this.gone.has(key)) continue;
        let job: Promise<void> | undefined;
        if (target.kind === 'webpush' && this.options.webPush) {
          const text = lockScreenText(input, device.settings.privacy);
          const payload = pushPayload(send.kind, text, { session: send.session, approval: send.approval }, send.alert, now);
          // An approval push is useless once the approval expired: the push service may drop it then.
          const ttlSeconds = approvalKind && send.expiresAt !== undefined ? Math.max(60, Math.ceil((send.expiresAt - now) / 1000)) : EVENT_TTL_S;
          job = this.options.webPush.send(target.subscription, payload, { urgency: approvalKind ? 'high' : 'normal', ttlSeconds });
        } else if (send.alert && target.kind === 'ntfy' && this.options.ntfy) {
          // Security decision: third-party servers read these, so always the `private` text.
          const text = lockScreenText(input, 'private');
          job = this.options.ntfy.send({ topicUrl: target.topicUrl, token: target.token }, { text, priority: approvalKind ? 'high' : 'default', clickUrl: this.options.appUrl });
        } else if (send.alert && target.kind === 'telegram' && this.options.telegram) {
          job = this.options.telegram.send(target.chatId, lockScreenText(input, 'private'));
        }
        if (job) this.track(job, device.id, target, key);
      }
    }
  }

  private track(job: Promise<void>, deviceId: string, target: NotifyTarget, key: string): void {
    const done: Promise<void> = job
      .catch((e: unknown) => {
        const code = e instanceof NotifyError ? e.code : 'NOTIFY_ERR_UNAVAILABLE';
        // Never the endpoint, topic, token or text: the kind of target and the code.
        this.logger.warn(`notify: ${target.kind} for device ${deviceId} failed: ${code}`);
        if (code === 'NOTIFY_ERR_GONE' && !this.gone.has(key)) {
          this.gone.add(key);
          try {
            this.options.onTargetGone?.(deviceId, target);
          } catch {
            this.logger.warn('notify: onTargetGone threw');
          }
        }
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}

function targetKey(target: NotifyTarget): string {
  if (target.kind === 'webpush') return `webpush\0${target.subscription.endpoint}`;
  if (target.kind === 'ntfy') return `ntfy\0${target.topicUrl}`;
  return `telegram\0${String(target.chatId)}`;
}
