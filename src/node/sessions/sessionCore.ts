// What every agent session Walkie follows has in common, whether Walkie spawned the CLI in a pty
// (AgentSession) or the user started it by hand and it reached Walkie through the attach hook
// (AttachedSession): the chat, rebuilt from the transcript the hook calls name (TranscriptTailer +
// the adapter's ChatReader); device prompts delivered exactly once (PromptLedger waits for the UserPromptSubmit hook
// to confirm them); every tool call gated (ToolGate + ApprovalBroker; bypass mode → deny and flag); and the
// status that the hooks and the broker drive. Each session composes one SessionCore and keeps only what
// differs: how the CLI runs, how text reaches it and how its end is noticed.
import crypto from 'node:crypto';
import path from 'node:path';
import type { ApprovalBroker } from '../../core/approvals/approvalBroker';
import { ChatLog } from '../../core/host/chatLog';
import type { Clock } from '../../core/base/clock';
import { type Disposable, DisposableStore } from '../../core/base/dispose';
import { Emitter, type Event } from '../../core/base/event';
import type { Logger } from '../../core/base/logger';
import { LIMITS, type ChatEvent, type SessionInfo, type SessionStatus } from '../../core/wire/protocol';
import { capText, redactSecrets } from '../../core/redaction/secretScanner';
import type { ToolPolicy } from '../../core/approvals/toolPolicy';
import type { AgentAdapter, ChatReader, HookEvent, SessionLaunch } from '../agents/agentAdapter';
import type { AuditLog } from './auditLog';
import { PromptLedger } from './promptLedger';
import { sanitizePrompt } from '../terminal/terminalInput';
import { ToolGate } from './toolGate';
import { TranscriptTailer } from './transcriptTailer';

export type ParsedHookEvent = Exclude<HookEvent, { kind: 'invalid' }>;

/** The failures the core raises; each session reports them through its own error class. */
export type SessionCoreErrorCode = 'SESSION_ERR_ENDED' | 'SESSION_ERR_PROMPT_TIMEOUT' | 'SESSION_ERR_EMPTY_PROMPT' | 'SESSION_ERR_PROMPT_REFUSED';

/** The options every kind of session takes (AgentSessionOptions and AttachedSessionOptions extend them). */
export interface SessionCoreOptions {
  readonly adapter: AgentAdapter;
  readonly cwd: string;
  readonly broker: ApprovalBroker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly workspaceRoot?: string;
  readonly policy?: ToolPolicy;
  readonly audit?: AuditLog;
  /** How long prompt() waits for the agent to confirm a prompt. Default 120 s. */
  readonly promptTimeoutMs?: number;
}

/** What tells one kind of session from the other where the core is concerned. */
export interface SessionKind {
  /** The status before the first event. */
  readonly status: SessionStatus;
  /** The session's title in info() (capped here). */
  readonly title: string;
  /** Whether Walkie launched the CLI (with its settings layer) or attached to one started by hand. */
  readonly launch: SessionLaunch;
  /** How log lines name the session: "session", "attached session". */
  readonly logName: string;
  /** Makes the owning session's error (AgentSessionError, AttachedSessionError). */
  readonly error: (code: SessionCoreErrorCode, message: string) => Error;
}

export class SessionCore implements Disposable {
  readonly id = crypto.randomBytes(9).toString('base64url');
  readonly chat: ChatLog;
  private readonly infoEmitter = new Emitter<SessionInfo>((e) => this.o.logger.error(`${this.kind.logName} ${this.id}: info listener failed: ${String(e)}`));
  readonly onInfo: Event<SessionInfo> = this.infoEmitter.event;
  private current: SessionStatus;
  private since: number;
  private readonly ledger: PromptLedger;
  private readonly gate: ToolGate;
  private readonly disposables = new DisposableStore();
  private tailer: TranscriptTailer | undefined;
  private reader: ChatReader | undefined;
  private typing: Promise<void> = Promise.resolve();
  private bypass = false;
  private agentId: string | undefined;
  private transcriptFile: string | undefined;

