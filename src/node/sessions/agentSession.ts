// One agent CLI running in a pty with every tool call gated at its hook: the adapter checks the arguments
// and the CLI version before anything is spawned, and a hook server route carries the hook calls to the
// SessionCore (gate, chat from the transcript, prompt ledger, status), which AttachedSession shares. The
// agent's terminal UI is left as it is: the user can keep typing in it (write / onOutput mirror it), while
// prompt() and interrupt() drive it from a device.
//
// Status: starting → idle (prompt box on screen) → working (prompt submitted) → waiting (an approval is
// pending) → working → idle (Stop, or an interrupt in the transcript) → ended (the process exited).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_EXPIRY_MS } from '../../core/approvals/approvalBroker';
import type { ChatLog } from '../../core/host/chatLog';
import type { Disposable } from '../../core/base/dispose';
import type { SessionHandle } from '../../core/host/hostService';
import { Emitter, type Event } from '../../core/base/event';
import type { SessionInfo } from '../../core/wire/protocol';
import { HookServer, type HookRoute } from './hookServer';
import { PtyProcess } from '../terminal/ptyProcess';
import { SessionCore, type SessionCoreErrorCode, type SessionCoreOptions } from './sessionCore';
import { plainText } from '../terminal/terminalText';

export type AgentSessionErrorCode = SessionCoreErrorCode | 'SESSION_ERR_NOT_READY';

export class AgentSessionError extends Error {
  constructor(
    readonly code: AgentSessionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentSessionError';
  }
}

export interface AgentSessionOptions extends SessionCoreOptions {
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cols?: number;
  readonly rows?: number;
  /** The broker's approval expiry; the agent's gate hook timeout is set just above it. */
  readonly expiryMs?: number;
  /** A shared hook server; by default the session runs its own and closes it at the end. */
  readonly hookServer?: HookServer;
  readonly title?: string;
  /** How long prompt() waits for the prompt box. Default 30 s. */
  readonly readyTimeoutMs?: number;
}

export class AgentSession implements SessionHandle, Disposable {
  readonly id: string;
  readonly chat: ChatLog;
  readonly onInfo: Event<SessionInfo>;
  /** The chat, the gate, the prompt ledger and the status: what AttachedSession has too. */
  private readonly core: SessionCore;
  private readonly outputEmitter = new Emitter<string>((e) => this.o.logger.error(`session ${this.id}: output listener failed: ${String(e)}`));
  private readonly exitEmitter = new Emitter<number>();
  readonly onOutput: Event<string> = this.outputEmitter.event;
  readonly onExit: Event<number> = this.exitEmitter.event;

  private screenTail = '';
  private isReady = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private route: HookRoute | undefined;
  private pty: PtyProcess | undefined;
  private exited: Promise<number>;
  private markExited!: (code: number) => void;

  /** Checks the arguments and the CLI (spawning nothing on a refusal), then starts the agent. */
  static async start(o: AgentSessionOptions): Promise<AgentSession> {
    // Security: refuse gate-breaking arguments before anything at all is spawned (even `--version`).
    o.adapter.validateArgs(o.argv);
    const env = o.env ?? process.env;
    const bin = o.adapter.resolveBinary(env);
    await o.adapter.checkVersion(bin, env);
    const server = o.hookServer ?? (await HookServer.listen({ logger: o.logger }));
    const session = new AgentSession(o);
    if (!o.hookServer) session.core.track(server);
    try {
      session.launch(server, bin, env);
    } catch (e) {
      session.core.cleanup();
      throw e;
    }
    return session;
  }

  private constructor(private readonly o: AgentSessionOptions) {
    this.core = new SessionCore(o, {
      status: 'starting',
      title: o.title || path.basename(o.cwd) || o.adapter.displayName,
      launch: 'wrapped',
      logName: 'session',
      error: (code, message) => new AgentSessionError(code, message),
    });
    this.id = this.core.id;
    this.chat = this.core.chat;
    this.onInfo = this.core.onInfo;
    this.ready = new Promise((r) => (this.markReady = r));
    this.exited = new Promise((r) => (this.markExited = r));
  }

