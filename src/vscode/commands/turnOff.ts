import * as vscode from 'vscode';
import type { AgentSessions } from '../sessions/agentSessions';
import type { WalkieController } from '../controller/walkieController';

/** Walkie: Turn Off — ends the agent sessions (after asking, when one runs) and stops Walkie (relay off, devices disconnected). */
export class TurnOffCommand {
  static readonly id = 'walkie.turnOff';
  readonly id = TurnOffCommand.id;

  constructor(
    private readonly sessions: AgentSessions,
    private readonly controller: WalkieController,
  ) {}

  async execute(): Promise<void> {
    // Ending a running agent loses its turn: ask first (nothing to ask when no agent runs). Closing the
    // question is a no. (A notification, not a modal dialog: VS Code refuses modal dialogs in its test mode,
    // and the user asked for this a moment ago.)
    const running = this.sessions.list().length;
    if (running > 0) {
      const what = running === 1 ? 'the running agent session' : `${running} running agent sessions`;
      const pick = await vscode.window.showWarningMessage(`Turn Walkie off? This ends ${what}: the agent stops where it is.`, 'Turn Off');
      if (pick !== 'Turn Off') return;
    }
    await this.sessions.stop();
    await this.controller.stopHost();
    void vscode.window.setStatusBarMessage('Walkie: off', 4000);
  }
}
