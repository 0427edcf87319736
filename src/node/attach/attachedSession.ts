// A Claude Code session the user started by hand in a terminal, attached through the attach hook
// (src/node/attach/attachServer.ts). Walkie did not spawn it, so everything comes from its hook calls: the chat
// from the transcript they name, the status from the events, approvals through the same ToolGate and
// ApprovalBroker as a wrapped session (bypass mode → deny and flag) — all of that is the SessionCore it
// shares with AgentSession — and prompts / interrupts through a `Typer` that finds the TerminalInput of the
// terminal the CLI runs in (VS Code finds it by the CLI's pid). A device prompt arrives exactly once:
// PromptLedger waits for the UserPromptSubmit hook to confirm it.
//
// Status: idle → working (prompt submitted, or a tool call) → waiting (an approval is pending) → working →
// idle (Stop, or an interrupt in the transcript) → ended (SessionEnd, or the CLI's process is gone).
import crypto from 'node:crypto';
import path from 'node:path';
import type { ChatLog } from '../../core/host/chatLog';
import type { TimerHandle } from '../../core/base/clock';
import type { Disposable } from '../../core/base/dispose';
import type { Event } from '../../core/base/event';
import type { SessionHandle } from '../../core/host/hostService';
import type { SessionInfo } from '../../core/wire/protocol';
import { capText } from '../../core/redaction/secretScanner';
import { isAlive } from './attachRegistry';
import type { TerminalInput } from '../terminal/terminalInput';
import { SessionCore, type ParsedHookEvent, type SessionCoreErrorCode, type SessionCoreOptions } from '../sessions/sessionCore';
import { errorName } from '../../core/base/errorName';

export type { ParsedHookEvent } from '../sessions/sessionCore';

/** Finds the terminal of the CLI with this pid (VS Code: the terminal whose process is an ancestor of it). */
export type Typer = (claudePid: number) => TerminalInput | undefined;

export type AttachedSessionErrorCode = SessionCoreErrorCode | 'SESSION_ERR_NO_TERMINAL' | 'SESSION_ERR_LOCAL_PROMPT';

export class AttachedSessionError extends Error {
  constructor(
    readonly code: AttachedSessionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AttachedSessionError';
  }
}

export interface AttachedSessionOptions extends SessionCoreOptions {
  /** The CLI's own session id (`session_id`). */
  readonly agentSessionId: string;
  readonly typer: Typer;
  /** How often to check that the CLI's process still runs. Default 2 s. */
  readonly livenessMs?: number;
}

export class AttachedSession implements SessionHandle, Disposable {
  readonly id: string;
  readonly chat: ChatLog;
  readonly onInfo: Event<SessionInfo>;
  /** The chat, the gate, the prompt ledger and the status: what AgentSession has too. */
  private readonly core: SessionCore;
  private liveness: TimerHandle | undefined;
  /** The CLI shows its own permission prompt in the terminal: Enter typed now would answer it. */
  private localPrompt = false;
  /** The CLI's process, from its latest hook call. */
  claudePid: number | undefined;

  constructor(private readonly o: AttachedSessionOptions) {
    this.core = new SessionCore(o, {
      status: 'idle',
      title: `${path.basename(o.cwd) || o.adapter.displayName} (terminal)`,
      launch: 'attached',
      logName: 'attached session',
      error: (code, message) => new AttachedSessionError(code, message),
    });
    this.id = this.core.id;
    this.chat = this.core.chat;
    this.onInfo = this.core.onInfo;
    this.core.track({ dispose: () => this.stopWatching() });
    this.core.append({ kind: 'notice', text: `Attached to a ${o.adapter.displayName} session started in a terminal.` });
  }

  /** The adapter of the agent this session runs. */
  get adapter(): SessionCoreOptions['adapter'] {
    return this.o.adapter;
  }

  get agentSessionId(): string {
    return this.o.agentSessionId;
  }

  get ended(): boolean {
    return this.core.ended;
  }

  /** Set once the agent reported a permission-bypassing mode. */
  get bypassDetected(): boolean {
    return this.core.bypassDetected;
  }

  info(): SessionInfo {
    return this.core.info();
  }