  /** Set once the agent reported a permission-bypassing mode. */
  get bypassDetected(): boolean {
    return this.core.bypassDetected;
  }

  /** The agent's own session id, once it made a hook call (kept after it ended). */
  get agentSessionId(): string | undefined {
    return this.core.agentSessionId;
  }

  /** The agent's transcript file, once it made a hook call. */
  get transcriptPath(): string | undefined {
    return this.core.transcriptPath;
  }

  /** Shows a resumed session's earlier conversation from its transcript before the agent's first hook call. */
  followTranscript(file: string): void {
    this.core.followKnownTranscript(file);
  }

  /** The folder the agent runs in. */
  get cwd(): string {
    return this.o.cwd;
  }

  get adapter(): AgentSessionOptions['adapter'] {
    return this.o.adapter;
  }

  private launch(server: HookServer, bin: string, env: NodeJS.ProcessEnv): void {
    const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-agent-'));
    this.core.track({ dispose: () => fs.rmSync(privateDir, { recursive: true, force: true }) });
    this.route = server.addRoute((body, signal) => this.onHook(body, signal));
    this.core.track(this.route);
    const hookTimeoutSec = Math.ceil((this.o.expiryMs ?? DEFAULT_EXPIRY_MS) / 1000) + 5;
    const plan = this.o.adapter.prepareLaunch(bin, this.o.argv, { hookUrl: this.route.url, hookTimeoutSec, env, privateDir });
    for (const text of plan.notices) this.core.append({ kind: 'notice', text });
    const proc = new PtyProcess({ command: plan.command, args: plan.args, cwd: this.o.cwd, env: plan.env, cols: this.o.cols, rows: this.o.rows, clock: this.o.clock });
    this.pty = proc;
    proc.onData((d) => this.onData(d));
    proc.onExit((code) => this.onProcessExit(code));
    this.o.logger.info(`session ${this.id}: started ${this.o.adapter.displayName} (pid ${proc.pid})`);
  }

  info(): SessionInfo {
    return this.core.info();
  }

  get pid(): number | undefined {
    return this.pty?.pid;
  }

  /** The signal that ended the agent (e.g. 'SIGKILL'), once it was ended by one. */
  get exitSignal(): string | undefined {
    return this.pty?.exitSignal;
  }

  /** User keystrokes from a terminal mirror. */
  write(data: string): void {
    this.pty?.write(data);
  }

  resize(cols: number, rows: number): void {
    this.pty?.resize(cols, rows);
  }

  /** Types a prompt into the agent; resolves once the agent confirmed it. A repeated clientId is typed once. */
  prompt(text: string, clientId: string = crypto.randomBytes(9).toString('base64url')): Promise<void> {
    // Typed only once the prompt box is on screen (a startup dialog must never receive typed text: Enter
    // could pick one of its options).
    return this.core.prompt(text, clientId, (typedText) => async () => {
      await this.waitReady();
      if (!this.core.ended) await this.pty?.paste(typedText);
    });
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
    this.outputEmitter.fire(data);
    if (this.isReady) return;
    this.screenTail = (this.screenTail + plainText(data)).slice(-4096);
    if (this.o.adapter.isReadyScreen(this.screenTail)) {
      this.isReady = true;
      this.screenTail = '';
      // (A prompt given on the command line may already have made it 'working'.)
      if (this.core.status === 'starting') this.core.setStatus('idle');
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
    this.core.observe(ev);
    return this.core.answer(ev, signal);
  }

  private onProcessExit(code: number): void {
    const signal = this.pty?.exitSignal;
    this.o.logger.info(`session ${this.id}: agent exited (${signal ? `killed by ${signal}` : code})`);
    this.core.end('The agent exited.');
    this.markExited(code);
    this.exitEmitter.fire(code);
  }
}
