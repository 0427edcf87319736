import * as vscode from 'vscode';
import type { AgentSessions } from '../sessions/agentSessions';

/** Walkie: Stop Session — ends the agent sessions; Walkie stays on, so devices see them end. */
export class StopSessionCommand {
  static readonly id = 'walkie.stopSession';
  readonly id = StopSessionCommand.id;

  constructor(private readonly sessions: AgentSessions) {}

  async execute(): Promise<void> {
    const n = this.sessions.list().length;
    if (!n) return void vscode.window.showInformationMessage('Walkie: no agent session is running.');
    await this.sessions.stop();
    void vscode.window.setStatusBarMessage(`Walkie: stopped ${n} agent session${n === 1 ? '' : 's'}`, 4000);
  }
}
