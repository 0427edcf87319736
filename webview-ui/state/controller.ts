// Wires a Transport to the Store and gives the views their actions: prompt, interrupt, decide. Unless the
// transport does it itself (the bridge client), on every `hello` (a fresh connection) it asks the host to
// resync each session from the last seq held here and resends the prompts the host has not echoed yet
// (their clientId makes them land exactly once).
import type { Clock } from '../../src/core/base/clock';
import { bytesToHex } from '../../src/core/base/bytes';
import { type Disposable, DisposableStore } from '../../src/core/base/dispose';
import { Emitter } from '../../src/core/base/event';
import type { DeviceNotifySettings } from '../../src/core/wire/notifySettings';
import type { Decision, DeviceMessage, HostMessage } from '../../src/core/wire/protocol';
import { MAX_DENY_MESSAGE_CHARS, MAX_PROMPT_CHARS } from './limits';
import { Store } from './store';
import type { Transport } from '../transport/transport';

/** A fresh random prompt id (crypto randomness: the page may run without WebCrypto's subtle API, not without this). */
/** Events asked for per `history` request when the user scrolls up. */
export const HISTORY_PAGE = 200;

export function newClientId(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
}

export interface NotifyConfig {
  settings: DeviceNotifySettings;
  vapidPublicKey?: string;
  /** The host has a Telegram bot this device may use. */
  telegram?: boolean;
}

