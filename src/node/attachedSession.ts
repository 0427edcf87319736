// A Claude Code session the user started by hand in a terminal, attached through the attach hook
// (src/node/attachServer.ts). Walkie did not spawn it, so everything comes from its hook calls: the chat
// from the transcript they name (TranscriptTailer + TranscriptReader, like AgentSession), the status from
// the events, approvals through the same ToolGate and ApprovalBroker as a wrapped session (bypass mode →
// deny and flag), and prompts / interrupts through a `Typer` that reaches the terminal the CLI runs in
// (VS Code finds it by the CLI's pid). A device prompt arrives exactly once: PromptLedger waits for the
// UserPromptSubmit hook to confirm it.
//
// Status: idle → working (prompt submitted, or a tool call) → waiting (an approval is pending) → working →
// idle (Stop, or an interrupt in the transcript) → ended (SessionEnd, or the CLI's process is gone).
import crypto from 'node:crypto';
import path from 'node:path';
import type { ApprovalBroker } from '../core/approvalBroker';
import { ChatLog } from '../core/chatLog';
import type { Clock, TimerHandle } from '../core/clock';
import { type Disposable, disposeAll } from '../core/dispose';
import { Emitter, type Event } from '../core/event';
import type { SessionHandle } from '../core/hostService';
import type { Logger } from '../core/logger';
import { LIMITS, type ChatEvent, type SessionInfo, type SessionStatus } from '../core/protocol';
import { capText, redactSecrets } from '../core/secretScanner';
import type { ToolPolicy } from '../core/toolPolicy';
import { TranscriptReader } from '../core/transcript';
import type { AgentAdapter, HookEvent } from './agents/agentAdapter';
import type { AuditLog } from './auditLog';
import { isAlive } from './attachRegistry';
import { PromptLedger } from './promptLedger';
import { sanitizePrompt } from './ptyProcess';
import { ToolGate } from './toolGate';
import { TranscriptTailer } from './transcriptTailer';

/** Types into the terminal a hand-started CLI runs in. */
export interface TerminalTyper {
  /** Types `text` as a bracketed paste, then Enter. */
  paste(text: string): Promise<void>;
  /** A lone Esc. */
  interrupt(): void;
}

/** Finds the terminal of the CLI with this pid (VS Code: the terminal whose process is an ancestor of it). */
export type Typer = (claudePid: number) => TerminalTyper | undefined;

export type AttachedSessionErrorCode =
  | 'SESSION_ERR_ENDED'
  | 'SESSION_ERR_NO_TERMINAL'
  | 'SESSION_ERR_LOCAL_PROMPT'
  | 'SESSION_ERR_PROMPT_TIMEOUT'
  | 'SESSION_ERR_EMPTY_PROMPT';

export class AttachedSessionError extends Error {
  constructor(
    readonly code: AttachedSessionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AttachedSessionError';
  }
}

export type ParsedHookEvent = Exclude<HookEvent, { kind: 'invalid' }>;

export interface AttachedSessionOptions {
  /** The CLI's own session id (`session_id`). */
  readonly agentSessionId: string;
  readonly cwd: string;
  readonly adapter: AgentAdapter;
  readonly broker: ApprovalBroker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly typer: Typer;
  readonly workspaceRoot?: string;
  readonly policy?: ToolPolicy;
  readonly audit?: AuditLog;
  /** How long prompt() waits for the agent to confirm a prompt. Default 120 s. */
  readonly promptTimeoutMs?: number;
  /** How often to check that the CLI's process still runs. Default 2 s. */
  readonly livenessMs?: number;
}

export class AttachedSession implements SessionHandle, Disposable {
  readonly id = crypto.randomBytes(9).toString('base64url');
  readonly chat: ChatLog;
  private readonly infoEmitter = new Emitter<SessionInfo>();
  readonly onInfo: Event<SessionInfo> = this.infoEmitter.event;
  private status: SessionStatus = 'idle';
  private since: number;
  private readonly ledger: PromptLedger;
  private readonly gate: ToolGate;
  private readonly disposables: Disposable[] = [];
  private tailer: TranscriptTailer | undefined;
  private reader: TranscriptReader | undefined;
  private typing: Promise<void> = Promise.resolve();
  private liveness: TimerHandle | undefined;
  /** The CLI shows its own permission prompt in the terminal: Enter typed now would answer it. */
  private localPrompt = false;
  /** The CLI's process, from its latest hook call. */
  claudePid: number | undefined;
  /** Set once the agent reported a permission-bypassing mode. */
  bypassDetected = false;

