// The web UI's state: sessions, each session's chat (ordered and deduplicated by seq), prompts not yet
// echoed by the host, pending approvals and short notices. Host messages are applied here and nowhere
// else; the state is replaced (never mutated) on every change, so views can compare by reference.
import type { Clock } from '../../src/core/base/clock';
import { Emitter } from '../../src/core/base/event';
import { authorFromLabel, type Author } from '../../src/core/wire/author';
import { agreedFeatures, type WireFeature } from '../../src/core/wire/features';
import type { ApprovalRequest, ChatEvent, Decision, HostMessage, PastSession, SessionInfo } from '../../src/core/wire/protocol';
import type { ScheduleListing } from '../../src/core/wire/scheduleSchemas';
import type { ConnState } from '../transport/transport';

export interface ChatItem {
  readonly seq: number;
  readonly at: number;
  readonly event: ChatEvent;
}

/** A prompt sent from this device that the host has not echoed back yet. */
export interface OutboxPrompt {
  readonly clientId: string;
  readonly text: string;
  readonly at: number;
}

export interface PendingApproval {
  readonly request: ApprovalRequest;
  /**
   * When the card stops accepting decisions, on THIS device's clock: the time it arrived plus the
   * request's own lifetime (expiresAt − createdAt). The host's clock may be off from the phone's; the
   * host stays the judge and resolves the request as `expired` anyway.
   */
  readonly deadline: number;
  /** The decision this device sent, while the host has not resolved the request. */
  readonly sent?: Decision;
  /** Why the host refused this device's decision. */
  readonly error?: string;
}

export interface Notice {
  readonly id: number;
  readonly text: string;
  readonly tone: 'info' | 'error';
}

export interface UiState {
  readonly conn: ConnState;
  readonly hostName: string | undefined;
  /** What the host runs in ('vscode', 'cli', …), from a host that speaks feature `hostKind`. */
  readonly hostKind?: string;
  readonly sessions: readonly SessionInfo[];
  readonly active: string | undefined;
  readonly chats: Readonly<Record<string, readonly ChatItem[]>>;
  /** Sessions whose host holds events older than the first one here (feature `window`): load them on scroll. */
  readonly older: Readonly<Record<string, boolean>>;
  readonly outbox: Readonly<Record<string, readonly OutboxPrompt[]>>;
  readonly approvals: readonly PendingApproval[];
  readonly notices: readonly Notice[];
  /** The features agreed with the host (empty for a host without features). */
  readonly features: ReadonlySet<WireFeature>;
  /** Feature `schedules`: the host's schedules, recent runs and loops, once asked for. */
  readonly schedules: ScheduleListing | undefined;
  /**
   * Feature `sessions`: true once the host sent its session list (it can start, resume and stop sessions
   * when `folders` is not empty). False for an older host: the session controls stay hidden.
   */
  readonly sessionControl: boolean;
  /** Folders the host lets this device start sessions in. */
  readonly folders: readonly string[];
  /** Per session: approvals waiting and last activity (from the host's list). */
  readonly activity: Readonly<Record<string, { readonly pending: number; readonly lastActivity: number }>>;
  /** The agent's past sessions of one folder, as last asked. */
  readonly past: { readonly folder: string; readonly sessions: readonly PastSession[] } | undefined;
}

/** Something the user may want to be told about while looking elsewhere. */
export type Attention = { kind: 'approval'; request: ApprovalRequest } | { kind: 'finished'; session: SessionInfo };

/** Chat items kept per session; older ones are dropped from the view (the host keeps the transcript). */
const MAX_ITEMS = 2000;
const NOTICE_MS = 5000;
/** Resolved approval ids remembered so a late duplicate `approval` message cannot resurrect a card. */
const MAX_RESOLVED = 256;

export class Store {
  private current: UiState;
  private readonly changes = new Emitter<UiState>();
  private readonly attention = new Emitter<Attention>();
  readonly onChange = this.changes.event;
  readonly onAttention = this.attention.event;
  private readonly resolved: string[] = [];
  private nextNotice = 1;

  constructor(
    private readonly clock: Clock,
    conn: ConnState,
  ) {
    this.current = { conn, hostName: undefined, sessions: [], active: undefined, chats: {}, older: {}, outbox: {}, approvals: [], notices: [], features: new Set(), schedules: undefined, sessionControl: false, folders: [], activity: {}, past: undefined };
  }

  get state(): UiState {
    return this.current;
  }

  /**
   * While the connection stays down (offline ⇄ connecting during reconnect attempts), `since` keeps the
   * moment it was lost and `code` the last close code, so the UI can say "offline since 16:52".
   */
  setConn(conn: ConnState): void {
    const prev = this.current.conn;
    const down = conn.state !== 'online' && prev.state !== 'online';
    this.update({ conn: down ? { ...conn, since: prev.since, code: conn.code ?? prev.code, reason: conn.reason ?? prev.reason } : conn });
  }

  select(session: string): void {
    if (this.current.sessions.some((s) => s.id === session)) this.update({ active: session });
  }