export class Controller implements Disposable {
  readonly store: Store;
  private readonly appVouched = new Emitter<string>();
  /** The host vouched for a web app bundle (feature `appPin`): its manifest's base64url SHA-256. */
  readonly onAppVouched = this.appVouched.event;
  private readonly notifyEmitter = new Emitter<NotifyConfig>();
  /** This device's notification settings as the host keeps them (feature `notify`), on each change. */
  readonly onNotifyConfig = this.notifyEmitter.event;
  /** The last settings the host sent; undefined until then (or for a host without the feature). */
  notifyConfig: NotifyConfig | undefined;
  private readonly subscriptions = new DisposableStore();
  /** Prompts the transport neither sent nor kept (it was not ready): sent again on the next hello. */
  private readonly unsent = new Set<string>();
  /**
   * Sessions with a sync out and no `synced` yet, so the `hello` that answers ours (it has `features`)
   * asks no second sync of the same history.
   */
  private readonly syncing = new Set<string>();
  /** Sessions with a `history` request out. */
  private readonly historyOut = new Set<string>();

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
  ) {
    this.store = new Store(clock, transport.state);
    this.subscriptions.add(
      transport.onState((s) => {
        if (s.state !== 'online') this.historyOut.clear();
        this.store.setConn(s);
      }),
      transport.onMessage((m) => this.onHostMessage(m)),
    );
  }

  private onHostMessage(m: HostMessage): void {
    this.store.apply(m);
    if (m.type === 'app') this.appVouched.fire(m.sha256);
    if (m.type === 'notify') {
      this.notifyConfig = { settings: m.settings, vapidPublicKey: m.vapidPublicKey, telegram: m.telegram === true };
      this.notifyEmitter.fire(this.notifyConfig);
    }
    if (m.type === 'synced') this.syncing.delete(m.session);
    if (m.type === 'chats' && m.older) this.historyOut.delete(m.session);
    if (m.type === 'error' && m.ref) this.historyOut.delete(m.ref);
    if (m.type !== 'hello') return;
    const resyncs = this.transport.resyncs;
    if (!resyncs) {
      // A hello without features greets a fresh connection: everything is asked again.
      if (!m.features) this.syncing.clear();
      for (const s of m.sessions) {
        if (this.syncing.has(s.id)) continue;
        if (this.send({ type: 'sync', session: s.id, after: this.store.lastSeq(s.id) })) this.syncing.add(s.id);
      }
    }
    for (const [session, box] of Object.entries(this.store.state.outbox)) {
      for (const p of box) if (!resyncs || this.unsent.has(p.clientId)) this.sendPrompt(session, p.text, p.clientId);
    }
  }

  private sendPrompt(session: string, text: string, clientId: string): void {
    if (this.send({ type: 'prompt', session, text, clientId })) this.unsent.delete(clientId);
    else this.unsent.add(clientId);
  }

  /** Queues and sends a prompt to the active session; false when there is nothing to send it to. */
  prompt(text: string): boolean {
    const session = this.store.state.active;
    if (!session || !text.trim() || text.length > MAX_PROMPT_CHARS) return false;
    const clientId = newClientId();
    this.store.addPrompt(session, { clientId, text, at: this.clock.now() });
    this.sendPrompt(session, text, clientId);
    return true;
  }

  /** Feature `sessions`: starts a session in an allowed folder with a first prompt. */
  startSession(folder: string, prompt: string): boolean {
    if (!prompt.trim() || prompt.length > MAX_PROMPT_CHARS) return false;
    if (this.send({ type: 'startSession', folder, prompt, clientId: newClientId() })) return true;
    this.store.notify('Not connected: the session was not started.', 'error');
    return false;
  }

  /** Feature `sessions`: resumes the agent's past session `id` in `folder`. */
  resumeSession(folder: string, id: string): void {
    if (!this.send({ type: 'startSession', folder, resume: id, clientId: newClientId() })) this.store.notify('Not connected: the session was not resumed.', 'error');
  }

  /** Feature `sessions`: asks for the agent's past sessions in `folder`. */
  listPast(folder: string): void {
    this.send({ type: 'listPast', folder });
  }

  /** Feature `sessions`: ends the active session (the view asks for a confirmation first). */
  stopSession(): void {
    const session = this.store.state.active;
    if (session && !this.send({ type: 'stopSession', session })) this.store.notify('Not connected: the session was not stopped.', 'error');
  }

  /** Feature `sessions`: takes an ended session off the list. */
  clearSession(session: string): void {
    this.send({ type: 'clearSession', session });
  }

  /** True where there is a link to retry (the phone's relay channel; not the VS Code panel). */
  get canReconnect(): boolean {
    return this.transport.reconnectNow !== undefined;
  }

  /** "Reconnect", or the network came back / the page was shown again: the transport tries at once. */
  reconnect(): void {
    this.transport.reconnectNow?.();
  }

  /**
   * The user scrolled to the top of a session the host holds older events of (feature `window`): asks for
   * the page before the oldest one held. At most one request per session is out at a time.
   */
  loadOlder(session: string): void {
    if (!this.store.state.older[session] || this.historyOut.has(session)) return;
    const first = this.store.state.chats[session]?.[0]?.seq;
    if (first === undefined) return;
    if (this.send({ type: 'history', session, before: first, limit: HISTORY_PAGE })) this.historyOut.add(session);
  }

  interrupt(): void {
    const session = this.store.state.active;
    if (session && !this.send({ type: 'interrupt', session })) this.store.notify('Not connected: Stop was not sent.', 'error');
  }

  /**
   * Sends a decision naming the exact input hash the card showed, so the host can refuse it if the
   * request changed underneath. Refused here when the card has expired or a decision is already out.
   */
  decide(id: string, decision: Decision, message?: string): void {
    const pending = this.store.state.approvals.find((a) => a.request.id === id);
    if (!pending || pending.sent || this.clock.now() >= pending.deadline) return;
    const text = message?.trim().slice(0, MAX_DENY_MESSAGE_CHARS);
    if (this.send({ type: 'decide', id, inputHash: pending.request.inputHash, decision, ...(text ? { message: text } : {}) })) {
      this.store.markSent(id, decision);
    } else {
      this.store.notify('Not connected: the decision was not sent.', 'error');
    }
  }

  /** Asks the host to keep new notification settings for this device; false when not connected. */
  setNotifySettings(settings: DeviceNotifySettings): boolean {
    return this.send({ type: 'notify', settings });
  }

  /** Feature `schedules`: asks for the listing (answered, then kept up to date, by `schedules` messages). */
  askSchedules(): void {
    if (this.store.state.features.has('schedules')) this.send({ type: 'schedules' });
  }

  /** Feature `schedules`: saves a schedule (the host checks it and answers `scheduleSaved` or an error). */
  saveSchedule(schedule: unknown, force = false): boolean {
    if (!this.store.state.features.has('schedules')) return false;
    const ok = this.send({ type: 'scheduleSave', ref: newClientId(), schedule, ...(force ? { force } : {}) });
    if (!ok) this.store.notify('Not connected: the schedule was not saved.', 'error');
    return ok;
  }

  /** Feature `schedules`: run now, delete a schedule, or cancel a loop. */
  scheduleAction(type: 'scheduleRunNow' | 'scheduleDelete' | 'loopCancel', id: string): void {
    if (!this.store.state.features.has('schedules')) return;
    if (!this.send({ type, id })) this.store.notify('Not connected: try again when online.', 'error');
  }

  /**
   * Prompts always go to the transport (the channel keeps them while offline; otherwise they wait in the
   * outbox for the next hello). Anything else is sent only while online.
   */
  private send(m: DeviceMessage): boolean {
    if (m.type !== 'prompt' && this.transport.state.state !== 'online') return false;
    return this.transport.send(m);
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.appVouched.dispose();
    this.notifyEmitter.dispose();
    this.transport.dispose();
  }
}
