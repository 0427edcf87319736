import crypto from 'node:crypto';
import * as vscode from 'vscode';
import { parseLoopCommand } from '../../core/schedule/loopCommand';
import type { WalkieController } from '../controller/walkieController';
import type { HostScheduling } from '../sessions/hostScheduling';
import { reportError } from './reportError';

/**
 * Walkie: Repeat a Prompt (/loop)… — the same as typing `/loop 5m check the deploy` in the panel or on a
 * phone: Walkie sends the prompt into the session now and at every interval while the agent is idle.
 */
export class LoopPromptCommand {
  static readonly id = 'walkie.loopPrompt';
  readonly id = LoopPromptCommand.id;

  constructor(
    private readonly controller: WalkieController,
    private readonly scheduling: HostScheduling,
  ) {}

  async execute(): Promise<string | undefined> {
    try {
      const live = this.controller.running?.sessions.list().filter((s) => s.info().status !== 'ended') ?? [];
      if (!live.length) return void vscode.window.showInformationMessage('Walkie: start a session first; a loop repeats a prompt in a live session.');
      const pick = live.length === 1 ? live[0] : (await vscode.window.showQuickPick(live.map((s) => ({ label: s.info().title, description: s.info().cwd, session: s })), { title: 'Walkie: repeat a prompt in which session?' }))?.session;
      if (!pick) return undefined;
      const text = await vscode.window.showInputBox({
        title: 'Walkie: Repeat a Prompt',
        prompt: 'An interval (s, m, h, d; default 10m) and the prompt: "5m check if the deploy finished" or "check the build every 2 hours"',
        ignoreFocusOut: true,
        validateInput: (v) => {
          const r = parseLoopCommand(`/loop ${v}`);
          return r && !r.ok ? r.message : undefined;
        },
      });
      if (!text) return undefined;
      const schedules = await this.scheduling.ensureRunning();
      schedules.handlePrompt(pick, `/loop ${text}`, crypto.randomBytes(9).toString('base64url'));
      return schedules.listing().loops.filter((l) => l.session === pick.id).at(-1)?.id;
    } catch (e) {
      return reportError('could not start the loop', e);
    }
  }
}
