// One agent CLI running in a pty with every tool call gated at its hook: the adapter checks the arguments
// and the CLI version before anything is spawned, the hook server route carries the gate and the status
// events, the transcript tailer feeds the chat. The agent's terminal UI is left as it is: the user can keep
// typing in it (write / onOutput mirror it), while prompt() and interrupt() drive it from a device.
//
// Status: starting → idle (prompt box on screen) → working (prompt submitted) → waiting (an approval is
// pending) → working → idle (Stop, or an interrupt in the transcript) → ended (the process exited).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_EXPIRY_MS, type ApprovalBroker } from '../core/approvalBroker';
import { ChatLog } from '../core/chatLog';
import type { Clock } from '../core/clock';
import { type Disposable, disposeAll } from '../core/dispose';
import { Emitter, type Event } from '../core/event';
import type { Logger } from '../core/logger';
import { LIMITS, type ChatEvent, type SessionInfo, type SessionStatus } from '../core/protocol';
import { capText, redactSecrets } from '../core/secretScanner';
import type { ToolPolicy } from '../core/toolPolicy';
import { TranscriptReader } from '../core/transcript';
import type { AgentAdapter, HookEvent } from './agents/agentAdapter';
import type { AuditLog } from './auditLog';
import { HookServer, type HookRoute } from './hookServer';
import { PromptLedger } from './promptLedger';
import { PtyProcess, sanitizePrompt } from './ptyProcess';
import { plainText } from './terminalText';
import { ToolGate } from './toolGate';
import { TranscriptTailer } from './transcriptTailer';

export type AgentSessionErrorCode = 'SESSION_ERR_ENDED' | 'SESSION_ERR_NOT_READY' | 'SESSION_ERR_PROMPT_TIMEOUT' | 'SESSION_ERR_EMPTY_PROMPT';

export class AgentSessionError extends Error {
  constructor(
    readonly code: AgentSessionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentSessionError';
  }
}

export interface AgentSessionOptions {
  readonly adapter: AgentAdapter;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly broker: ApprovalBroker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit?: AuditLog;
  readonly env?: NodeJS.ProcessEnv;
  readonly cols?: number;
  readonly rows?: number;
  readonly policy?: ToolPolicy;
  /** The broker's approval expiry; the agent's gate hook timeout is set just above it. */
  readonly expiryMs?: number;
  /** A shared hook server; by default the session runs its own and closes it at the end. */
  readonly hookServer?: HookServer;
  readonly title?: string;
  readonly workspaceRoot?: string;
  /** How long prompt() waits for the prompt box. Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** How long prompt() waits for the agent to confirm a prompt. Default 120 s. */
  readonly promptTimeoutMs?: number;
}

export class AgentSession implements Disposable {
  readonly id = crypto.randomBytes(9).toString('base64url');
  readonly chat: ChatLog;
  private readonly infoEmitter = new Emitter<SessionInfo>();
  private readonly outputEmitter = new Emitter<string>();
  private readonly exitEmitter = new Emitter<number>();
  readonly onInfo: Event<SessionInfo> = this.infoEmitter.event;
  readonly onOutput: Event<string> = this.outputEmitter.event;
  readonly onExit: Event<number> = this.exitEmitter.event;

  private status: SessionStatus = 'starting';
  private since: number;
  private screenTail = '';
  private isReady = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly ledger: PromptLedger;
  private readonly gate: ToolGate;
  private readonly disposables: Disposable[] = [];
  private route: HookRoute | undefined;
  private pty: PtyProcess | undefined;
  private tailer: TranscriptTailer | undefined;
  private reader: TranscriptReader | undefined;
  private typing: Promise<void> = Promise.resolve();
  private exited: Promise<number>;
  private markExited!: (code: number) => void;
  /** Set once the agent reported a permission-bypassing mode. */
  bypassDetected = false;

  /** Checks the arguments and the CLI (spawning nothing on a refusal), then starts the agent. */
  static async start(o: AgentSessionOptions): Promise<AgentSession> {
    // Security: refuse gate-breaking arguments before anything at all is spawned (even `--version`).
    o.adapter.validateArgs(o.argv);
    const env = o.env ?? process.env;
    const bin = o.adapter.resolveBinary(env);
    await o.adapter.checkVersion(bin, env);
    const server = o.hookServer ?? (await HookServer.listen({ logger: o.logger }));
    const session = new AgentSession(o);
    if (!o.hookServer) session.disposables.push(server);
    try {
      session.launch(server, bin, env);
    } catch (e) {
      session.cleanup();
      throw e;
    }
    return session;
  }

