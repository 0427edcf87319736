import * as vscode from 'vscode';
import { describeCadence, parseCadenceText } from '../../core/schedule/cadenceText';
import { checkSchedule } from '../../core/schedule/scheduleCheck';
import type { HostScheduling } from '../sessions/hostScheduling';
import { pickWorkspaceFolder } from './pickWorkspaceFolder';
import { reportError } from './reportError';

const CADENCE_HINT = 'hourly :15 · daily 08:00 · weekdays 08:00 · weekly mon 09:30 · or cron: 0 8 * * 1-5';

/**
 * Walkie: Add Schedule… — a prompt run on a cadence in a workspace folder, each run a fresh gated session.
 * The cadence box shows the next three runs (or what is wrong) as it is typed; a twin is flagged before saving.
 */
export class AddScheduleCommand {
  static readonly id = 'walkie.addSchedule';
  readonly id = AddScheduleCommand.id;

  constructor(private readonly scheduling: HostScheduling) {}

  async execute(): Promise<string | undefined> {
    const folder = await pickWorkspaceFolder(vscode.workspace.workspaceFolders ?? [], 'Walkie: schedule runs in which folder?');
    if (!folder) return void vscode.window.showInformationMessage('Walkie: open a folder to schedule runs in it.');
    const prompt = await vscode.window.showInputBox({ title: 'Walkie: Add Schedule (1/2)', prompt: 'The prompt each run starts with', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Say what the agent should do') });
    if (!prompt) return undefined;
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    const input = (text: string) => ({ dir: folder.uri.fsPath, prompt, cadence: parseCadenceText(text), timeZone, enabled: true, missed: 'catch-up-once' });
    const cadenceText = await vscode.window.showInputBox({
      title: 'Walkie: Add Schedule (2/2)',
      prompt: `When, in ${timeZone}: ${CADENCE_HINT}`,
      value: 'weekdays 09:00',
      ignoreFocusOut: true,
      validateInput: (text) => {
        if (!parseCadenceText(text)) return `Not a cadence: ${CADENCE_HINT}`;
        const r = checkSchedule(input(text), Date.now());
        if (!r.ok) return r.message;
        const when = r.nextRuns.map((t) => new Date(t).toLocaleString(undefined, { timeZone, weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }));
        return { message: `Next runs: ${when.join(' · ')}`, severity: vscode.InputBoxValidationSeverity.Info };
      },
    });
    if (!cadenceText) return undefined;
    try {
      let r = this.scheduling.book.save(input(cadenceText));
      if (!r.ok && r.code === 'SCHEDULE_ERR_DUPLICATE') {
        const again = await vscode.window.showWarningMessage(`Walkie: the same schedule already exists (${describeCadence(r.duplicateOf!.cadence)}). Each would run, and use tokens.`, { modal: true }, 'Save Anyway');
        if (again !== 'Save Anyway') return undefined;
        r = this.scheduling.book.save(input(cadenceText), { force: true });
      }
      if (!r.ok) return reportError('could not save the schedule', new Error(r.message));
      this.scheduling.running?.runner.refresh();
      void vscode.window.showInformationMessage(`Walkie: scheduled "${prompt}" ${describeCadence(r.schedule.cadence)} in ${folder.name}. Runs start while Walkie is on in VS Code.`);
      await this.scheduling.startIfScheduled();
      return r.schedule.id;
    } catch (e) {
      return reportError('could not save the schedule', e);
    }
  }
}