  /** The highest seq this device holds for `session` (0 for none): the `after` of a sync. */
  lastSeq(session: string): number {
    const items = this.current.chats[session];
    return items?.length ? items[items.length - 1]!.seq : 0;
  }

  addPrompt(session: string, prompt: OutboxPrompt): void {
    const list = this.current.outbox[session] ?? [];
    this.update({ outbox: { ...this.current.outbox, [session]: [...list, prompt] } });
  }

  markSent(id: string, decision: Decision): void {
    this.update({ approvals: this.current.approvals.map((a) => (a.request.id === id ? { ...a, sent: decision, error: undefined } : a)) });
  }

  notify(text: string, tone: Notice['tone'] = 'info'): void {
    const id = this.nextNotice++;
    this.update({ notices: [...this.current.notices, { id, text, tone }].slice(-3) });
    this.clock.setTimeout(() => this.dismiss(id), NOTICE_MS);
  }

  dismiss(id: number): void {
    if (this.current.notices.some((n) => n.id === id)) this.update({ notices: this.current.notices.filter((n) => n.id !== id) });
  }

  apply(m: HostMessage): void {
    switch (m.type) {
      case 'hello': {
        const active = m.sessions.some((s) => s.id === this.current.active) ? this.current.active : pickActive(m.sessions);
        this.update({ hostName: m.hostName, hostKind: m.hostKind ?? this.current.hostKind, sessions: m.sessions, active, features: agreedFeatures(m.features) });
        return;
      }
      case 'schedules':
        return this.update({ schedules: m.listing });
      case 'scheduleSaved':
        return this.notify('Schedule saved');
      case 'session':
        return this.applySession(m.session);
      case 'chat':
        return this.applyChat(m.session, { seq: m.seq, at: m.at, event: m.event });
      case 'approval':
        return this.applyApproval(m.request);
      case 'resolved': {
        if (!this.resolved.includes(m.id)) this.resolved.push(m.id);
        if (this.resolved.length > MAX_RESOLVED) this.resolved.shift();
        const had = this.current.approvals.some((a) => a.request.id === m.id);
        this.update({ approvals: this.current.approvals.filter((a) => a.request.id !== m.id) });
        // A host without the `author` feature sends only the v1 string; read it back.
        if (had) this.notify(resolutionText(m.resolution, m.author ?? authorFromLabel(m.by)));
        return;
      }
      case 'app':
      case 'notify':
      case 'relay':
        return;
      case 'sessionList': {
        let sessions = this.current.sessions;
        for (const { pending: _p, lastActivity: _l, ...info } of m.sessions) {
          sessions = sessions.some((x) => x.id === info.id) ? sessions.map((x) => (x.id === info.id ? info : x)) : [...sessions, info];
        }
        // A session the host no longer lists (cleared) leaves this device's list too.
        const listed = new Set(m.sessions.map((x) => x.id));
        sessions = sessions.filter((x) => listed.has(x.id));
        const activity = Object.fromEntries(m.sessions.map((x) => [x.id, { pending: x.pending, lastActivity: x.lastActivity }]));
        const active = sessions.some((x) => x.id === this.current.active) ? this.current.active : pickActive(sessions);
        this.update({ sessionControl: true, folders: m.folders, sessions, activity, active });
        return;
      }
      case 'pastSessions':
        this.update({ past: { folder: m.folder, sessions: m.sessions } });
        return;
      case 'sessionStarted':
        // This device asked for it: show it.
        this.applySession(m.session);
        this.update({ active: m.session.id });
        return;
      case 'chats':
        return this.applyChats(m.session, m.events, m.base, m.older ? m.more === true : undefined);
      case 'synced': {
        // Feature `reconcile`: the host's full pending set for the session. A card not in it was answered
        // elsewhere, expired or was cancelled while this device was away: it goes, so it cannot hide the
        // real one. Without the feature (an older host) `pending` is absent and nothing is dropped.
        const pending = m.pending && new Set(m.pending);
        if (pending && this.current.approvals.some((a) => a.request.session === m.session && !pending.has(a.request.id))) {
          this.update({ approvals: this.current.approvals.filter((a) => a.request.session !== m.session || pending.has(a.request.id)) });
        }
        return;
      }
      case 'error':
        return this.applyError(m.code, m.message, m.ref);
    }
  }

  private applySession(session: SessionInfo): void {
    const old = this.current.sessions.find((s) => s.id === session.id);
    const sessions = old ? this.current.sessions.map((s) => (s.id === session.id ? session : s)) : [...this.current.sessions, session];
    this.update({ sessions, active: this.current.active ?? session.id });
    if (old && old.status !== 'idle' && old.status !== 'ended' && session.status === 'idle') this.attention.fire({ kind: 'finished', session });
  }