  private constructor(private readonly o: AgentSessionOptions) {
    this.since = o.clock.now();
    this.chat = new ChatLog({ clock: o.clock });
    this.ledger = new PromptLedger(o.clock, (e) => this.append(e));
    this.ready = new Promise((r) => (this.markReady = r));
    this.exited = new Promise((r) => (this.markExited = r));
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
  }

  private launch(server: HookServer, bin: string, env: NodeJS.ProcessEnv): void {
    const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-agent-'));
    this.disposables.push({ dispose: () => fs.rmSync(privateDir, { recursive: true, force: true }) });
    this.route = server.addRoute((body, signal) => this.onHook(body, signal));
    this.disposables.push(this.route);
    const hookTimeoutSec = Math.ceil((this.o.expiryMs ?? DEFAULT_EXPIRY_MS) / 1000) + 5;
    const plan = this.o.adapter.prepareLaunch(bin, this.o.argv, { hookUrl: this.route.url, hookTimeoutSec, env, privateDir });
    for (const text of plan.notices) this.append({ kind: 'notice', text });
    const proc = new PtyProcess({ command: plan.command, args: plan.args, cwd: this.o.cwd, env: plan.env, cols: this.o.cols, rows: this.o.rows });
    this.pty = proc;
    proc.onData((d) => this.onData(d));
    proc.onExit((code) => this.onProcessExit(code));
    this.o.logger.info(`session ${this.id}: started ${this.o.adapter.displayName} (pid ${proc.pid})`);
  }

  info(): SessionInfo {
    return {
      id: this.id,
      title: capText(this.o.title || path.basename(this.o.cwd) || this.o.adapter.displayName, LIMITS.name * 2),
      agent: this.o.adapter.id,
      cwd: this.o.cwd,
      status: this.status,
      since: this.since,
      lastSeq: this.chat.lastSeq,
    };
  }

  get pid(): number | undefined {
    return this.pty?.pid;
  }

  /** User keystrokes from a terminal mirror. */
  write(data: string): void {
    this.pty?.write(data);
  }

  resize(cols: number, rows: number): void {
    this.pty?.resize(cols, rows);
  }

  /** Types a prompt into the agent; resolves once the agent confirmed it. A repeated clientId is typed once. */
  async prompt(text: string, clientId: string = crypto.randomBytes(9).toString('base64url')): Promise<void> {
    const earlier = this.ledger.existing(clientId);
    if (earlier) return earlier;
    if (this.status === 'ended') throw new AgentSessionError('SESSION_ERR_ENDED', 'the agent has exited');
    const typedText = sanitizePrompt(text);
    if (!typedText.trim()) throw new AgentSessionError('SESSION_ERR_EMPTY_PROMPT', 'the prompt is empty');
    const done = this.ledger.add(clientId, typedText, this.o.promptTimeoutMs ?? 120_000, () => new AgentSessionError('SESSION_ERR_PROMPT_TIMEOUT', 'the agent did not confirm the prompt'));
    done.catch(() => undefined);
    // One prompt typed at a time, and only once the prompt box is on screen (a startup dialog must never
    // receive typed text: Enter could pick one of its options).
    const typed = this.typing.then(async () => {
      await this.waitReady();
      if (this.status !== 'ended') await this.pty?.typePrompt(typedText);
    });
    this.typing = typed.catch(() => undefined);
    await typed.catch((e: unknown) => this.ledger.fail(clientId, e instanceof Error ? e : new Error(String(e))));
    return done;
  }

  interrupt(): void {
    this.pty?.interrupt();
  }

