import * as vscode from 'vscode';
import type { AgentSessions } from '../sessions/agentSessions';
import type { WalkieController } from '../controller/walkieController';

/** Walkie: Turn Off — ends the agent sessions and stops Walkie (relay off, devices disconnected). */
export class TurnOffCommand {
  static readonly id = 'walkie.turnOff';
  readonly id = TurnOffCommand.id;

  constructor(
    private readonly sessions: AgentSessions,
    private readonly controller: WalkieController,
  ) {}

  async execute(): Promise<void> {
    await this.sessions.stop();
    await this.controller.stopHost();
    void vscode.window.setStatusBarMessage('Walkie: off', 4000);
  }
}
