// The host's application logic: it joins agent sessions, the approval broker and every connected peer
// (paired devices through the encrypted bridge, and the VS Code panel through postMessage) with the
// protocol of src/core/wire/protocol.ts. Transport-free; its one timer (pacing v1 peers) takes a Clock.
//
// Guarantees kept here (docs/protocol.md):
//  - A peer that (re)connects gets `hello`; it then asks `sync` per session and receives every chat event
//    after its last sequence number, then every still-pending approval of that session, then `synced`.
//  - A peer that sends its own `hello` gets `hello` again, with this host's features; from then on it gets
//    the fields of the features both listed. A peer that never does is a v1 peer and gets only v1 shapes
//    (src/core/wire/forPeer.ts): older pages parse strictly and would close on anything new. The sync of a
//    peer without feature `window` is the newest LEGACY_SYNC_TAIL events, renumbered to follow its cursor
//    and paced (src/core/host/legacySync.ts); a peer with `window` gets the windowed sync instead.
//  - A prompt goes to its session, whose prompt ledger types each clientId into the agent once, however often
//    a device resends it (SessionHandle.prompt).
//  - A decision must name the request id AND its input hash; the first decision wins (ApprovalBroker).
//  - Feature `sessions`: the session list (with pending approvals and last activity) goes to the peers that
//    agreed to it, on request and on every change; starting, resuming, stopping and clearing sessions go to
//    the SessionControl (src/core/host/sessionControl.ts), and without one they are refused.
import type { ApprovalBroker } from '../approvals/approvalBroker';
import type { ChatEntry, ChatLog } from './chatLog';
import { type Disposable, disposeAll } from '../base/dispose';
import type { Event } from '../base/event';
import { nullLogger, type Logger } from '../base/logger';
import type { Author } from '../wire/author';
import { agreedFeatures, WIRE_FEATURES, type WireFeature } from '../wire/features';
import { forPeer } from '../wire/forPeer';
import type { DeviceNotifySettings } from '../wire/notifySettings';
import type { DeviceMessage, HostMessage, SessionInfo, SessionSummary } from '../wire/protocol';
import { SessionControlError, type SessionControl } from './sessionControl';
import { MAX_BATCH_EVENTS, PROTOCOL_VERSION } from '../wire/protocol';
import { WIRE_ERROR_CODES, type WireErrorCode } from '../wire/wireErrorCodes';
import type { DeskResult, ScheduleDesk } from './scheduleDesk';
import { systemClock, type Clock } from '../base/clock';
import { LegacySync } from './legacySync';

/** What HostService needs of one running agent session (src/node/sessions/agentSession.ts implements it). */
export interface SessionHandle {
  readonly id: string;
  info(): SessionInfo;
  readonly onInfo: Event<SessionInfo>;
  readonly chat: ChatLog;
  /**
   * Types a prompt into the agent. Exactly once per clientId: a repeat (a device resending after a
   * reconnect) is not typed again; while the first is pending it gets the first one's outcome.
   */
  prompt(text: string, clientId: string): void | Promise<void>;
  /** Interrupts the agent's current turn (Esc). */
  interrupt(): void;
  /** Ends the session (a wrapped agent exits; an attached one is no longer followed); resolves once it has. */
  stop(): Promise<void>;
}

/** One connected surface: a paired device, or the VS Code panel. */
export interface Peer {
  readonly id: string;
  /** The device's name (for logs). */
  readonly name: string;
  /** Who this peer's decisions are by; a device named `name` when absent. */
  readonly author?: Author;
  send(message: HostMessage): void;
}

/** A paired device's notification settings, as the host keeps them (the device registry). */
export interface NotifySettingsHost {
  /** This peer's settings and the host's VAPID key; undefined for a peer that is not a paired device. */
  config(peerId: string): { settings: DeviceNotifySettings; vapidPublicKey?: string; telegram?: boolean } | undefined;
  /** Keeps new settings for this peer; a sentence for the device when they cannot be kept. */
  update(peerId: string, settings: DeviceNotifySettings): string | undefined;
}

