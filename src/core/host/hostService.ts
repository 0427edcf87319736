// The host's application logic: it joins agent sessions, the approval broker and every connected peer
// (paired devices through the encrypted bridge, and the VS Code panel through postMessage) with the
// protocol of src/core/wire/protocol.ts. Transport-free and clock-free, so it is tested with plain fakes.
//
// Guarantees kept here (docs/protocol.md):
//  - A peer that (re)connects gets `hello`; it then asks `sync` per session and receives every chat event
//    after its last sequence number, then every still-pending approval of that session, then `synced`.
//  - A prompt is typed into the agent exactly once per clientId, however often a device resends it.
//  - A decision must name the request id AND its input hash; the first decision wins (ApprovalBroker).
import type { ApprovalBroker } from '../approvals/approvalBroker';
import type { ChatLog } from './chatLog';
import { type Disposable, disposeAll } from '../base/dispose';
import { fitToFrame } from '../bridge/frameFit';
import type { Event } from '../base/event';
import { nullLogger, type Logger } from '../base/logger';
import type { DeviceMessage, HostMessage, SessionInfo } from '../wire/protocol';
import { PROTOCOL_VERSION } from '../wire/protocol';

/** What HostService needs of one running agent session (src/node/sessions/agentSession.ts implements it). */
export interface SessionHandle {
  readonly id: string;
  info(): SessionInfo;
  readonly onInfo: Event<SessionInfo>;
  readonly chat: ChatLog;
  /** Types a prompt into the agent. */
  prompt(text: string, clientId: string): void | Promise<void>;
  /** Interrupts the agent's current turn (Esc). */
  interrupt(): void;
  /** Ends the session (a wrapped agent exits; an attached one is no longer followed); resolves once it has. */
  stop(): Promise<void>;
}

/** One connected surface: a paired device, or the VS Code panel ("local"). */
export interface Peer {
  readonly id: string;
  /** Shown as who decided: a device name, or "VS Code". */
  readonly name: string;
  send(message: HostMessage): void;
}

export interface PeerConnection extends Disposable {
  receive(message: DeviceMessage): void;
}

/** How many prompt ids to remember per session for exactly-once delivery. */
const REMEMBERED_PROMPTS = 1000;

export class HostService implements Disposable {
  private readonly sessions = new Map<string, { handle: SessionHandle; prompts: Set<string>; subs: Disposable[] }>();
  private readonly peers = new Map<string, Peer>();
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
    const entry = { handle, prompts: new Set<string>(), subs: [] as Disposable[] };
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
    this.peers.set(peer.id, peer);
    this.safeSend(peer, { type: 'hello', v: PROTOCOL_VERSION, hostName: this.options.hostName, sessions: this.sessionInfos() });
    return {
      receive: (message) => this.receive(peer, message),
      dispose: () => {
        if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
      },
    };
  }

  get peerCount(): number {
    return this.peers.size;
  }

  private receive(peer: Peer, message: DeviceMessage): void {
    switch (message.type) {
      case 'sync':
        return this.sync(peer, message.session, message.after);
      case 'prompt': {
        const s = this.sessions.get(message.session);
        if (!s) return this.error(peer, 'HOST_ERR_NO_SESSION', 'No such session.', message.clientId);
        if (s.handle.info().status === 'ended') return this.error(peer, 'HOST_ERR_SESSION_ENDED', 'The session has ended.', message.clientId);
        // Exactly once: a device resends unacknowledged prompts after a reconnect.
        if (s.prompts.has(message.clientId)) return;
        s.prompts.add(message.clientId);
        if (s.prompts.size > REMEMBERED_PROMPTS) s.prompts.delete(s.prompts.values().next().value as string);
        Promise.resolve(s.handle.prompt(message.text, message.clientId)).catch((e: unknown) => {
          s.prompts.delete(message.clientId);
          // A refusal (a slash command from a device…) carries a message written for the device; other
          // failures stay generic.
          if (e instanceof Error && (e as { code?: unknown }).code === 'SESSION_ERR_PROMPT_REFUSED') {
            this.log.info(`prompt to session ${s.handle.id} refused`);
            return this.error(peer, 'HOST_ERR_PROMPT_REFUSED', e.message, message.clientId);
          }
          this.log.warn(`prompt to session ${s.handle.id} failed: ${e instanceof Error ? e.message : 'error'}`);
          this.error(peer, 'HOST_ERR_PROMPT_FAILED', 'The prompt could not be delivered.', message.clientId);
        });
        return;
      }
      case 'interrupt': {
        const s = this.sessions.get(message.session);
        if (!s) return this.error(peer, 'HOST_ERR_NO_SESSION', 'No such session.');
        s.handle.interrupt();
        return;
      }
      case 'decide': {
        const r = this.options.broker.decide(message.id, message.inputHash, message.decision, peer.name, message.message);
        if (!r.ok) this.error(peer, r.code, r.message, message.id);
        return;
      }
    }
  }

  private sync(peer: Peer, sessionId: string, after: number): void {
    const s = this.sessions.get(sessionId);
    if (!s) return this.error(peer, 'HOST_ERR_NO_SESSION', 'No such session.', sessionId);
    this.safeSend(peer, { type: 'session', session: s.handle.info() });
    for (const e of s.handle.chat.since(after)) {
      this.safeSend(peer, { type: 'chat', session: sessionId, seq: e.seq, at: e.at, event: e.event });
    }
    // Approvals must never be lost on reconnect: every pending one is sent again after the history.
    for (const request of this.options.broker.pending(sessionId)) this.safeSend(peer, { type: 'approval', request });
    this.safeSend(peer, { type: 'synced', session: sessionId, seq: s.handle.chat.lastSeq });
  }

  private error(peer: Peer, code: string, message: string, ref?: string): void {
    this.safeSend(peer, { type: 'error', code, message, ...(ref ? { ref } : {}) });
  }

  private broadcast(message: HostMessage): void {
    for (const peer of this.peers.values()) this.safeSend(peer, message);
  }

  private safeSend(peer: Peer, message: HostMessage): void {
    try {
      // One message must fit one encrypted frame, or a phone would never see it (src/core/bridge/frameFit.ts).
      peer.send(fitToFrame(message));
    } catch (e) {
      // One broken peer must not stop the others; its transport closes it.
      this.log.warn(`send to peer ${peer.id} failed: ${e instanceof Error ? e.message : 'error'}`);
    }
  }

  dispose(): void {
    for (const s of this.sessions.values()) disposeAll(s.subs);
    this.sessions.clear();
    this.peers.clear();
    disposeAll(this.subs);
  }
}