  /** Ends the agent (SIGHUP, then SIGKILL after 5 s) and resolves once it has exited. */
  async stop(): Promise<void> {
    if (!this.pty || this.pty.exited !== undefined) return;
    this.pty.kill('SIGHUP');
    const timer = setTimeout(() => this.pty?.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  dispose(): void {
    void this.stop();
  }

  private async waitReady(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AgentSessionError('SESSION_ERR_NOT_READY', 'the agent never showed its prompt box')), this.o.readyTimeoutMs ?? 30_000);
    });
    try {
      await Promise.race([this.ready, timeout, this.exited.then(() => Promise.reject(new AgentSessionError('SESSION_ERR_ENDED', 'the agent has exited')))]);
    } finally {
      clearTimeout(timer);
    }
  }

  private onData(data: string): void {
    this.outputEmitter.fire(data, (e) => this.o.logger.error(`session ${this.id}: output listener failed: ${String(e)}`));
    if (this.isReady) return;
    this.screenTail = (this.screenTail + plainText(data)).slice(-4096);
    if (this.o.adapter.isReadyScreen(this.screenTail)) {
      this.isReady = true;
      this.screenTail = '';
      // (A prompt given on the command line may already have made it 'working'.)
      if (this.status === 'starting') this.setStatus('idle');
      this.markReady();
    }
  }

  private async onHook(body: unknown, signal: AbortSignal): Promise<unknown> {
    const { adapter, logger } = this.o;
    const ev = adapter.parseHookInput(body);
    if (ev.kind === 'invalid') {
      logger.warn(`session ${this.id}: invalid ${ev.eventName ?? 'hook'} call (${ev.reason})${ev.gate ? ': denied' : ''}`);
      return adapter.answer(ev, { kind: 'deny', reason: 'invalid hook input' });
    }
    this.followTranscript(ev);
    if (ev.bypass) this.flagBypass();
    switch (ev.kind) {
      case 'tool':
        if (this.status === 'ended') return adapter.answer(ev, { kind: 'deny', reason: 'The Walkie session has ended.' });
        return adapter.answer(ev, await this.gate.decide(ev, signal));
      case 'prompt':
        this.onPromptSubmitted(ev.prompt, ev.raw);
        break;
      case 'stop':
        if (this.status === 'working' || this.status === 'waiting') this.setStatus('idle');
        break;
    }
    return adapter.answer(ev, { kind: 'defer' });
  }

  private onPromptSubmitted(prompt: string, raw = prompt): void {
    const shown = capText(redactSecrets(prompt).text, LIMITS.text);
    const clientId = this.ledger.confirm(prompt);
    this.ledger.expectEcho([prompt, raw, shown], clientId ? { kind: 'user', text: shown, source: 'device', clientId } : { kind: 'user', text: shown, source: 'terminal' });
    if (this.status !== 'ended') this.setStatus('working');
  }

  /** Starts (or moves) the transcript tailer to the file the agent names; the first read rebuilds history. */
  private followTranscript(ev: Exclude<HookEvent, { kind: 'invalid' }>): void {
    const file = ev.transcriptPath;
    if (!file || !path.isAbsolute(file) || !file.endsWith('.jsonl') || this.tailer?.file === file || this.status === 'ended') return;
    this.tailer?.dispose();
    this.reader = new TranscriptReader({ cwd: this.o.cwd });
    const reader = this.reader;
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
    this.o.logger.warn(`session ${this.id}: the agent reported a permission-bypassing mode; every tool call is denied while it lasts`);
    this.append({ kind: 'notice', text: 'The agent switched to a mode that bypasses permission checks. Walkie blocks every tool call while it is in that mode.' });
  }

  private append(event: ChatEvent): void {
    this.chat.append(event);
  }

  private setStatus(status: SessionStatus): void {
    if (this.status === status || this.status === 'ended') return;
    this.status = status;
    this.since = this.o.clock.now();
    this.infoEmitter.fire(this.info(), (e) => this.o.logger.error(`session ${this.id}: info listener failed: ${String(e)}`));
  }

  private onProcessExit(code: number): void {
    this.o.logger.info(`session ${this.id}: agent exited (${code})`);
    this.setStatus('ended');
    this.o.broker.cancelSession(this.id, 'agent', 'The agent exited.');
    this.ledger.failAll(new AgentSessionError('SESSION_ERR_ENDED', 'the agent has exited'));
    // Drain what the transcript got last, then stop following it.
    this.tailer?.readMore();
    this.ledger.flushEchoes();
    this.cleanup();
    this.markExited(code);
    this.exitEmitter.fire(code);
  }

  private cleanup(): void {
    this.tailer?.dispose();
    this.tailer = undefined;
    try {
      disposeAll(this.disposables.splice(0));
    } catch (e) {
      this.o.logger.error(`session ${this.id}: cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