interface PeerState {
  readonly peer: Peer;
  /** The features agreed with this peer; undefined until it sends `hello` (a v1 peer). */
  features: ReadonlySet<WireFeature> | undefined;
}

/** Feature `window`: a sync sends at most this many of the newest events; older ones come on demand. */
export const SYNC_WINDOW = 200;
/** Bytes of events in one `chats` batch: well inside one encrypted frame (64 KiB) with JSON overhead. */
export const BATCH_BYTES = 40 * 1024;

/** The encoded size of one event (UTF-8 upper bound: 3 bytes per UTF-16 unit of its text is safe). */
function entrySize(e: ChatEntry): number {
  const json = JSON.stringify(e);
  // Fast path: pure ASCII is one byte a character; otherwise assume the worst case.
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(json) ? json.length : json.length * 3;
}

export interface PeerConnection extends Disposable {
  receive(message: DeviceMessage): void;
}


export class HostService implements Disposable {
  private readonly sessions = new Map<string, { handle: SessionHandle; subs: Disposable[] }>();
  private readonly peers = new Map<string, PeerState>();
  private readonly subs: Disposable[] = [];
  private readonly log: Logger;
  private desk: ScheduleDesk<SessionHandle> | undefined;
  private deskSub: Disposable | undefined;
  private control: SessionControl | undefined;
  /** v1 peers (no `hello`): a renumbered tail instead of the whole history, paced (legacySync.ts). */
  private readonly legacy: LegacySync;

  constructor(
    private readonly options: {
      hostName: string;
      broker: ApprovalBroker;
      logger?: Logger;
      /** What the host runs in ('vscode', 'cli'), said in `hello` to peers that agreed to `hostKind`. */
      hostKind?: string;
      /** The base64url SHA-256 of this host's web app manifest, when it has one (feature `appPin`). */
      appDigest?: () => string | undefined;
      /** Where devices reach this host now (feature `relay`): the relay URL of its public address. */
      relayUrl?: () => string | undefined;
      /** Where devices' notification settings live (feature `notify`); absent: this host does not notify. */
      notify?: NotifySettingsHost;
      /** Paces what v1 peers are sent (legacySync.ts); the system clock by default. */
      clock?: Clock;
    },
  ) {
    this.log = options.logger ?? nullLogger;
    this.legacy = new LegacySync(options.clock ?? systemClock, (e) => this.log.warn(`send to a v1 peer failed: ${e instanceof Error ? e.message : 'error'}`));
    const { broker } = options;
    this.subs.push(
      { dispose: () => this.deskSub?.dispose() },
      broker.onRequest((request) => {
        this.broadcast({ type: 'approval', request });
        this.listChanged();
      }),
      broker.onResolved(({ request, outcome }) => {
        this.broadcast({
          type: 'resolved',
          id: request.id,
          session: request.session,
          resolution: outcome.resolution,
          by: outcome.by,
          author: outcome.author,
          ...(outcome.message ? { message: outcome.message } : {}),
        });
        this.listChanged();
      }),
    );
  }

  /**
   * Serves the host's schedules and loops (feature `schedules`) and hands `/loop` prompts to them; undefined
   * stops. Set by the surface that runs the scheduler (src/node/schedule/hostSchedules.ts).
   */
  setScheduleDesk(desk: ScheduleDesk<SessionHandle> | undefined): void {
    this.deskSub?.dispose();
    this.desk = desk;
    this.deskSub = desk?.onChanged(() => this.broadcast({ type: 'schedules', listing: desk.listing() }));
  }

  /** Lets devices start, resume, stop and clear sessions (feature `sessions`); without one they are refused. */
  setSessionControl(control: SessionControl | undefined): void {
    this.control = control;
    this.listChanged();
  }

  /** The folders devices may start sessions in (none without a SessionControl). */
  folders(): readonly string[] {
    return this.control?.folders() ?? [];
  }

  /** Every served session with its pending approvals and last activity (feature `sessions`). */
  sessionList(): SessionSummary[] {
    return [...this.sessions.values()].map(({ handle }) => {
      const info = handle.info();
      const last = handle.chat.since(handle.chat.lastSeq - 1)[0]?.at ?? 0;
      return { ...info, pending: this.options.broker.pending(handle.id).length, lastActivity: Math.max(info.since, last) };
    });
  }

