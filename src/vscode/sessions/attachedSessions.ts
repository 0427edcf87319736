// AttachedSessions: the Claude Code sessions a user starts BY HAND in a VS Code terminal, in a workspace
// folder where Walkie's attach hook is enabled (docs/attach.md). While the host runs, one AttachServer per
// enabled folder takes that folder's hook calls; each session it attaches is adopted by the host's
// SessionManager and served to the devices like a session Walkie started, and device prompts are typed into
// its terminal (TerminalFinder). Enable / Disable install and remove the hook through the agent adapter's
// AttachSupport of the agent `walkie.agent.*` chooses (Claude Code's: src/node/agents/claude/claudeAttachInstaller.ts;
// Codex CLI's: src/node/agents/codex/codexAttachInstaller.ts). Without a running host the hook falls back to
// the agent's own rules, so a window whose workspace has the hook starts the host soon after activation.
// Security: in an untrusted workspace Walkie installs no hook and attaches no session.
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AttachEdit, AttachSupport } from '../../node/agents/agentAdapter';
import type { AttachedSession } from '../../node/attach/attachedSession';
import type { AttachServer } from '../../node/attach/attachServer';
import type { WalkieHost } from '../../node/host/walkieHost';
import { TerminalFinder } from './terminalFinder';
import type { WalkieController } from '../controller/walkieController';

export type AttachedSessionsErrorCode = 'ATTACHED_ERR_UNTRUSTED' | 'ATTACHED_ERR_NOT_A_FOLDER' | 'ATTACHED_ERR_SERVER';

