// Walkie's composition root: builds every service once and hands each to context.subscriptions.
// Activation is lazy (onStartupFinished) and kept cheap: nothing here starts a relay or an agent — the
// WalkieController starts the host the first time a command needs it.
import * as vscode from 'vscode';
import { AgentSessions } from './sessions/agentSessions';
import { ApprovalNotifier } from './approvals/approvalNotifier';
import { AttachedSessions } from './sessions/attachedSessions';
import { DisableWorkspaceCommand } from './commands/disableWorkspace';
import { EnableWorkspaceCommand } from './commands/enableWorkspace';
import { PairDeviceCommand } from './commands/pairDevice';
import { settingAtFault, showSettingError } from './commands/reportError';
import { RevokeDeviceCommand } from './commands/revokeDevice';
import { ShowAuditLogCommand } from './commands/showAuditLog';
import { ShowDevicesCommand } from './commands/showDevices';
import { ShowLogsCommand } from './commands/showLogs';
import { ShowPanelCommand } from './commands/showPanel';
import { StartSessionCommand } from './commands/startSession';
import { StartCodexSessionCommand } from './commands/startCodexSession';
import { StopSessionCommand } from './commands/stopSession';
import { TurnOffCommand } from './commands/turnOff';
import { DevicesView } from './webviews/devicesView';
import { ProposedChangeProvider } from './approvals/proposedChangeProvider';
import { SecretStateStore } from './controller/secretStateStore';
import { WalkieStatusBar } from './controller/statusBar';
import { auditFileIn, WalkieController } from './controller/walkieController';
import { WalkiePanel } from './webviews/walkiePanel';
import { AddScheduleCommand } from './commands/addSchedule';
import { ShowSchedulesCommand } from './commands/showSchedules';
import { LoopPromptCommand } from './commands/loopPrompt';
import { HostScheduling } from './sessions/hostScheduling';

/** What the extension exports to other extensions and to its own in-editor tests. */
export interface WalkieApi {
  /** Milliseconds from this bundle starting to load to the end of activate(). */
  readonly activationMs: number;
  readonly statusBar: WalkieStatusBar;
  readonly controller: WalkieController;
  readonly sessions: AgentSessions;
  /** Claude Code sessions started by hand in a workspace folder with the attach hook; enable / disable it. */
  readonly attach: AttachedSessions;
  readonly approvals: ApprovalNotifier;
  readonly panel: WalkiePanel;
  readonly devices: DevicesView;
  readonly changes: ProposedChangeProvider;
  /** Scheduled sessions and /loop, run while the host runs. */
  readonly scheduling: HostScheduling;
  /** Where the host keeps its identity and paired devices (SecretStorage). */
  readonly store: SecretStateStore;
}

const loadStart = performance.now();

/** Set by activate(): ends the agents and closes the host, waiting for the device registry to be saved. */
let shutdown: (() => Promise<void>) | undefined;

interface Command {
  readonly id: string;
  execute(...args: unknown[]): unknown;
}

export function activate(context: vscode.ExtensionContext): WalkieApi {
  const log = vscode.window.createOutputChannel('Walkie', { log: true });
  context.subscriptions.push(log);

  const store = new SecretStateStore(context.secrets);
  const auditFile = auditFileIn(context.globalStorageUri);
  const controller = new WalkieController(store, auditFile, log, context.globalState);
  const sessions = new AgentSessions(controller, log);
  const attach = new AttachedSessions(controller, log, context.extensionPath, undefined, () => sessions.list().map((s) => s.pid));
  const changes = new ProposedChangeProvider();
  const approvals = new ApprovalNotifier(changes, log);
  const panel = new WalkiePanel(context.extensionUri, controller, log);
  const devices = new DevicesView(controller, log);
  const scheduling = new HostScheduling(controller, context.globalStorageUri.fsPath, log);
  const statusBar = new WalkieStatusBar(controller, { panel: ShowPanelCommand.id, pairing: ShowDevicesCommand.id });
  // Disposed in this order: the views, then the sessions (the agents stop), then the host.
  context.subscriptions.push(statusBar, panel, devices, approvals, changes, sessions, attach, scheduling, controller);
  // A hand-started claude reaches Walkie only while a host runs: with the hook enabled here, start it soon
  // after activation (outside activate(), which must stay cheap; this reads a settings file or two).
  // Likewise the host starts when a schedule is saved, so a missed run is caught up once.
  const soon = setTimeout(() => void attach.startIfEnabled().then(() => scheduling.startIfScheduled()), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(soon) });

  context.subscriptions.push(
    controller.onDidStartHost((host) => approvals.attach(host)),
    // Paired devices may start sessions in this window's workspace folders; each opens as a VS Code terminal.
    controller.onDidStartHost((host) => void sessions.serveDeviceSessions(host).catch((e: unknown) => log.warn(`sessions from devices are off: ${e instanceof Error ? e.message : 'error'}`))),
    controller.onDidPair(({ device, sas }) => {
      void vscode.window.showInformationMessage(`Walkie: paired "${device.name}". Check that the device shows the same words: ${sas}`);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('walkie')) return;
      try {
        (await import('./controller/walkieConfig')).readConfig();
        const hostWide = ['walkie.relay', 'walkie.approvals.expiryMinutes', 'walkie.pairing'].some((s) => e.affectsConfiguration(s));
        if (controller.running && hostWide) void vscode.window.showInformationMessage('Walkie: the new relay, expiry and pairing settings apply the next time Walkie starts (Walkie: Turn Off, then start again).');
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const setting = settingAtFault(err);
        void (setting ? showSettingError(message, setting) : vscode.window.showErrorMessage(message));
      }
    }),
  );

  const commands: Command[] = [
    new StartSessionCommand(sessions),
    new StartCodexSessionCommand(sessions),
    new PairDeviceCommand(controller, devices),
    new ShowPanelCommand(controller, panel),
    new ShowDevicesCommand(controller, devices),
    new RevokeDeviceCommand(controller),
    new StopSessionCommand(sessions),
    new TurnOffCommand(sessions, controller),
    new ShowAuditLogCommand(auditFile),
    new ShowLogsCommand(log),
    new EnableWorkspaceCommand(attach),
    new DisableWorkspaceCommand(attach),
    new AddScheduleCommand(scheduling),
    new ShowSchedulesCommand(scheduling),
    new LoopPromptCommand(controller, scheduling),
  ];
  for (const command of commands) {
    context.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: unknown[]) => command.execute(...args)));
  }

  shutdown = async () => {
    await sessions.stop();
    await controller.stopHost();
  };

  const activationMs = performance.now() - loadStart;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, statusBar, controller, sessions, attach, approvals, panel, devices, changes, store, scheduling };
}

export function deactivate(): Promise<void> | undefined {
  return shutdown?.();
}
