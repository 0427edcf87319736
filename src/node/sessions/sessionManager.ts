// SessionManager: the one owner of the agent sessions a host serves. It starts wrapped sessions (Claude Code
// in a pty, AgentSession), adopts sessions made elsewhere (a hand-started CLI the attach server found,
// AttachedSession), stops them, and is the only code that adds a session to the HostService or takes one off
// it. Every surface goes through it: the VS Code extension (src/vscode/sessions/), `walkie host`
// (src/node/cli/hostCommand.ts) and the attach server (src/node/attach/attachServer.ts); later ones (sessions
// started from a device, schedules) will too, and its events tell the UI what it holds.
//
// Lifecycle of one session here: start/adopt → served to every peer → (it ends by itself, or stop()) → its
// final info is broadcast → taken off the HostService and disposed → onDidRemove. With `history` (a
// long-lived host: `walkie serve`), an ended session is instead replaced by an EndedSession that keeps its
// chat and stays listed until clear(); the history file lets restore() list it again after a restart. Ids are made by the
// session (SessionCore: 72 random bits); the manager refuses a second session with an id it already holds.
import type { ApprovalBroker } from '../../core/approvals/approvalBroker';
import type { Clock } from '../../core/base/clock';
import { type Disposable, disposeAll } from '../../core/base/dispose';
import { Emitter, type Event } from '../../core/base/event';
import type { Logger } from '../../core/base/logger';
import type { HostService, SessionHandle } from '../../core/host/hostService';
import type { AgentAdapter } from '../agents/agentAdapter';
import type { AgentSession, AgentSessionOptions } from './agentSession';
import { EndedSession } from './endedSession';
import type { SessionHistory } from './sessionHistory';

/** A session the manager can own: served to peers, stopped on request, disposed when it leaves. */
export interface ManagedSession extends SessionHandle, Disposable {}

export type SessionManagerErrorCode = 'SESSIONS_ERR_UNKNOWN' | 'SESSIONS_ERR_DUPLICATE' | 'SESSIONS_ERR_CLOSED' | 'SESSIONS_ERR_RUNNING';