  constructor(private readonly o: AttachedSessionOptions) {
    this.since = o.clock.now();
    this.chat = new ChatLog({ clock: o.clock });
    this.ledger = new PromptLedger(o.clock, (e) => this.chat.append(e));
    this.gate = new ToolGate({
      session: this.id,
      broker: o.broker,
      clock: o.clock,
      logger: o.logger,
      cwd: o.cwd,
      workspaceRoot: o.workspaceRoot,
      policy: o.policy,
      audit: o.audit,
      onBypass: () => this.flagBypass(),
    });
    this.disposables.push(
      o.broker.onRequest((r) => {
        if (r.session === this.id && this.status !== 'ended') this.setStatus('waiting');
      }),
      o.broker.onResolved(({ request }) => {
        if (request.session === this.id && this.status === 'waiting' && o.broker.pending(this.id).length === 0) this.setStatus('working');
      }),
    );
    this.chat.append({ kind: 'notice', text: 'Attached to a Claude Code session started in a terminal.' });
  }

  get agentSessionId(): string {
    return this.o.agentSessionId;
  }

  get ended(): boolean {
    return this.status === 'ended';
  }

  info(): SessionInfo {
    return {
      id: this.id,
      title: capText(`${path.basename(this.o.cwd) || this.o.adapter.displayName} (terminal)`, LIMITS.name * 2),
      agent: this.o.adapter.id,
      cwd: this.o.cwd,
      status: this.status,
      since: this.since,
      lastSeq: this.chat.lastSeq,
    };
  }

  /** Types a prompt into the CLI's terminal; resolves once the agent confirmed it. A repeated clientId is typed once. */
  async prompt(text: string, clientId: string = crypto.randomBytes(9).toString('base64url')): Promise<void> {
    const earlier = this.ledger.existing(clientId);
    if (earlier) return earlier;
    if (this.status === 'ended') throw new AttachedSessionError('SESSION_ERR_ENDED', 'the agent has exited');
    const typedText = sanitizePrompt(text);
    if (!typedText.trim()) throw new AttachedSessionError('SESSION_ERR_EMPTY_PROMPT', 'the prompt is empty');
    this.checkNoLocalPrompt();
    const terminal = this.terminal();
    if (!terminal) throw new AttachedSessionError('SESSION_ERR_NO_TERMINAL', 'the terminal this agent runs in was not found');
    const done = this.ledger.add(clientId, typedText, this.o.promptTimeoutMs ?? 120_000, () => new AttachedSessionError('SESSION_ERR_PROMPT_TIMEOUT', 'the agent did not confirm the prompt'));
    done.catch(() => undefined);
    // One prompt typed at a time (two pastes must not interleave).
    const typed = this.typing.then(() => {
      if (this.status === 'ended') return;
      this.checkNoLocalPrompt();
      return terminal.paste(typedText);
    });
    this.typing = typed.catch(() => undefined);
    await typed.catch((e: unknown) => this.ledger.fail(clientId, e instanceof Error ? e : new Error(String(e))));
    return done;
  }

  interrupt(): void {
    if (this.status !== 'ended') this.terminal()?.interrupt();
  }

  /**
   * One hook call of this session (from AttachServer). Returns the agent's answer. `notificationType` is the
   * Notification event's `notification_type`, which the adapter's event does not carry.
   */
  async handleHook(ev: ParsedHookEvent, claudePid: number | undefined, signal: AbortSignal, notificationType?: string): Promise<unknown> {
    const { adapter } = this.o;
    if (claudePid !== undefined && claudePid !== this.claudePid) {
      this.claudePid = claudePid;
      this.watchProcess();
    }
    this.followTranscript(ev);
    if (ev.bypass) this.flagBypass();
    if (ev.eventName === 'Notification') {
      if (notificationType === 'permission_prompt') this.onLocalPrompt();
    } else if (this.localPrompt) {
      // Any other event means the CLI moved on from its prompt.
      this.localPrompt = false;
      if (this.status === 'waiting' && this.o.broker.pending(this.id).length === 0) this.setStatus('working');
    }
    switch (ev.kind) {
      case 'tool':
        if (this.status === 'ended') return adapter.answer(ev, { kind: 'deny', reason: 'The Walkie session has ended.' });
        if (this.status === 'idle') this.setStatus('working');
        return adapter.answer(ev, await this.gate.decide(ev, signal));
      case 'prompt':
        this.onPromptSubmitted(ev.prompt, ev.raw);
        break;
      case 'stop':
        if (this.status === 'working' || this.status === 'waiting') this.setStatus('idle');
        break;
      case 'end':
        this.end(`The agent's session ended${ev.reason ? ` (${capText(ev.reason, 64)})` : ''}.`);
        break;
      case 'other':
        if (ev.eventName === 'SessionStart' && this.status !== 'ended') this.setStatus('idle');
        break;
    }
    return adapter.answer(ev, { kind: 'defer' });
  }

