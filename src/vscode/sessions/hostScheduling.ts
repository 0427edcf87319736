// Scheduled sessions and /loop in the VS Code extension: while this window's host runs, the schedules saved
// in the extension's global storage folder run (each as a fresh, gated Claude Code session served to the
// devices and the panel, without a terminal of its own), and /loop typed in the panel or on a phone is
// handled. The host starts soon after activation when an enabled schedule exists, so a run missed while VS
// Code was closed is caught up once (by its policy) when it opens again.
// Security: nothing is launched in an untrusted workspace, and a device may schedule runs only in this
// window's workspace folders.
import * as vscode from 'vscode';
import { systemClock } from '../../core/base/clock';
import type { WalkieHost } from '../../node/host/walkieHost';
import type { HostSchedules } from '../../node/schedule/hostSchedules';
import { ScheduleBook } from '../../node/schedule/scheduleBook';
import { ScheduleStore } from '../../node/schedule/scheduleStore';
import type { WalkieController } from '../controller/walkieController';

export class HostScheduling implements vscode.Disposable {
  /** The saved schedules (readable and editable whether or not the host runs). */
  readonly book: ScheduleBook;
  private current: HostSchedules | undefined;
  private readonly subs: vscode.Disposable[];
  /**
   * The agents' environment instead of this process's. Test-only: the in-editor suite passes a throw-away
   * HOME and the scripted model's address (as with AgentSessions' StartOptions.env); nothing else sets it.
   */
  agentEnv: NodeJS.ProcessEnv | undefined;

  constructor(
    private readonly controller: WalkieController,
    private readonly stateDir: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly isTrusted: () => boolean = () => vscode.workspace.isTrusted,
  ) {
    this.book = new ScheduleBook(new ScheduleStore(stateDir), systemClock);
    this.subs = [controller.onDidStartHost((host) => void this.start(host)), controller.onWillStopHost(() => this.stop())];
  }

  /** The running schedules of this window's host (undefined while the host is off). */
  get running(): HostSchedules | undefined {
    return this.current;
  }

  /** Starts the host when an enabled schedule exists (called soon after activation). */
  async startIfScheduled(): Promise<void> {
    try {
      if (this.book.list().some((s) => s.enabled)) await this.controller.ensureHost();
    } catch (e) {
      this.log.warn(`schedules: not started: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Starts the host if needed and returns its schedules. */
  async ensureRunning(): Promise<HostSchedules> {
    await this.controller.ensureHost();
    await this.starting;
    if (!this.current) throw new Error('the schedules could not start; see Walkie: Show Logs');
    return this.current;
  }

  private starting: Promise<void> | undefined;

  private start(host: WalkieHost): Promise<void> {
    this.starting = (async () => {
      const [{ HostSchedules, allowedDirs }, { readConfig }, { adapterFor, agentKindOf }] = await Promise.all([
        import('../../node/schedule/hostSchedules'),
        import('../controller/walkieConfig'),
        import('../../node/agents/registry/adapterFor'),
      ]);
      if (this.controller.running !== host) return;
      this.current = HostSchedules.start({
        stateDir: this.stateDir,
        service: host.service,
        sessions: host.sessions,
        broker: host.broker,
        launch: () => {
          // Security: the same refusal as Start Session.
          if (!this.isTrusted()) throw new Error('Walkie starts no agent in an untrusted workspace');
          const config = readConfig();
          const kind = config.agentKind === 'auto' ? agentKindOf(config.agentCommand) : config.agentKind;
          return { adapter: adapterFor(config.agentCommand, kind), argv: [...config.agentArgs], env: this.agentEnv, audit: this.controller.auditLog, policy: config.policy, expiryMs: config.expiryMs };
        },
        allowDir: allowedDirs((vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)),
        clock: systemClock,
        logger: this.log,
      });
    })().catch((e: unknown) => this.log.error(`schedules: could not start: ${e instanceof Error ? e.message : String(e)}`));
    return this.starting;
  }

  private stop(): void {
    this.current?.dispose();
    this.current = undefined;
  }

  dispose(): void {
    this.stop();
    for (const s of this.subs) s.dispose();
  }
}
