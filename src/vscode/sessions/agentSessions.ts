// The agent sessions of this window: each is Claude Code in a pty (AgentSession) with every tool call
// gated by the host's approval broker, shown in a VS Code terminal and served to every paired device. The
// host's SessionManager starts, serves and stops them; this class adds the terminal each one is shown in.
// Security: nothing is launched in an untrusted workspace.
import os from 'node:os';
import * as vscode from 'vscode';
import type { AgentSession } from '../../node/sessions/agentSession';
import type { AgentStartOptions, SessionManager } from '../../node/sessions/sessionManager';
import type { WalkieHost } from '../../node/host/walkieHost';
import { AgentTerminal } from './agentTerminal';
import type { WalkieController } from '../controller/walkieController';

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
  /** The manager that serves it (the host's, when it started). */
  readonly manager: SessionManager;
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
    const { readConfig } = await import('../controller/walkieConfig');
    const config = readConfig();
    const host = await this.controller.ensureHost();
    // Loaded on first use: node-pty and the hook server are not needed before a session starts.
    const { adapterFor, agentKindOf } = await import('../../node/agents/registry/adapterFor');
    // The settings' command and arguments belong to the agent they name; another agent starts plainly.
    const configured = config.agentKind === 'auto' ? agentKindOf(config.agentCommand) : config.agentKind;
    const kind = o.agent ?? configured;
    const [command, args] = kind === configured ? [config.agentCommand, config.agentArgs] : [kind === 'codex' ? 'codex' : 'claude', []];
    const adapter = adapterFor(command, kind);
    const cwd = o.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    // The host's SessionManager starts it (gated by the host's broker) and serves it to the devices.
    const manager = host.sessions;
    const session = await manager.start({
      adapter,
      argv: [...args],
      cwd,
      workspaceRoot: cwd,
      audit: this.controller.auditLog,
      env: o.env,
      policy: config.policy,
      expiryMs: config.expiryMs,
    });
    this.showInTerminal(session, manager, adapter.displayName);
    return session;
  }

  /**
   * Lets paired devices start, resume and stop sessions in this window's workspace folders (feature
   * `sessions`): a session started from a device opens as a VS Code terminal like any other, so the person at
   * the desk sees it and can type in it. Security: only in a trusted workspace, only in its folders (real
   * paths, checked by the launcher's folder gate), with the settings' agent, policy and expiry.
   */
  async serveDeviceSessions(host: WalkieHost, test: { readonly env?: NodeJS.ProcessEnv; readonly folders?: readonly string[] } = {}): Promise<void> {
    const { readConfig } = await import('../controller/walkieConfig');
    const config = readConfig();
    const { adapterFor } = await import('../../node/agents/registry/adapterFor');
    const { SessionLauncher } = await import('../../node/sessions/sessionLauncher');
    const { resolveAllowedFolders } = await import('../../node/sessions/folderGate');
    const adapter = adapterFor(config.agentCommand, config.agentKind);
    const folders = () => {
      if (!this.isTrusted()) return [];
      try {
        // `test.folders`: the in-editor suite's scratch project instead of the workspace folders.
        return resolveAllowedFolders(test.folders ?? (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath));
      } catch {
        return [];
      }
    };
    const launcher = new SessionLauncher({
      manager: host.sessions,
      adapter,
      folders,
      logger: this.log,
      env: test.env,
      audit: this.controller.auditLog,
      expiryMs: config.expiryMs,
      run: async (options: AgentStartOptions) => {
        const session = await host.sessions.start({ ...options, argv: [...config.agentArgs, ...options.argv], policy: config.policy });
        this.showInTerminal(session, host.sessions, adapter.displayName);
        return session;
      },
    });
    host.service.setSessionControl(launcher);
  }

  private showInTerminal(session: AgentSession, manager: SessionManager, name: string): void {
    const pty = new AgentTerminal(session);
    const terminal = vscode.window.createTerminal({ name: `${name} (Walkie)`, pty, iconPath: new vscode.ThemeIcon('broadcast') });
    const entry: Running = { session, manager, terminal, pty, subs: [pty] };
    entry.subs.push(session.onExit(() => this.forget(session.id)));
    this.running.set(session.id, entry);
    terminal.show();
  }

  /** Ends one session (default: every session) and waits for the agent to exit. */
  async stop(id?: string): Promise<void> {
    const targets = [...this.running.values()].filter((r) => id === undefined || r.session.id === id);
    for (const r of targets) r.pty.markStopping();
    // The manager stops the agent and takes it off the service; one it has dropped already (its host
    // stopped) only needs its terminal bookkeeping cleared.
    await Promise.all(targets.map((r) => (r.manager.get(r.session.id) ? r.manager.stop(r.session.id) : r.session.stop())));
    for (const r of targets) this.forget(r.session.id);
  }

  /** Drops the terminal bookkeeping of a session whose agent has exited (the manager has dropped it too). */
  private forget(id: string): void {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    for (const s of r.subs) s.dispose();
  }

  dispose(): void {
    // The window is closing: the agents stop with it (as before, without waiting for them to exit).
    for (const r of this.running.values()) {
      if (r.manager.get(r.session.id)) void r.manager.stop(r.session.id).catch((e: unknown) => this.log.warn(`session ${r.session.id}: stop failed: ${e instanceof Error ? e.message : 'error'}`));
      else r.session.dispose();
    }
    for (const id of [...this.running.keys()]) this.forget(id);
  }
}