export class SessionManagerError extends Error {
  override readonly name = 'SessionManagerError';
  constructor(
    readonly code: SessionManagerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What start() needs besides what the manager supplies (the host's broker, clock and logger). */
export type AgentStartOptions = Omit<AgentSessionOptions, 'broker' | 'clock' | 'logger'>;

export interface SessionManagerOptions {
  /** The host's protocol logic: sessions are served to every peer through it. */
  readonly service: HostService;
  /** The broker the service serves; every session the manager starts is gated by it. */
  readonly broker: ApprovalBroker;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Keep ended sessions listed (with their chat) and remember them here across restarts. */
  readonly history?: SessionHistory;
}

/** What a session may tell about its agent, for the history (AgentSession has it). */
interface AgentFacts {
  readonly agentSessionId?: string;
  readonly transcriptPath?: string;
}

interface Entry {
  readonly session: ManagedSession;
  readonly subs: Disposable[];
}

export class SessionManager implements Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly addEmitter = new Emitter<ManagedSession>((e) => this.listenerFailed(e));
  private readonly removeEmitter = new Emitter<ManagedSession>((e) => this.listenerFailed(e));
  /** A session is now served (after start or adopt). */
  readonly onDidAdd: Event<ManagedSession> = this.addEmitter.event;
  /** A session was taken off the service (it ended, or was stopped) and disposed. */
  readonly onDidRemove: Event<ManagedSession> = this.removeEmitter.event;
  private closing: Promise<void> | undefined;

  constructor(private readonly o: SessionManagerOptions) {}

  /**
   * Starts the agent in a pty, gated by the host's broker, and serves it. A start that fails (refused
   * arguments, no CLI, too old…) leaves nothing registered. @throws AgentLaunchError and the like, or
   * SessionManagerError SESSIONS_ERR_CLOSED (the manager was disposed first, or while the agent started:
   * it is then stopped again).
   */
  async start(options: AgentStartOptions): Promise<AgentSession> {
    this.checkOpen();
    // Loaded on first use: node-pty and the hook server are not needed before a session starts.
    const { AgentSession } = await import('./agentSession');
    // Security: the session's gate must use the broker the service serves, or its approvals would reach no
    // device; the manager supplies it, never the caller.
    const session = await AgentSession.start({ ...options, broker: this.o.broker, clock: this.o.clock, logger: this.o.logger });
    try {
      return this.adopt(session);
    } catch (e) {
      await session.stop();
      session.dispose();
      throw e;
    }
  }

  /**
   * Serves a session made elsewhere (an attached one) until it ends or is stopped; the manager owns it from
   * here. A session that has already ended is shown once and dropped. @throws SessionManagerError
   * (SESSIONS_ERR_CLOSED, SESSIONS_ERR_DUPLICATE); the session then stays the caller's.
   */
  adopt<S extends ManagedSession>(session: S): S {
    this.checkOpen();
    // A session id names the session to every device (sync, prompts, approvals): two must never share one.
    if (this.entries.has(session.id)) throw new SessionManagerError('SESSIONS_ERR_DUPLICATE', `a session with id ${session.id} is already served`);
    const entry: Entry = { session, subs: [] };
    this.entries.set(session.id, entry);
    entry.subs.push(this.o.service.addSession(session));
    // Subscribed after the service's own listener: devices get the final info before the session goes.
    entry.subs.push(
      session.onInfo((info) => {
        if (info.status === 'ended') return this.ended(entry);
        // The agent's ids arrive with its first hook call: remembered at once, so a crash loses nothing.
        const facts = session as Partial<AgentFacts>;
        const known = this.o.history?.get(session.id);
        if (known && (facts.agentSessionId !== known.agentSessionId || facts.transcriptPath !== known.transcriptPath)) this.remember(session, undefined);
      }),
    );
    this.o.logger.info(`sessions: serving ${session.id}`);
    this.remember(session, undefined);
    this.addEmitter.fire(session);
    if (session.info().status === 'ended' && !(session instanceof EndedSession)) this.ended(entry);
    return session;
  }

  /**
   * Lists the remembered sessions again (after a restart), each as an ended session whose chat is rebuilt
   * from the agent's transcript. `adapterFor` finds the adapter that reads an agent's transcript.
   */
  restore(adapterFor: (agentId: string) => AgentAdapter | undefined): void {
    for (const h of this.o.history?.list() ?? []) {
      if (this.entries.has(h.id)) continue;
      this.adopt(EndedSession.fromHistory(h, adapterFor(h.agent), this.o.clock));
    }
  }

  /** Takes an ended session off the list (and out of the history). @throws SessionManagerError */
  clear(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) throw new SessionManagerError('SESSIONS_ERR_UNKNOWN', `no session with id ${id} is served`);
    if (entry.session.info().status !== 'ended') throw new SessionManagerError('SESSIONS_ERR_RUNNING', 'the session is still running: stop it first');
    this.o.history?.remove(id);
    this.remove(entry);
  }

  /** A session ended: without history it goes; with, its final state stays listed (same id, same chat). */
  private ended(entry: Entry): void {
    const { session } = entry;
    if (!this.o.history || session instanceof EndedSession) {
      if (!this.o.history) this.remove(entry);
      return;
    }
    if (this.entries.get(session.id) !== entry) return;
    const facts = session as Partial<AgentFacts>;
    this.remember(session, this.o.clock.now());
    const snapshot = new EndedSession(session.info(), session.chat, facts.agentSessionId, facts.transcriptPath);
    if (this.closing) {
      this.remove(entry);
      return snapshot.dispose();
    }
    // Served before the live session is taken off, so devices never see a list without it (a phone would
    // switch away from the session it shows).
    const kept: Entry = { session: snapshot, subs: [this.o.service.addSession(snapshot)] };
    this.remove(entry);
    this.entries.set(snapshot.id, kept);
    this.addEmitter.fire(snapshot);
  }

  /** Writes what a restart needs to list the session again (no chat: that is rebuilt from the transcript). */
  private remember(session: ManagedSession, endedAt: number | undefined): void {
    const history = this.o.history;
    if (!history || session instanceof EndedSession) return;
    const info = session.info();
    const facts = session as Partial<AgentFacts>;
    const before = history.get(session.id);
    history.put({
      id: session.id,
      agent: info.agent,
      cwd: info.cwd,
      title: info.title,
      startedAt: before?.startedAt ?? this.o.clock.now(),
      ...(endedAt !== undefined ? { endedAt } : {}),
      ...(facts.agentSessionId ? { agentSessionId: facts.agentSessionId } : {}),
      ...(facts.transcriptPath ? { transcriptPath: facts.transcriptPath } : {}),
    });
  }


  /** The session with this id, while it is served. */
  get(id: string): ManagedSession | undefined {
    return this.entries.get(id)?.session;
  }

  /** The sessions served now, oldest first. */
  list(): ManagedSession[] {
    return [...this.entries.values()].map((e) => e.session);
  }

  /**
   * Stops one session (a wrapped agent exits; an attached one is no longer followed — its CLI keeps running in
   * its terminal) and takes it off the service, even if stopping failed. @throws SessionManagerError
   * SESSIONS_ERR_UNKNOWN for an id that is not served, or what the session's stop() threw.
   */
  async stop(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) throw new SessionManagerError('SESSIONS_ERR_UNKNOWN', `no session with id ${id} is served`);
    try {
      await entry.session.stop();
    } finally {
      // With history, a session that ended was replaced by its ended state (ended()); one that did not end
      // (stop failed) goes, as without history.
      if (!this.o.history || this.closing || entry.session.info().status !== 'ended') this.remove(entry);
      else this.ended(entry);
    }
  }

  /** Stops every session; keeps going when one fails, then rethrows (the first failure, or all of them). */
  async stopAll(): Promise<void> {
    const results = await Promise.allSettled(this.list().map((s) => this.stop(s.id)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    for (const e of errors) this.o.logger.warn(`sessions: a session did not stop cleanly: ${e instanceof Error ? e.message : 'error'}`);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several sessions did not stop cleanly');
  }

  /** Takes no more sessions and stops every one; resolves once they are stopped. Failures are logged. */
  close(): Promise<void> {
    this.closing ??= this.stopAll()
      .catch(() => undefined)
      .finally(() => {
        this.addEmitter.dispose();
        this.removeEmitter.dispose();
      });
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }

  private checkOpen(): void {
    if (this.closing) throw new SessionManagerError('SESSIONS_ERR_CLOSED', 'the session manager has stopped taking sessions');
  }

  private remove(entry: Entry): void {
    const { session } = entry;
    if (this.entries.get(session.id) !== entry) return;
    this.entries.delete(session.id);
    try {
      disposeAll([...entry.subs.splice(0), session]);
    } catch (e) {
      this.o.logger.error(`sessions: disposing ${session.id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.o.logger.info(`sessions: stopped serving ${session.id}`);
    this.removeEmitter.fire(session);
  }

  private listenerFailed(e: unknown): void {
    this.o.logger.error(`sessions: listener failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