  /** Marks the session ended: pending approvals are cancelled, waiting prompts fail, the transcript is drained. */
  end(message = 'The agent exited.'): void {
    if (this.status === 'ended') return;
    this.o.logger.info(`attached session ${this.id}: ended`);
    this.setStatus('ended');
    this.o.broker.cancelSession(this.id, 'agent', message);
    this.ledger.failAll(new AttachedSessionError('SESSION_ERR_ENDED', 'the agent has exited'));
    this.tailer?.readMore();
    this.ledger.flushEchoes();
    this.cleanup();
  }

  dispose(): void {
    this.end('Walkie stopped following this session.');
    this.infoEmitter.dispose();
  }

  /**
   * Security: a device prompt ends with Enter, which would answer a permission prompt on the terminal's
   * screen (the CLI shows one when Walkie did not answer, e.g. while the host was down). No typing then.
   */
  private checkNoLocalPrompt(): void {
    if (this.localPrompt) throw new AttachedSessionError('SESSION_ERR_LOCAL_PROMPT', 'the agent is asking for permission in its terminal; answer it there first');
  }

  private onLocalPrompt(): void {
    if (this.status === 'ended') return;
    this.localPrompt = true;
    this.append({ kind: 'notice', text: 'Claude Code is asking for permission in its terminal.' });
    this.setStatus('waiting');
  }

  private terminal(): TerminalTyper | undefined {
    if (this.claudePid === undefined) return undefined;
    try {
      return this.o.typer(this.claudePid);
    } catch (e) {
      this.o.logger.warn(`attached session ${this.id}: typer failed: ${e instanceof Error ? e.name : 'error'}`);
      return undefined;
    }
  }

  /** Polls the CLI's pid: a killed CLI sends no SessionEnd. */
  private watchProcess(): void {
    if (this.liveness !== undefined) this.o.clock.clearTimeout(this.liveness);
    const tick = () => {
      this.liveness = undefined;
      if (this.status === 'ended' || this.claudePid === undefined) return;
      if (!isAlive(this.claudePid)) return this.end();
      this.liveness = this.o.clock.setTimeout(tick, this.o.livenessMs ?? 2000);
    };
    this.liveness = this.o.clock.setTimeout(tick, this.o.livenessMs ?? 2000);
  }

  private onPromptSubmitted(prompt: string, raw = prompt): void {
    const shown = capText(redactSecrets(prompt).text, LIMITS.text);
    const clientId = this.ledger.confirm(prompt);
    this.ledger.expectEcho([prompt, raw, shown], clientId ? { kind: 'user', text: shown, source: 'device', clientId } : { kind: 'user', text: shown, source: 'terminal' });
    if (this.status !== 'ended') this.setStatus('working');
  }

  /** Starts (or moves) the transcript tailer to the file the agent names; the first read rebuilds history. */
  private followTranscript(ev: ParsedHookEvent): void {
    const file = ev.transcriptPath;
    if (!file || !path.isAbsolute(file) || !file.endsWith('.jsonl') || this.tailer?.file === file || this.status === 'ended') return;
    this.tailer?.dispose();
    const reader = new TranscriptReader({ cwd: this.o.cwd });
    this.reader = reader;
    this.tailer = new TranscriptTailer({ file, logger: this.o.logger, onLine: (line) => this.onTranscriptLine(reader, line) });
  }

  private onTranscriptLine(reader: TranscriptReader, line: string): void {
    if (reader !== this.reader) return;
    if (this.o.adapter.isInterruptRecord(line) && (this.status === 'working' || this.status === 'waiting')) this.setStatus('idle');
    for (const event of reader.feed(line)) {
      // A prompt the hook confirmed: its event (with clientId and source) takes the transcript copy's place.
      const echo = event.kind === 'user' ? this.ledger.takeEcho(event.text) : undefined;
      if (echo !== 'drop') this.append(echo ?? event);
    }
  }

  private flagBypass(): void {
    if (this.bypassDetected) return;
    this.bypassDetected = true;
    this.o.logger.warn(`attached session ${this.id}: the agent reported a permission-bypassing mode; every tool call is denied while it lasts`);
    this.append({ kind: 'notice', text: 'The agent switched to a mode that bypasses permission checks. Walkie blocks every tool call while it is in that mode.' });
  }

  private append(event: ChatEvent): void {
    this.chat.append(event);
  }

  private setStatus(status: SessionStatus): void {
    if (this.status === status || this.status === 'ended') return;
    this.status = status;
    this.since = this.o.clock.now();
    this.infoEmitter.fire(this.info(), (e) => this.o.logger.error(`attached session ${this.id}: info listener failed: ${String(e)}`));
  }

  private cleanup(): void {
    if (this.liveness !== undefined) this.o.clock.clearTimeout(this.liveness);
    this.liveness = undefined;
    this.tailer?.dispose();
    this.tailer = undefined;
    try {
      disposeAll(this.disposables.splice(0));
    } catch (e) {
      this.o.logger.error(`attached session ${this.id}: cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
