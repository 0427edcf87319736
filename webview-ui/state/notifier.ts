// Tells the user when they are needed: a count of pending approvals in the page title ("(2) Walkie"),
// a vibration and a system notification when an approval arrives or the agent finishes.
//
// Security/privacy: a notification shows on the lock screen, so it names the tool and the session only,
// never the command, the file or the agent's text. Permission is asked only from a user gesture
// (requestPermission below is wired to a button) and only where the origin allows notifications at all
// (a secure context: not on a plain-http LAN origin).
import type { Disposable } from '../../src/core/base/dispose';
import type { Attention, Store, UiState } from './store';

const BASE_TITLE = 'Walkie';

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && 'Notification' in window;
}

export function notificationsNeedPermission(): boolean {
  return notificationsSupported() && Notification.permission === 'default';
}

export async function requestNotificationPermission(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  try {
    return (await Notification.requestPermission()) === 'granted';
  } catch {
    return false;
  }
}

export class Notifier implements Disposable {
  private readonly subs: Disposable[];
  private lastCount = -1;

  constructor(
    private readonly store: Store,
    private readonly doc: Document,
    private readonly useSystemNotifications: boolean,
    /** True while Web Push is on for this device: the service worker shows notifications instead. */
    private readonly pushIsOn: () => boolean = () => false,
  ) {
    this.subs = [store.onChange((s) => this.updateTitle(s)), store.onAttention((a) => this.alert(a))];
    this.updateTitle(store.state);
  }

  private updateTitle(s: UiState): void {
    const n = s.approvals.length;
    if (n === this.lastCount) return;
    this.lastCount = n;
    this.doc.title = n > 0 ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
  }

  private alert(a: Attention): void {
    try {
      navigator.vibrate?.(a.kind === 'approval' ? [120, 80, 120] : 80);
    } catch {
      // vibrate needs a prior user gesture on some browsers: best effort
    }
    if (!this.useSystemNotifications || this.pushIsOn() || !notificationsSupported() || Notification.permission !== 'granted') return;
    if (!this.doc.hidden && this.doc.hasFocus()) return;
    const sessionTitle = a.kind === 'approval' ? this.store.state.sessions.find((s) => s.id === a.request.session)?.title : a.session.title;
    const title = a.kind === 'approval' ? `Approval needed: ${a.request.tool}` : 'The agent has finished';
    try {
      const n = new Notification(title, { body: sessionTitle ?? '', tag: a.kind === 'approval' ? `approval-${a.request.id}` : `idle-${a.session.id}` });
      n.onclick = () => {
        window.focus();
        n.close();
      };
    } catch {
      // Some mobile browsers only allow notifications from a service worker: the title count remains.
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