  /** Types a prompt into the CLI's terminal; resolves once the agent confirmed it. A repeated clientId is typed once. */
  prompt(text: string, clientId: string = crypto.randomBytes(9).toString('base64url')): Promise<void> {
    return this.core.prompt(text, clientId, (typedText) => {
      this.checkNoLocalPrompt();
      const terminal = this.terminal();
      if (!terminal) throw new AttachedSessionError('SESSION_ERR_NO_TERMINAL', 'the terminal this agent runs in was not found');
      return () => {
        if (this.core.ended) return;
        this.checkNoLocalPrompt();
        return terminal.paste(typedText);
      };
    });
  }

  interrupt(): void {
    if (!this.core.ended) this.terminal()?.interrupt();
  }

  /**
   * Walkie stops following this session: it ends here (pending approvals cancelled, waiting prompts fail).
   * The CLI itself is the user's and keeps running in its terminal; Walkie never kills it.
   */
  async stop(): Promise<void> {
    this.end('Walkie stopped following this session.');
  }

  /**
   * One hook call of this session (from AttachServer). Returns the agent's answer. `notificationType` is the
   * Notification event's `notification_type`, which the adapter's event does not carry.
   */
  async handleHook(ev: ParsedHookEvent, claudePid: number | undefined, signal: AbortSignal, notificationType?: string): Promise<unknown> {
    const { core } = this;
    if (claudePid !== undefined && claudePid !== this.claudePid) {
      this.claudePid = claudePid;
      this.watchProcess();
    }
    core.observe(ev);
    if (ev.eventName === 'Notification') {
      if (notificationType === 'permission_prompt') this.onLocalPrompt();
    } else if (this.localPrompt) {
      // Any other event means the CLI moved on from its prompt.
      this.localPrompt = false;
      if (core.status === 'waiting' && this.o.broker.pending(this.id).length === 0) core.setStatus('working');
    }
    // Attached mid-turn, the first sign of the turn may be a tool call.
    if (ev.kind === 'tool' && core.status === 'idle') core.setStatus('working');
    if (ev.kind === 'end') this.end(`The agent's session ended${ev.reason ? ` (${capText(ev.reason, 64)})` : ''}.`);
    if (ev.kind === 'other' && ev.eventName === 'SessionStart') core.setStatus('idle');
    return core.answer(ev, signal);
  }

  /** Marks the session ended: pending approvals are cancelled, waiting prompts fail, the transcript is drained. */
  end(message = 'The agent exited.'): void {
    if (this.core.ended) return;
    this.o.logger.info(`attached session ${this.id}: ended`);
    this.core.end(message);
  }

  dispose(): void {
    this.end('Walkie stopped following this session.');
    this.core.dispose();
  }

  /**
   * Security: a device prompt ends with Enter, which would answer a permission prompt on the terminal's
   * screen (the CLI shows one when Walkie did not answer, e.g. while the host was down). No typing then.
   */
  private checkNoLocalPrompt(): void {
    if (this.localPrompt) throw new AttachedSessionError('SESSION_ERR_LOCAL_PROMPT', 'the agent is asking for permission in its terminal; answer it there first');
  }

  private onLocalPrompt(): void {
    if (this.core.ended) return;
    this.localPrompt = true;
    this.core.append({ kind: 'notice', text: `${this.o.adapter.displayName} is asking for permission in its terminal.` });
    this.core.setStatus('waiting');
  }

  private terminal(): TerminalInput | undefined {
    if (this.claudePid === undefined) return undefined;
    try {
      return this.o.typer(this.claudePid);
    } catch (e) {
      this.o.logger.warn(`attached session ${this.id}: typer failed: ${errorName(e)}`);
      return undefined;
    }
  }

  /** Polls the CLI's pid: a killed CLI sends no SessionEnd. */
  private watchProcess(): void {
    this.stopWatching();
    const tick = () => {
      this.liveness = undefined;
      if (this.core.ended || this.claudePid === undefined) return;
      if (!isAlive(this.claudePid)) return this.end();
      this.liveness = this.o.clock.setTimeout(tick, this.o.livenessMs ?? 2000);
    };
    this.liveness = this.o.clock.setTimeout(tick, this.o.livenessMs ?? 2000);
  }

  private stopWatching(): void {
    if (this.liveness !== undefined) this.o.clock.clearTimeout(this.liveness);
    this.liveness = undefined;
  }
}
