// The device side of exactly-once chat delivery (docs/protocol.md §Sync), kept apart from the transport
// so it can be reasoned about alone. Per session it remembers the last chat seq delivered:
//  - a chat event is delivered only if it is the next one (seq = last + 1); seq <= last is a duplicate;
//  - a gap (seq > last + 1) is dropped and answered with `sync` from `last` (unless one is outstanding);
//    the host's answer resends everything after `last`, the dropped event included;
//  - after every (re)connect: `sync` for each known session, and for each session first heard of;
//  - a `chats` batch (feature `window`) is the same, event by event; its `base` moves the cursor forward past
//    history the host left out of the window, and an `older` batch (asked for with `history`) never moves it;
//  - prompts are held until the host echoes a `user` event with their clientId (or refuses them with an
//    `error` naming it), and resent after a reconnect: the host types each clientId at most once.
import type { DeviceMessage, HostMessage } from '../wire/protocol';

export type PromptMessage = DeviceMessage & { type: 'prompt' };

export const MAX_PENDING_PROMPTS = 100;
const MAX_SESSIONS = 256;

export class ChatCursor {
  private readonly sessions = new Map<string, number>();
  private readonly syncRequested = new Set<string>();
  private readonly syncOutstanding = new Set<string>();
  private readonly pending = new Map<string, PromptMessage>();

  /** Last delivered chat seq per known session. */
  get lastSeqs(): ReadonlyMap<string, number> {
    return new Map(this.sessions);
  }

  get pendingPromptCount(): number {
    return this.pending.size;
  }

  /** Holds a prompt until the host echoes it. False when too many are pending already. */
  hold(prompt: PromptMessage): boolean {
    if (!this.pending.has(prompt.clientId) && this.pending.size >= MAX_PENDING_PROMPTS) return false;
    this.pending.set(prompt.clientId, prompt);
    return true;
  }

  /** A connection came up: what to send first (a sync per known session, then every pending prompt). */
  connected(): DeviceMessage[] {
    this.syncRequested.clear();
    this.syncOutstanding.clear();
    const out: DeviceMessage[] = [];
    for (const session of [...this.sessions.keys()]) out.push(this.sync(session));
    out.push(...this.pending.values());
    return out;
  }

  /**
   * A host message arrived: whether to pass it on, and what to send in answer. `message`, when present, is
   * what to pass on instead (a `chats` batch without the events already delivered).
   */
  receive(m: HostMessage): { deliver: boolean; send: DeviceMessage[]; message?: HostMessage } {
    const send: DeviceMessage[] = [];
    switch (m.type) {
      case 'hello':
        for (const s of m.sessions) this.learn(s.id, send);
        break;
      case 'session':
        this.learn(m.session.id, send);
        break;
      case 'synced':
        this.syncOutstanding.delete(m.session);
        break;
      case 'error':
        // The host refused a prompt for good (ended session…): stop resending it.
        if (m.ref) this.pending.delete(m.ref);
        break;
      case 'chats': {
        // Older history (asked for with `history`) sits before what is held: it never moves the cursor.
        if (m.older) break;
        if (!this.sessions.has(m.session)) this.remember(m.session);
        let last = this.sessions.get(m.session)!;
        // Feature `window`: the host left events up to `base` out of this sync; continue after them.
        if (m.base !== undefined && m.base > last) last = m.base;
        const events = [];
        for (const e of m.events) {
          if (e.event.kind === 'user' && e.event.clientId) this.pending.delete(e.event.clientId);
          if (e.seq <= last) continue;
          if (e.seq !== last + 1) {
            this.sessions.set(m.session, last);
            if (!this.syncOutstanding.has(m.session)) send.push(this.sync(m.session));
            break;
          }
          events.push(e);
          last = e.seq;
        }
        this.sessions.set(m.session, last);
        if (!events.length && m.base === undefined) return { deliver: false, send };
        return { deliver: true, send, message: { ...m, events } };
      }
      case 'chat': {
        if (m.event.kind === 'user' && m.event.clientId) this.pending.delete(m.event.clientId);
        if (!this.sessions.has(m.session)) this.remember(m.session);
        const last = this.sessions.get(m.session)!;
        if (m.seq <= last) return { deliver: false, send };
        if (m.seq !== last + 1) {
          if (!this.syncOutstanding.has(m.session)) send.push(this.sync(m.session));
          return { deliver: false, send };
        }
        this.sessions.set(m.session, m.seq);
        break;
      }
    }
    return { deliver: true, send };
  }

  private learn(session: string, send: DeviceMessage[]): void {
    if (!this.sessions.has(session)) this.remember(session);
    if (!this.syncRequested.has(session)) send.push(this.sync(session));
  }

  private remember(session: string): void {
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(session, 0);
  }

  private sync(session: string): DeviceMessage {
    this.syncRequested.add(session);
    this.syncOutstanding.add(session);
    return { type: 'sync', session, after: this.sessions.get(session) ?? 0 };
  }
}
