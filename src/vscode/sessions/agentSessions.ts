// The agent sessions of this window: each is Claude Code in a pty (AgentSession) with every tool call
// gated by the host's approval broker, shown in a VS Code terminal and served to every paired device.
// Security: nothing is launched in an untrusted workspace.
import os from 'node:os';
import * as vscode from 'vscode';
import type { AgentSession } from '../../node/sessions/agentSession';
import { AgentTerminal } from './agentTerminal';
import type { WalkieController } from '../walkieController';

export interface StartOptions {
  /**
   * The agent's environment instead of this process's. Test-only: the in-editor suite passes a throw-away
   * HOME and the scripted model's address; the commands never set it.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The working folder instead of the first workspace folder. */
  readonly cwd?: string;
  /** The agent to start; default: the one the settings name (walkie.agent.kind / walkie.agent.command). */
  readonly agent?: 'claude-code' | 'codex';
}

export type SessionsErrorCode = 'SESSIONS_ERR_UNTRUSTED';

export class SessionsError extends Error {
  override readonly name = 'SessionsError';
  constructor(
    readonly code: SessionsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Running {
  readonly session: AgentSession;
  readonly terminal: vscode.Terminal;
  readonly pty: AgentTerminal;
  readonly subs: { dispose(): void }[];
}

export class AgentSessions implements vscode.Disposable {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly controller: WalkieController,
    private readonly log: vscode.LogOutputChannel,
    private readonly isTrusted: () => boolean = () => vscode.workspace.isTrusted,
  ) {}

  list(): AgentSession[] {
    return [...this.running.values()].map((r) => r.session);
  }

  /** Starts the agent (Claude Code or Codex CLI) in a new terminal. @throws SessionsError, ConfigError or AgentLaunchError. */
  async start(o: StartOptions = {}): Promise<AgentSession> {
    // Security: an untrusted folder could ship settings or files that steer the agent; launch nothing there.
    if (!this.isTrusted()) throw new SessionsError('SESSIONS_ERR_UNTRUSTED', 'Walkie starts no agent in an untrusted workspace. Trust this folder first.');
    const { readConfig } = await import('../walkieConfig');
    const config = readConfig();
    const host = await this.controller.ensureHost();
    // Loaded on first use: node-pty and the hook server are not needed before a session starts.
    const [{ AgentSession }, { adapterFor, agentKindOf }, { systemClock }] = await Promise.all([import('../../node/sessions/agentSession'), import('../../node/agents/adapterFor'), import('../../core/base/clock')]);
    // The settings' command and arguments belong to the agent they name; another agent starts plainly.
    const configured = config.agentKind === 'auto' ? agentKindOf(config.agentCommand) : config.agentKind;
    const kind = o.agent ?? configured;
    const [command, args] = kind === configured ? [config.agentCommand, config.agentArgs] : [kind === 'codex' ? 'codex' : 'claude', []];
    const adapter = adapterFor(command, kind);
    const cwd = o.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    const session = await AgentSession.start({
      adapter,
      argv: [...args],
      cwd,
      workspaceRoot: cwd,
      broker: host.broker,
      clock: systemClock,
      logger: this.log,
      audit: this.controller.auditLog,
      env: o.env,
      policy: config.policy,
      expiryMs: config.expiryMs,
    });
    const pty = new AgentTerminal(session);
    const terminal = vscode.window.createTerminal({ name: `${adapter.displayName} (Walkie)`, pty, iconPath: new vscode.ThemeIcon('broadcast') });
    const served = host.service.addSession(session);
    const entry: Running = { session, terminal, pty, subs: [served, pty] };
    entry.subs.push(session.onInfo(() => this.controller.setSessionCount(this.running.size)));
    entry.subs.push(session.onExit(() => this.forget(session.id)));
    this.running.set(session.id, entry);
    terminal.show();
    this.controller.setSessionCount(this.running.size);
    return session;
  }

  /** Ends one session (default: every session) and waits for the agent to exit. */
  async stop(id?: string): Promise<void> {
    const targets = [...this.running.values()].filter((r) => id === undefined || r.session.id === id);
    for (const r of targets) r.pty.markStopping();
    await Promise.all(targets.map((r) => r.session.stop()));
    for (const r of targets) this.forget(r.session.id);
  }

  private forget(id: string): void {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    for (const s of r.subs) s.dispose();
    r.session.dispose();
    this.controller.setSessionCount(this.running.size);
  }

  dispose(): void {
    for (const id of [...this.running.keys()]) this.forget(id);
  }
}