export class AttachedSessionsError extends Error {
  override readonly name = 'AttachedSessionsError';
  constructor(
    readonly code: AttachedSessionsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface EnableOptions {
  /** Ask first, in a modal that says what is written. Default true; the commands always ask. */
  readonly confirm?: boolean;
}

/** Where the hook script is copied: outside the versioned extension folder, so updates do not break it. */
const HOOK_DIR = path.join(os.homedir(), '.walkie', 'bin');

export class AttachedSessions implements vscode.Disposable {
  /** The attach server of each enabled workspace folder (by its fsPath), while the host runs. */
  private readonly servers = new Map<string, AttachServer>();
  /** Why a folder's server did not start (the last failure), for enable() to report. */
  private readonly failures = new Map<string, string>();
  private readonly subs: vscode.Disposable[];
  private finder: TerminalFinder | undefined;
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly controller: WalkieController,
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionPath: string,
    private readonly isTrusted: () => boolean = () => vscode.workspace.isTrusted,
    /** Pids of the Claude Code processes Walkie started itself (they are gated already; see AttachServer). */
    private readonly wrappedPids: () => readonly (number | undefined)[] = () => [],
  ) {
    this.subs = [
      controller.onDidStartHost((host) => void this.sync(host)),
      // Before the host closes: the registry files go first (the hook falls back to the terminal's prompt)
      // and the devices still see these sessions end.
      controller.onWillStopHost(() => this.closeServers()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.syncRunning()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.startIfEnabled()),
    ];
  }

  /** The live attached sessions. */
  list(): AttachedSession[] {
    return [...this.servers.values()].flatMap((s) => s.sessions());
  }

  /** The workspace folders whose hand-started sessions this window takes now. */
  folders(): string[] {
    return [...this.servers.keys()];
  }

  /**
   * Called soon after activation (never inside it): if a workspace folder has the hook, refreshes the hook
   * (script and command path, both idempotent) and starts the host, so a hand-started CLI reaches Walkie.
   * Resolves to whether it started anything; failures are logged.
   */
  async startIfEnabled(): Promise<boolean> {
    if (this.disposed || !this.isTrusted()) return false;
    try {
      const folders = await this.enabledFolders();
      if (!folders.length) return false;
      const { readConfig } = await import('../controller/walkieConfig');
      const config = readConfig();
      // Each agent whose hook a folder has gets it refreshed there.
      for (const attach of await allAttachSupports()) {
        const command = await this.hookCommand(attach);
        attach.installHookScript(this.bundledHook, HOOK_DIR);
        for (const folder of folders) if (attach.isInstalled(folder)) attach.install(folder, command, { expiryMs: config.expiryMs });
      }
      this.log.info(`attach: the hook is enabled in ${folders.length} workspace folder(s); starting Walkie`);
      await this.sync(await this.controller.ensureHost());
      return true;
    } catch (e) {
      this.log.warn(`attach: could not start for the enabled workspace folders: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  /**
   * Installs the hook in `folder` (a workspace folder of this window) and makes sure this window takes its
   * sessions. Resolves to undefined if the user said no. @throws AttachedSessionsError, AttachInstallError
   * (an unreadable settings file: nothing is written), ConfigError, or a host start failure.
   */
  async enable(folder: string, o: EnableOptions = {}): Promise<(AttachEdit & { readonly agent: string }) | undefined> {
    // Security: the hook makes Walkie's script run inside every Claude Code started in this folder; an
    // untrusted folder gets nothing installed.
    if (!this.isTrusted()) throw new AttachedSessionsError('ATTACHED_ERR_UNTRUSTED', 'Walkie installs no hook in an untrusted workspace. Trust this folder first.');
    const target = this.workspaceFolder(folder);
    const { readConfig } = await import('../controller/walkieConfig');
    const config = readConfig();
    const { agent, attach } = await attachSupportFor(config.agentCommand, config.agentKind);
    const command = await this.hookCommand(attach);
    if (o.confirm !== false) {
      const detail = [...attach.describe(target.uri.fsPath, `${command} # walkie-attach`), 'Your other settings and hooks are kept. "Walkie: Disable for this Workspace" removes exactly these entries.'].join('\n\n');
      const choice = await vscode.window.showInformationMessage(`Let Walkie follow ${agent} sessions you start by hand in "${target.name}"?`, { modal: true, detail }, 'Enable');
      if (choice !== 'Enable') return undefined;
    }
    attach.installHookScript(this.bundledHook, HOOK_DIR);
    const edit = attach.install(target.uri.fsPath, command, { expiryMs: config.expiryMs });
    this.log.info(`attach: ${edit.changed ? 'enabled' : 'already enabled'} in ${target.name}`);
    await this.sync(await this.controller.ensureHost());
    const failure = this.failures.get(target.uri.fsPath);
    if (failure !== undefined) throw new AttachedSessionsError('ATTACHED_ERR_SERVER', `the hooks are installed, but Walkie could not take this folder's sessions: ${failure}`);
    return { ...edit, agent };
  }

  /** Removes Walkie's hook entries of every agent from `folder` (nothing else) and stops taking its sessions. @throws AttachInstallError */
  async disable(folder: string): Promise<AttachEdit> {
    const edits = (await allAttachSupports()).map((a) => a.remove(path.resolve(folder)));
    const edit = edits.find((e) => e.changed) ?? edits[0];
    this.log.info(`attach: ${edit.changed ? 'disabled' : 'was not enabled'} in ${path.basename(folder)}`);
    await this.syncRunning();
    return edit;
  }

  /** The workspace folders whose settings hold Walkie's hook (of any agent). */
  async enabledFolders(): Promise<string[]> {
    const supports = await allAttachSupports();
    return fileFolders().filter((f) => supports.some((a) => a.isInstalled(f.uri.fsPath))).map((f) => f.uri.fsPath);
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subs.splice(0)) s.dispose();
    this.closeServers();
    this.finder?.dispose();
    this.finder = undefined;
  }

  private get bundledHook(): string {
    return path.join(this.extensionPath, 'dist', 'hook.js');
  }

  /** `node <script>`; without a `node` on PATH, VS Code's own runtime run as node (docs/attach.md). */
  private async hookCommand(attach: AttachSupport): Promise<string> {
    const { which } = await import('../../node/terminal/which');
    const script = path.join(HOOK_DIR, 'hook.js');
    return which('node') ? attach.hookCommand(script) : attach.hookCommand(script, process.execPath, { ELECTRON_RUN_AS_NODE: '1' });
  }

  private workspaceFolder(folder: string): vscode.WorkspaceFolder {
    const wanted = path.resolve(folder);
    const found = fileFolders().find((f) => f.uri.fsPath === wanted);
    if (!found) throw new AttachedSessionsError('ATTACHED_ERR_NOT_A_FOLDER', `${folder} is not a folder open in this window`);
    return found;
  }

  private syncRunning(): Promise<void> {
    const host = this.controller.running;
    return host ? this.sync(host) : Promise.resolve();
  }

  /** Brings the attach servers in line with the enabled folders. One at a time; never rejects. */
  private sync(host: WalkieHost): Promise<void> {
    this.queue = this.queue.then(() => this.doSync(host)).catch((e: unknown) => this.log.error(`attach: ${e instanceof Error ? e.message : String(e)}`));
    return this.queue;
  }

  private async doSync(host: WalkieHost): Promise<void> {
    if (this.disposed || this.controller.running !== host) return;
    const wanted = this.isTrusted() ? await this.enabledFolders() : [];
    for (const [folder, server] of this.servers) {
      if (wanted.includes(folder)) continue;
      this.servers.delete(folder);
      server.dispose();
      this.log.info(`attach: stopped taking hand-started sessions in ${path.basename(folder)}`);
    }
    for (const folder of wanted) {
      if (this.servers.has(folder)) continue;
      try {
        await this.startServer(host, folder);
        this.failures.delete(folder);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        this.failures.set(folder, reason);
        this.log.warn(`attach: could not take hand-started sessions in ${path.basename(folder)}: ${reason}`);
      }
    }
  }

  private async startServer(host: WalkieHost, folder: string): Promise<void> {
    const [{ AttachServer }, { systemClock }, { readConfig }] = await Promise.all([import('../../node/attach/attachServer'), import('../../core/base/clock'), import('../controller/walkieConfig')]);
    if (this.disposed || this.controller.running !== host) return;
    const config = readConfig();
    this.finder ??= new TerminalFinder(systemClock);
    const server = await AttachServer.start({
      workspaces: [folder],
      sessions: host.sessions,
      broker: host.broker,
      clock: systemClock,
      logger: this.log,
      typer: this.finder.typer,
      policy: config.policy,
      audit: this.controller.auditLog,
      isWrapped: (pid) => this.wrappedPids().includes(pid),
    });
    // The host may have stopped (or this window closed) while the server started.
    if (this.disposed || this.controller.running !== host) return void (await server.close());
    this.servers.set(folder, server);
  }

  /**
   * Ends every attached session and removes the registry files (synchronously); the SessionManager takes
   * each ended session off the service.
   */
  private closeServers(): void {
    for (const server of this.servers.values()) server.dispose();
    this.servers.clear();
  }
}

function fileFolders(): readonly vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}

/** The attach support of the agent the settings choose (`walkie.agent.command` / `walkie.agent.kind`). */
async function attachSupportFor(command: string, kind: 'auto' | 'claude-code' | 'codex'): Promise<{ agent: string; attach: AttachSupport }> {
  const { adapterFor } = await import('../../node/agents/registry/adapterFor');
  const adapter = adapterFor(command, kind);
  if (!adapter.attach) throw new Error(`${adapter.displayName} cannot be attached`);
  return { agent: adapter.displayName, attach: adapter.attach };
}

/** The attach support of every agent that has one (a folder may hold the hooks of either). */
async function allAttachSupports(): Promise<AttachSupport[]> {
  const { adapterFor } = await import('../../node/agents/registry/adapterFor');
  return (['claude-code', 'codex'] as const).flatMap((k) => adapterFor(k === 'codex' ? 'codex' : 'claude', k).attach ?? []);
}