  private applyChat(session: string, item: ChatItem): void {
    const list = this.current.chats[session] ?? [];
    // Ordered by seq; a seq already held (a resync overlapping live events) is dropped.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.seq < item.seq) lo = mid + 1;
      else hi = mid;
    }
    if (list[lo]?.seq === item.seq) return;
    const next = [...list.slice(0, lo), item, ...list.slice(lo)].slice(-MAX_ITEMS);
    const patch: { -readonly [K in keyof UiState]?: UiState[K] } = { chats: { ...this.current.chats, [session]: next } };
    const clientId = item.event.kind === 'user' ? item.event.clientId : undefined;
    const box = this.current.outbox[session];
    if (clientId && box?.some((p) => p.clientId === clientId)) {
      patch.outbox = { ...this.current.outbox, [session]: box.filter((p) => p.clientId !== clientId) };
    }
    this.update(patch);
  }

  /**
   * A batch of chat events (feature `window`). `base`: the host left events up to it out; if that leaves a
   * hole after what is held here, the held ones are dropped (the thread shows one continuous stretch).
   * `olderMore`: defined for an answer to `history` — whether the host holds still older events.
   */
  private applyChats(session: string, events: readonly ChatItem[], base: number | undefined, olderMore: boolean | undefined): void {
    let list = this.current.chats[session] ?? [];
    let older = this.current.older[session] ?? false;
    if (base !== undefined && base > 0) {
      if ((list[list.length - 1]?.seq ?? 0) < base) list = [];
      if (!list.length || list[0]!.seq > base) older = true;
    }
    if (olderMore !== undefined) older = olderMore;
    const bySeq = new Map(list.map((it) => [it.seq, it]));
    for (const e of events) if (!bySeq.has(e.seq)) bySeq.set(e.seq, { seq: e.seq, at: e.at, event: e.event });
    let next = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    if (next.length > MAX_ITEMS) {
      // Keep the newest; older ones can be asked for again.
      next = next.slice(-MAX_ITEMS);
      older = true;
    }
    const patch: { -readonly [K in keyof UiState]?: UiState[K] } = { chats: { ...this.current.chats, [session]: next }, older: { ...this.current.older, [session]: older } };
    const echoed = new Set(events.flatMap((e) => (e.event.kind === 'user' && e.event.clientId ? [e.event.clientId] : [])));
    const box = this.current.outbox[session];
    if (echoed.size && box?.some((p) => echoed.has(p.clientId))) patch.outbox = { ...this.current.outbox, [session]: box.filter((p) => !echoed.has(p.clientId)) };
    this.update(patch);
  }

  private applyApproval(request: ApprovalRequest): void {
    if (this.resolved.includes(request.id)) return;
    const lifetime = Math.max(0, request.expiresAt - request.createdAt);
    const existing = this.current.approvals.find((a) => a.request.id === request.id);
    if (existing && existing.request.inputHash === request.inputHash) {
      // A resend (after a reconnect): keep this device's countdown and any decision already sent.
      this.update({ approvals: this.current.approvals.map((a) => (a === existing ? { ...a, request } : a)) });
      return;
    }
    if (existing) {
      // Same id, different input: a new request as far as the user is concerned (the card re-arms, any
      // decision sent for the old input is void: the host checks the hash).
      this.update({ approvals: this.current.approvals.filter((a) => a !== existing) });
    }
    const fresh: PendingApproval = { request, deadline: this.clock.now() + lifetime };
    const approvals = [...this.current.approvals, fresh].sort((a, b) => a.request.createdAt - b.request.createdAt);
    this.update({ approvals });
    this.attention.fire({ kind: 'approval', request });
  }

  private applyError(code: string, message: string, ref: string | undefined): void {
    if (ref && this.current.approvals.some((a) => a.request.id === ref)) {
      this.update({ approvals: this.current.approvals.map((a) => (a.request.id === ref ? { ...a, sent: undefined, error: message } : a)) });
      return;
    }
    if (ref) {
      for (const [session, box] of Object.entries(this.current.outbox)) {
        if (box.some((p) => p.clientId === ref)) this.update({ outbox: { ...this.current.outbox, [session]: box.filter((p) => p.clientId !== ref) } });
      }
    }
    this.notify(`${message} (${code})`, 'error');
  }

  private update(patch: Partial<UiState>): void {
    this.current = { ...this.current, ...patch };
    this.changes.fire(this.current);
  }
}

/** The session to show first: the most recently changed one that has not ended, else the newest. */
function pickActive(sessions: readonly SessionInfo[]): string | undefined {
  const live = sessions.filter((s) => s.status !== 'ended');
  const pool = live.length ? live : sessions;
  return [...pool].sort((a, b) => b.since - a.since)[0]?.id;
}

function resolutionText(resolution: string, by: Author): string {
  const where = by.kind === 'device' ? `on ${by.name}` : by.kind === 'vscode' ? 'in VS Code' : by.kind === 'terminal' ? 'at the computer' : '';
  switch (resolution) {
    case 'allowed':
      return `Approved ${where}`.trim();
    case 'denied':
      return `Denied ${where}`.trim();
    case 'expired':
      return 'Approval request expired';
    default:
      return 'Approval request cancelled';
  }
}