  constructor(
    private readonly o: SessionCoreOptions,
    private readonly kind: SessionKind,
  ) {
    this.current = kind.status;
    this.since = o.clock.now();
    this.chat = new ChatLog({ clock: o.clock });
    this.ledger = new PromptLedger(o.clock, (e) => this.append(e));
    this.gate = new ToolGate({
      session: this.id,
      adapter: o.adapter,
      broker: o.broker,
      clock: o.clock,
      logger: o.logger,
      cwd: o.cwd,
      workspaceRoot: o.workspaceRoot,
      policy: o.policy,
      audit: o.audit,
      onBypass: () => this.flagBypass(),
      onWaiting: (count) => {
        if (count > 0) this.setStatus('waiting');
        else if (this.current === 'waiting') this.setStatus('working');
      },
    });
  }

  get status(): SessionStatus {
    return this.current;
  }

  get ended(): boolean {
    return this.current === 'ended';
  }

  /** Set once the agent reported a permission-bypassing mode. */
  get bypassDetected(): boolean {
    return this.bypass;
  }

  /** The agent's own session id (what `--resume` takes), once a hook call named it. */
  get agentSessionId(): string | undefined {
    return this.agentId;
  }

  /** The transcript the agent writes, once a hook call named it. */
  get transcriptPath(): string | undefined {
    return this.transcriptFile;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      title: capText(this.kind.title, LIMITS.name * 2),
      agent: this.o.adapter.id,
      cwd: this.o.cwd,
      status: this.current,
      since: this.since,
      lastSeq: this.chat.lastSeq,
    };
  }

  /** Moves to `status` and tells the onInfo listeners; nothing leaves 'ended'. */
  setStatus(status: SessionStatus): void {
    if (this.current === status || this.current === 'ended') return;
    this.current = status;
    this.since = this.o.clock.now();
    this.infoEmitter.fire(this.info());
  }

  append(event: ChatEvent): void {
    this.chat.append(event);
  }

  /** Disposed when the session ends, after the core's own subscriptions. */
  track(...items: Disposable[]): void {
    this.disposables.add(...items);
  }

  /**
   * Hands a device prompt to the agent; resolves once the agent confirmed it, and a repeated clientId is
   * handed over once. `prepare` makes the session's own checks (throwing refuses the prompt) and returns what
   * types the cleaned text; the core runs one typing at a time, so two prompts never interleave.
   */
  async prompt(text: string, clientId: string, prepare: (typedText: string) => () => Promise<void> | void): Promise<void> {
    const earlier = this.ledger.existing(clientId);
    if (earlier) return earlier;
    if (this.ended) throw this.kind.error('SESSION_ERR_ENDED', 'the agent has exited');
    const clean = sanitizePrompt(text);
    if (!clean.trim()) throw this.kind.error('SESSION_ERR_EMPTY_PROMPT', 'the prompt is empty');
    // Security: the adapter decides, on the sanitised text, that it reaches the model as a prompt and is
    // never run by the CLI as a local command ('!' shell, slash commands, '@' file mentions).
    const prepared = this.o.adapter.preparePrompt(clean, this.kind.launch);
    if (!prepared.ok) throw this.kind.error('SESSION_ERR_PROMPT_REFUSED', prepared.message);
    const typedText = prepared.text;
    const type = prepare(typedText);
    const done = this.ledger.add(clientId, typedText, this.o.promptTimeoutMs ?? 120_000, () => this.kind.error('SESSION_ERR_PROMPT_TIMEOUT', 'the agent did not confirm the prompt'));
    done.catch(() => undefined);
    const typed = this.typing.then(type);
    this.typing = typed.catch(() => undefined);
    await typed.catch((e: unknown) => this.ledger.fail(clientId, e instanceof Error ? e : new Error(String(e))));
    return done;
  }

  /** What any hook call tells, whatever its kind: where the transcript is, and whether permissions are bypassed. */
  observe(ev: ParsedHookEvent): void {
    if (ev.agentSessionId && !this.ended) this.agentId = ev.agentSessionId;
    this.followTranscript(ev);
    if (ev.bypass) this.flagBypass();
  }

  /** The agent's answer to a hook call: the gate's decision for a tool call, otherwise 'defer' after noting it. */
  async answer(ev: ParsedHookEvent, signal: AbortSignal): Promise<unknown> {
    const { adapter } = this.o;
    switch (ev.kind) {
      case 'tool':
        if (this.ended) return adapter.answer(ev, { kind: 'deny', reason: 'The Walkie session has ended.' });
        return adapter.answer(ev, await this.gate.decide(ev, signal));
      case 'prompt':
        this.onPromptSubmitted(ev.prompt, ev.raw, ev.injected === true);
        break;
      case 'stop':
        this.settle();
        break;
    }
    return adapter.answer(ev, { kind: 'defer' });
  }

  /** Marks the session ended: pending approvals are cancelled, waiting prompts fail, the transcript is drained. */
  end(message: string): void {
    if (this.ended) return;
    this.setStatus('ended');
    this.o.broker.cancelSession(this.id, { kind: 'agent' }, message);
    this.ledger.failAll(this.kind.error('SESSION_ERR_ENDED', 'the agent has exited'));
    // Drain what the transcript got last, then stop following it.
    this.tailer?.readMore();
    this.ledger.flushEchoes();
    this.cleanup();
  }

  /** Stops following the transcript and disposes what was tracked. */
  cleanup(): void {
    this.tailer?.dispose();
    this.tailer = undefined;
    try {
      this.disposables.dispose();
    } catch (e) {
      this.o.logger.error(`${this.kind.logName} ${this.id}: cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Drops the onInfo listeners. */
  dispose(): void {
    this.infoEmitter.dispose();
  }

  /** A turn is over (Stop, or an interrupt in the transcript). */
  private settle(): void {
    if (this.current === 'working' || this.current === 'waiting') this.setStatus('idle');
  }

  private onPromptSubmitted(prompt: string, raw = prompt, injected = false): void {
    const shown = capText(redactSecrets(prompt).text, LIMITS.text);
    const clientId = this.ledger.confirm(prompt);
    if (injected && !clientId) {
      // The agent's own input (a task notification): nobody typed it, and what it carries (a subagent's
      // result, temp paths) is not chat. The turn it starts still makes the session busy.
      if (!this.ended) this.setStatus('working');
      return;
    }
    this.ledger.expectEcho([prompt, raw, shown], clientId ? { kind: 'user', text: shown, source: 'device', clientId } : { kind: 'user', text: shown, source: 'terminal' });
    if (!this.ended) this.setStatus('working');
  }

  /**
   * Follows a transcript known before the agent's first hook call (a resumed session: the agent appends to
   * its old file), so the earlier conversation shows at once. A later hook naming another file moves it.
   */
  followKnownTranscript(file: string): void {
    this.followTranscript({ transcriptPath: file });
  }

  /** Starts (or moves) the transcript tailer to the file the agent names; the first read rebuilds history. */
  private followTranscript(ev: Pick<ParsedHookEvent, 'transcriptPath'>): void {
    const file = ev.transcriptPath;
    if (!file || !path.isAbsolute(file) || !file.endsWith('.jsonl') || this.tailer?.file === file || this.ended) return;
    this.tailer?.dispose();
    this.transcriptFile = file;
    const reader = this.o.adapter.createChatReader(this.o.cwd);
    this.reader = reader;
    this.tailer = new TranscriptTailer({ file, logger: this.o.logger, onLine: (line) => this.onTranscriptLine(reader, line) });
  }

  private onTranscriptLine(reader: ChatReader, line: string): void {
    if (reader !== this.reader) return;
    if (this.o.adapter.isInterruptRecord(line)) this.settle();
    for (const event of reader.feed(line)) {
      // A prompt the hook confirmed: its event (with clientId and source) takes the transcript copy's place.
      const echo = event.kind === 'user' ? this.ledger.takeEcho(event.text) : undefined;
      if (echo !== 'drop') this.append(echo ?? event);
    }
  }

  private flagBypass(): void {
    if (this.bypass) return;
    this.bypass = true;
    this.o.logger.warn(`${this.kind.logName} ${this.id}: the agent reported a permission-bypassing mode; every tool call is denied while it lasts`);
    this.append({ kind: 'notice', text: 'The agent switched to a mode that bypasses permission checks. Walkie blocks every tool call while it is in that mode.' });
  }
}