  get hostName(): string {
    return this.options.hostName;
  }

  sessionInfos(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => s.handle.info());
  }

  /**
   * Starts serving a session to every peer. Dispose to stop (the session itself is not stopped). Called by
   * the SessionManager (src/node/sessions/sessionManager.ts) only.
   */
  addSession(handle: SessionHandle): Disposable {
    const entry = { handle, subs: [] as Disposable[] };
    entry.subs.push(
      handle.onInfo((session) => {
        this.broadcast({ type: 'session', session });
        this.listChanged();
      }),
      handle.chat.onAppend((e) => this.broadcast({ type: 'chat', session: handle.id, seq: e.seq, at: e.at, event: e.event })),
    );
    this.sessions.set(handle.id, entry);
    this.broadcast({ type: 'session', session: handle.info() });
    this.listChanged();
    return {
      dispose: () => {
        if (this.sessions.get(handle.id) !== entry) return;
        this.sessions.delete(handle.id);
        disposeAll(entry.subs);
        this.listChanged();
      },
    };
  }

  /** A peer connected (or reconnected). It gets `hello` at once; its messages go to `receive`. */
  connect(peer: Peer): PeerConnection {
    const state: PeerState = { peer, features: undefined };
    this.peers.set(peer.id, state);
    this.hello(state);
    return {
      receive: (message) => this.receive(state, message),
      dispose: () => {
        if (this.peers.get(peer.id) === state) this.peers.delete(peer.id);
        this.legacy.forget(peer);
      },
    };
  }

  /** The features agreed with a peer (undefined: a v1 peer, or none connected under that id). */
  featuresOf(peerId: string): ReadonlySet<WireFeature> | undefined {
    return this.peers.get(peerId)?.features;
  }

  /**
   * Security: tells a phone which web app this host vouches for, over the encrypted channel — so neither
   * the relay nor the network path can get a changed app activated on a paired phone (SECURITY.md).
   */
  private vouchApp(state: PeerState): void {
    if (!state.features?.has('appPin')) return;
    const sha256 = this.options.appDigest?.();
    if (sha256) this.safeSend(state, { type: 'app', sha256 });
  }

  /** Tells every connected device where to reach this host from now on (its public address changed). */
  announceRelay(): void {
    for (const state of this.peers.values()) this.sendRelay(state);
  }

  private sendRelay(state: PeerState): void {
    if (!state.features?.has('relay')) return;
    const url = this.options.relayUrl?.();
    if (url) this.safeSend(state, { type: 'relay', url });
  }

  private sendNotifyConfig(state: PeerState): void {
    if (!state.features?.has('notify')) return;
    const config = this.options.notify?.config(state.peer.id);
    if (config) this.safeSend(state, { type: 'notify', ...config });
  }

  private hello(state: PeerState): void {
    // A hello lists at most 64 sessions (protocol cap): every live one, then the latest ended ones.
    const all = this.sessionInfos();
    const live = all.filter((i) => i.status !== 'ended');
    const sessions = [...all.filter((i) => i.status === 'ended').slice(-Math.max(0, 64 - live.length)), ...live].slice(-64);
    const kind = this.options.hostKind;
    this.safeSend(state, { type: 'hello', v: PROTOCOL_VERSION, hostName: this.options.hostName, sessions, features: [...WIRE_FEATURES], ...(kind ? { hostKind: kind } : {}) });
  }

  get peerCount(): number {
    return this.peers.size;
  }

  private receive(state: PeerState, message: DeviceMessage): void {
    const { peer } = state;
    switch (message.type) {
      case 'hello':
        // Negotiation happens once per connection: a repeated hello is ignored, so a peer cannot make the
        // host resend the whole session list over and over. Names this build does not know are ignored.
        if (state.features) return this.log.debug(`peer ${peer.id}: a second hello ignored`);
        state.features = agreedFeatures(message.features);
        this.hello(state);
        this.vouchApp(state);
        this.sendRelay(state);
        this.sendNotifyConfig(state);
        if (state.features.has('sessions')) this.sendList(state);
        return;
      case 'sync':
        return this.sync(state, message.session, message.after);
      case 'history': {
        const s = this.sessions.get(message.session);
        if (!s || !state.features?.has('window')) return this.error(state, 'HOST_ERR_NO_SESSION', undefined, message.session);
        const events = s.handle.chat.before(message.before, message.limit);
        const more = events.length > 0 && events[0]!.seq > s.handle.chat.firstSeq;
        this.sendBatches(state, message.session, events, { older: true, more });
        if (!events.length) this.safeSend(state, { type: 'chats', session: message.session, events: [], older: true, more: false });
        return;
      }
      case 'ping':
        // Answered by the bridge itself (src/core/bridge/bridgeHost.ts); a peer without a bridge gets it here.
        return this.safeSend(state, { type: 'pong', n: message.n });
      case 'prompt': {
        const s = this.sessions.get(message.session);
        if (!s) return this.error(state, 'HOST_ERR_NO_SESSION', undefined, message.clientId);
        if (s.handle.info().status === 'ended') return this.error(state, 'HOST_ERR_SESSION_ENDED', undefined, message.clientId);
        // Walkie's own /loop is handled here, before the agent's prompt rules: the agent never receives it.
        if (this.desk?.handlePrompt(s.handle, message.text, message.clientId)) return;
        // Exactly once is the session's job (its prompt ledger): a device resends unacknowledged prompts
        // after a reconnect, and a repeated clientId is handed to the agent at most once.
        Promise.resolve(s.handle.prompt(message.text, message.clientId)).catch((e: unknown) => {
          // A refusal (a slash command from a device…) carries a message written for the device; other
          // failures stay generic.
          if (e instanceof Error && (e as { code?: unknown }).code === 'SESSION_ERR_PROMPT_REFUSED') {
            this.log.info(`prompt to session ${s.handle.id} refused`);
            return this.error(state, 'HOST_ERR_PROMPT_REFUSED', e.message, message.clientId);
          }
          this.log.warn(`prompt to session ${s.handle.id} failed: ${e instanceof Error ? e.message : 'error'}`);
          this.error(state, 'HOST_ERR_PROMPT_FAILED', undefined, message.clientId);
        });
        return;
      }
      case 'interrupt': {
        const s = this.sessions.get(message.session);
        if (!s) return this.error(state, 'HOST_ERR_NO_SESSION');
        s.handle.interrupt();
        return;
      }
      case 'listSessions':
        if (!state.features?.has('sessions')) return;
        return this.sendList(state);
      case 'listPast':
      case 'startSession':
      case 'stopSession':
      case 'clearSession':
        // Only for a peer that agreed to the feature (it then understands the answers).
        if (!state.features?.has('sessions')) return;
        return void this.runControl(state, message);
      case 'notify': {
        if (!state.features?.has('notify')) return;
        const why = this.options.notify ? this.options.notify.update(peer.id, message.settings) : 'this host sends no notifications';
        if (why !== undefined) return this.error(state, 'HOST_ERR_NOTIFY', why);
        return this.sendNotifyConfig(state);
      }
      case 'decide': {
        // Security: the author is who this connection is (the bridge authenticated the device key), never
        // anything the message says.
        const r = this.options.broker.decide(message.id, message.inputHash, message.decision, peer.author ?? { kind: 'device', name: peer.name }, message.message);
        if (!r.ok) this.error(state, r.code, r.message, message.id);
        return;
      }
      case 'schedules':
      case 'scheduleSave':
      case 'scheduleDelete':
      case 'scheduleRunNow':
      case 'loopCancel':
        return this.scheduleRequest(state, message);
    }
  }

  /** Feature `schedules`. A peer that did not agree to it gets nothing (it cannot know these messages). */
  private scheduleRequest(state: PeerState, message: Extract<DeviceMessage, { type: 'schedules' | 'scheduleSave' | 'scheduleDelete' | 'scheduleRunNow' | 'loopCancel' }>): void {
    if (!state.features?.has('schedules')) return this.log.debug(`peer ${state.peer.id}: '${message.type}' without the schedules feature ignored`);
    const desk = this.desk;
    if (!desk) return this.error(state, 'HOST_ERR_NO_SCHEDULES', undefined, 'ref' in message ? message.ref : 'id' in message ? message.id : undefined);
    const failed = <T>(r: DeskResult<T>, ref: string): r is Extract<DeskResult<T>, { ok: false }> => {
      if (!r.ok) this.error(state, r.code, r.message, ref);
      return !r.ok;
    };
    switch (message.type) {
      case 'schedules':
        return this.safeSend(state, { type: 'schedules', listing: desk.listing() });
      case 'scheduleSave': {
        const r = desk.save(message.schedule, message.force === true);
        if (!failed(r, message.ref)) this.safeSend(state, { type: 'scheduleSaved', ref: message.ref, schedule: r.value });
        return;
      }
      case 'scheduleDelete':
        return void failed(desk.remove(message.id), message.id);
      case 'scheduleRunNow':
        return void failed(desk.runNow(message.id), message.id);
      case 'loopCancel':
        return void failed(desk.cancelLoop(message.id), message.id);
    }
  }

  /** Runs one session request of a `sessions` peer; every failure becomes an `error` naming the request. */
  private async runControl(state: PeerState, message: Extract<DeviceMessage, { type: 'listPast' | 'startSession' | 'stopSession' | 'clearSession' }>): Promise<void> {
    const ref = message.type === 'startSession' ? message.clientId : message.type === 'listPast' ? undefined : message.session;
    const control = this.control;
    try {
      if (!control) throw new SessionControlError('HOST_ERR_UNSUPPORTED', 'This host does not start or stop sessions from a device.');
      switch (message.type) {
        case 'listPast':
          return this.safeSend(state, { type: 'pastSessions', folder: message.folder, sessions: (await control.listPast(message.folder)).slice(0, 100) });
        case 'startSession': {
          if (!message.prompt && !message.resume) throw new SessionControlError('HOST_ERR_START_FAILED', 'A new session needs a first prompt.');
          const session = await control.start({ folder: message.folder, prompt: message.prompt, resume: message.resume });
          return this.safeSend(state, { type: 'sessionStarted', ref: message.clientId, session });
        }
        case 'stopSession':
          return await control.stop(message.session);
        case 'clearSession':
          return control.clear(message.session);
      }
    } catch (e) {
      // A SessionControlError's message is written for the device; anything else stays generic.
      if (e instanceof SessionControlError) return this.error(state, e.code, e.message.slice(0, 300), ref);
      this.log.warn(`${message.type} failed: ${e instanceof Error ? e.message : 'error'}`);
      this.error(state, message.type === 'startSession' ? 'HOST_ERR_START_FAILED' : 'HOST_ERR_UNSUPPORTED', undefined, ref);
    }
  }

  private sendList(state: PeerState): void {
    this.safeSend(state, { type: 'sessionList', sessions: this.sessionList().slice(-256), folders: [...(this.control?.folders() ?? [])].slice(0, 64) });
  }

  /** The session list changed: every `sessions` peer gets it again. */
  private listChanged(): void {
    for (const peer of this.peers.values()) if (peer.features?.has('sessions')) this.sendList(peer);
  }

  private sync(peer: PeerState, sessionId: string, after: number): void {
    const s = this.sessions.get(sessionId);
    if (!s && peer.features?.has('sessions')) {
      // A session this host does not know (cleared, or lost with a host that kept no history): the device
      // gets a state it can show — an ended session with no chat — rather than a raw error.
      this.safeSend(peer, { type: 'session', session: { id: sessionId, title: 'No longer on this computer', agent: '', cwd: '', status: 'ended', since: 0, lastSeq: 0 } });
      return this.safeSend(peer, { type: 'synced', session: sessionId, seq: 0 });
    }
    if (!s) return this.error(peer, 'HOST_ERR_NO_SESSION', undefined, sessionId);
    // A peer without feature `window` (v1, or a page from before it) numbers events its own way once it was
    // given a tail (legacySync.ts): its `after` is mapped.
    const legacy = !peer.features?.has('window');
    const realAfter = legacy ? this.legacy.realAfter(peer.peer.id, sessionId, after) : after;
    const events = s.handle.chat.since(realAfter);
    // Chosen before anything is sent, so everything of this sync is numbered the same way.
    const tail = legacy ? this.legacy.tail(peer.peer.id, sessionId, realAfter, events) : [];
    this.safeSend(peer, { type: 'session', session: s.handle.info() });
    if (peer.features?.has('window')) {
      // Windowed: only the last SYNC_WINDOW events, batched, so a sync costs a few frames however long the
      // session and however many devices sync at once (the relay rate-limits the host's link as a whole).
      const window = events.slice(-SYNC_WINDOW);
      const firstSent = window[0]?.seq;
      const base = firstSent !== undefined && firstSent - 1 > after ? firstSent - 1 : undefined;
      if (window.length) this.sendBatches(peer, sessionId, window, { base });
    } else {
      // The newest events only, one `chat` each (all such a peer parses), paced within the host's budget.
      for (const e of tail) this.safeSend(peer, { type: 'chat', session: sessionId, seq: e.seq, at: e.at, event: e.event });
    }
    // Approvals must never be lost on reconnect: every pending one is sent again after the history.
    const pending = this.options.broker.pending(sessionId);
    for (const request of pending) this.safeSend(peer, { type: 'approval', request });
    // Feature `reconcile`: the full pending set, so a card resolved while the device was away goes too.
    this.safeSend(peer, { type: 'synced', session: sessionId, seq: s.handle.chat.lastSeq, pending: pending.map((r) => r.id) });
  }

  /** Sends `events` as `chats` batches of at most BATCH_BYTES each; the first one carries `base`. */
  private sendBatches(peer: PeerState, session: string, events: readonly ChatEntry[], o: { base?: number; older?: boolean; more?: boolean }): void {
    let batch: ChatEntry[] = [];
    let bytes = 0;
    let first = true;
    const flush = () => {
      const base = first && o.base !== undefined ? { base: o.base } : {};
      this.safeSend(peer, { type: 'chats', session, events: batch, ...base, ...(o.older ? { older: true, more: o.more ?? false } : {}) });
      first = false;
      batch = [];
      bytes = 0;
    };
    for (const e of events) {
      // An event too big to share a frame goes alone; the bridge shortens it to fit (frameFit.ts).
      const size = entrySize(e);
      if (batch.length >= MAX_BATCH_EVENTS || (batch.length && bytes + size > BATCH_BYTES)) flush();
      batch.push({ seq: e.seq, at: e.at, event: e.event });
      bytes += size;
    }
    if (batch.length) flush();
  }

  /** Tells one peer its request failed; `message` defaults to the code's meaning (wireErrorCodes.ts). */
  private error(peer: PeerState, code: WireErrorCode, message: string = WIRE_ERROR_CODES[code], ref?: string): void {
    this.safeSend(peer, { type: 'error', code, message, ...(ref ? { ref } : {}) });
  }

  private broadcast(message: HostMessage): void {
    for (const peer of this.peers.values()) this.safeSend(peer, message);
  }

  private safeSend(state: PeerState, message: HostMessage): void {
    try {
      // A peer sees only the shapes it agreed to (a v1 page closes the channel on an unknown field). A peer
      // with a frame limit (the bridge) fits the message to its frame itself.
      const shaped = forPeer(message, state.features);
      if (!shaped) return;
      // A peer without feature `window` gets its messages renumbered and paced (legacySync.ts); anyone's go
      // through the queue while some of theirs wait there, so the order holds.
      const legacy = !state.features?.has('window');
      if (legacy || this.legacy.queued(state.peer)) this.legacy.send(state.peer.id, state.peer, shaped, legacy);
      else state.peer.send(shaped);
    } catch (e) {
      // One broken peer must not stop the others; its transport closes it.
      this.log.warn(`send to peer ${state.peer.id} failed: ${e instanceof Error ? e.message : 'error'}`);
    }
  }

  dispose(): void {
    this.legacy.dispose();
    for (const s of this.sessions.values()) disposeAll(s.subs);
    this.sessions.clear();
    this.peers.clear();
    disposeAll(this.subs);
  }
}
