import * as vscode from 'vscode';
import { describeCadence } from '../../core/schedule/cadenceText';
import type { HostScheduling } from '../sessions/hostScheduling';
import { reportError } from './reportError';

/** Walkie: Show Schedules — the schedules with their next run and last result; run one now or remove it. */
export class ShowSchedulesCommand {
  static readonly id = 'walkie.showSchedules';
  readonly id = ShowSchedulesCommand.id;

  constructor(private readonly scheduling: HostScheduling) {}

  async execute(): Promise<void> {
    try {
      const { book } = this.scheduling;
      const views = book.views(this.scheduling.running?.runner.runningSchedules());
      if (!views.length) return void vscode.window.showInformationMessage('Walkie: no schedules yet (Walkie: Add Schedule…).');
      const runs = book.store.load().runs;
      const pick = await vscode.window.showQuickPick(
        views.map((s) => {
          const last = runs.filter((r) => r.schedule === s.id).at(-1);
          const next = s.nextRuns[0] === undefined ? 'no next run' : `next ${new Date(s.nextRuns[0]).toLocaleString()}`;
          return {
            label: s.prompt.length > 60 ? `${s.prompt.slice(0, 59)}…` : s.prompt,
            description: `${describeCadence(s.cadence)} · ${next}${s.enabled ? '' : ' · off'}${s.running ? ' · running' : ''}`,
            detail: `${s.dir}${last ? ` — last run ${last.status}${last.result ? `: ${last.result.slice(0, 120)}` : ''}` : ''}`,
            id: s.id,
          };
        }),
        { title: 'Walkie: Schedules', placeHolder: 'Pick a schedule to run it now or remove it' },
      );
      if (!pick) return;
      const chosen = views.find((s) => s.id === pick.id)!;
      const toggle = chosen.enabled ? 'Turn Off' : 'Turn On';
      const action = await vscode.window.showQuickPick(['Run Now', toggle, 'Remove'], { title: pick.label });
      if (action === toggle) {
        const { id, dir, prompt, cadence, timeZone, endAt, missed } = chosen;
        const r = book.save({ id, dir, prompt, cadence, timeZone, endAt, missed, enabled: !chosen.enabled }, { force: true });
        if (!r.ok) return void reportError('could not change the schedule', new Error(r.message));
        this.scheduling.running?.runner.refresh();
        return void vscode.window.setStatusBarMessage(`Walkie: schedule turned ${chosen.enabled ? 'off' : 'on'}`, 4000);
      }
      if (action === 'Remove') {
        book.remove(pick.id);
        this.scheduling.running?.runner.refresh();
        return void vscode.window.setStatusBarMessage('Walkie: schedule removed', 4000);
      }
      if (action === 'Run Now') {
        const r = (await this.scheduling.ensureRunning()).runNow(pick.id);
        if (!r.ok) return void reportError('could not run the schedule', new Error(r.message));
        void vscode.window.setStatusBarMessage('Walkie: scheduled run started', 4000);
      }
    } catch (e) {
      reportError('could not show the schedules', e);
    }
  }
}
