// The host's application logic: it joins agent sessions, the approval broker and every connected peer
// (paired devices through the encrypted bridge, and the VS Code panel through postMessage) with the
// protocol of src/core/wire/protocol.ts. Transport-free and clock-free, so it is tested with plain fakes.
//
// Guarantees kept here (docs/protocol.md):
//  - A peer that (re)connects gets `hello`; it then asks `sync` per session and receives every chat event
//    after its last sequence number, then every still-pending approval of that session, then `synced`.
//  - A peer that sends its own `hello` gets `hello` again, with this host's features; from then on it gets
//    the fields of the features both listed. A peer that never does is a v1 peer and gets only v1 shapes
//    (src/core/wire/forPeer.ts): older pages parse strictly and would close on anything new.
//  - A prompt goes to its session, whose prompt ledger types each clientId into the agent once, however often
//    a device resends it (SessionHandle.prompt).
//  - A decision must name the request id AND its input hash; the first decision wins (ApprovalBroker).
import type { ApprovalBroker } from '../approvals/approvalBroker';
import type { ChatEntry, ChatLog } from './chatLog';
import { type Disposable, disposeAll } from '../base/dispose';
import type { Event } from '../base/event';
import { nullLogger, type Logger } from '../base/logger';
import type { Author } from '../wire/author';
import { agreedFeatures, WIRE_FEATURES, type WireFeature } from '../wire/features';
import { forPeer } from '../wire/forPeer';
import type { DeviceMessage, HostMessage, SessionInfo } from '../wire/protocol';
import { MAX_BATCH_EVENTS, PROTOCOL_VERSION } from '../wire/protocol';
import { WIRE_ERROR_CODES, type WireErrorCode } from '../wire/wireErrorCodes';

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

  constructor(
    private readonly options: { hostName: string; broker: ApprovalBroker; logger?: Logger },
  ) {
    this.log = options.logger ?? nullLogger;
    const { broker } = options;
    this.subs.push(
      broker.onRequest((request) => this.broadcast({ type: 'approval', request })),
      broker.onResolved(({ request, outcome }) =>
        this.broadcast({
          type: 'resolved',
          id: request.id,
          session: request.session,
          resolution: outcome.resolution,
          by: outcome.by,
          author: outcome.author,
          ...(outcome.message ? { message: outcome.message } : {}),
        }),
      ),
    );
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
      handle.onInfo((session) => this.broadcast({ type: 'session', session })),
      handle.chat.onAppend((e) => this.broadcast({ type: 'chat', session: handle.id, seq: e.seq, at: e.at, event: e.event })),
    );
    this.sessions.set(handle.id, entry);
    this.broadcast({ type: 'session', session: handle.info() });
    return {
      dispose: () => {
        if (this.sessions.get(handle.id) !== entry) return;
        this.sessions.delete(handle.id);
        disposeAll(entry.subs);
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
      },
    };
  }

  /** The features agreed with a peer (undefined: a v1 peer, or none connected under that id). */
  featuresOf(peerId: string): ReadonlySet<WireFeature> | undefined {
    return this.peers.get(peerId)?.features;
  }

  private hello(state: PeerState): void {
    this.safeSend(state, { type: 'hello', v: PROTOCOL_VERSION, hostName: this.options.hostName, sessions: this.sessionInfos(), features: [...WIRE_FEATURES] });
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
        return this.hello(state);
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
      case 'decide': {
        // Security: the author is who this connection is (the bridge authenticated the device key), never
        // anything the message says.
        const r = this.options.broker.decide(message.id, message.inputHash, message.decision, peer.author ?? { kind: 'device', name: peer.name }, message.message);
        if (!r.ok) this.error(state, r.code, r.message, message.id);
        return;
      }
    }
  }

  private sync(peer: PeerState, sessionId: string, after: number): void {
    const s = this.sessions.get(sessionId);
    if (!s) return this.error(peer, 'HOST_ERR_NO_SESSION', undefined, sessionId);
    this.safeSend(peer, { type: 'session', session: s.handle.info() });
    const events = s.handle.chat.since(after);
    if (peer.features?.has('window')) {
      // Windowed: only the last SYNC_WINDOW events, batched, so a sync costs a few frames however long the
      // session and however many devices sync at once (the relay rate-limits the host's link as a whole).
      const window = events.slice(-SYNC_WINDOW);
      const firstSent = window[0]?.seq;
      const base = firstSent !== undefined && firstSent - 1 > after ? firstSent - 1 : undefined;
      if (window.length) this.sendBatches(peer, sessionId, window, { base });
    } else {
      for (const e of events) this.safeSend(peer, { type: 'chat', session: sessionId, seq: e.seq, at: e.at, event: e.event });
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
      state.peer.send(forPeer(message, state.features));
    } catch (e) {
      // One broken peer must not stop the others; its transport closes it.
      this.log.warn(`send to peer ${state.peer.id} failed: ${e instanceof Error ? e.message : 'error'}`);
    }
  }

  dispose(): void {
    for (const s of this.sessions.values()) disposeAll(s.subs);
    this.sessions.clear();
    this.peers.clear();
    disposeAll(this.subs);
  }
}
