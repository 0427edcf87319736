// Schedules (feature `schedules`): the host's scheduled sessions with their next runs, the recent runs with
// their result, duration and approvals, and the live /loops with their next beat and count. A schedule can
// be run now or deleted, a loop cancelled, and a new schedule added (folder, prompt, cadence such as
// "weekdays 08:00" or a cron expression); the host checks everything and answers with a notice.
import { useEffect, useState } from 'preact/hooks';
import { cadenceToCron, describeCadence, parseCadenceText } from '../../src/core/schedule/cadenceText';
import type { ScheduleView } from '../../src/core/wire/scheduleSchemas';
import type { Controller } from '../state/controller';
import { useStoreState } from './useStoreState';

function when(ms: number): string {
  return new Date(ms).toLocaleString([], { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function every(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m % 1440 === 0 ? `${m / 1440} d` : m % 60 === 0 ? `${m / 60} h` : `${m} min`;
}

export function SchedulesScreen({ controller, defaultDir, onClose }: { controller: Controller; defaultDir: string | undefined; onClose: () => void }) {
  const s = useStoreState(controller);
  const [dir, setDir] = useState(defaultDir ?? '');
  const [prompt, setPrompt] = useState('');
  const [cadence, setCadence] = useState('weekdays 09:00');
  /** The schedule the form edits; undefined: the form makes a new one. */
  const [editing, setEditing] = useState<ScheduleView | undefined>(undefined);
  useEffect(() => controller.askSchedules(), [controller]);
  const listing = s.schedules;
  const parsed = parseCadenceText(cadence);
  const promptOf = (id: string) => listing?.schedules.find((x) => x.id === id)?.prompt ?? 'a deleted schedule';

  const add = (e: Event) => {
    e.preventDefault();
    if (!parsed || !prompt.trim() || !dir.trim()) return;
    if (editing) {
      // An edit keeps the schedule's id, zone, end date, switch and missed-run policy; the host checks it in
      // full again (and still flags a twin of another schedule).
      const { id, timeZone, endAt, enabled, missed } = editing;
      if (controller.saveSchedule({ id, dir: dir.trim(), prompt: prompt.trim(), cadence: parsed, timeZone, endAt, enabled, missed })) {
        setEditing(undefined);
        setPrompt('');
      }
      return;
    }
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    if (controller.saveSchedule({ dir: dir.trim(), prompt: prompt.trim(), cadence: parsed, timeZone, enabled: true, missed: 'catch-up-once' })) setPrompt('');
  };
  const startEdit = (x: ScheduleView) => {
    setEditing(x);
    setDir(x.dir);
    setPrompt(x.prompt);
    // The cron form of any cadence reads back through parseCadenceText, so the edit starts from the same times.
    setCadence(cadenceToCron(x.cadence));
  };

  return (
    <div class="schedules" data-testid="schedules">
      <header class="topbar">
        <h1 class="brand">Schedules</h1>
        <button type="button" class="link" onClick={onClose} data-testid="schedules-close">
          Back
        </button>
      </header>
      <div class="schedules-body">
        {!listing && <p class="muted">Loading…</p>}
        {listing && (
          <>
            <section aria-label="Scheduled sessions">
              <h2>Scheduled sessions</h2>
              {listing.schedules.length === 0 && <p class="muted small">None yet.</p>}
              {listing.schedules.map((x) => (
                <article key={x.id} class="sched-card" data-testid="schedule">
                  <p class="sched-prompt">{x.prompt}</p>
                  <p class="muted small">
                    {describeCadence(x.cadence)} ({x.timeZone}) · {x.dir}
                    {x.enabled ? '' : ' · off'}
                    {x.running ? ' · running now' : ''}
                  </p>
                  <p class="small" data-testid="next-runs">
                    Next: {x.nextRuns.length ? x.nextRuns.map(when).join(' · ') : 'none'}
                  </p>
                  <div class="sched-actions">
                    <button type="button" disabled={x.running} onClick={() => controller.scheduleAction('scheduleRunNow', x.id)}>
                      Run now
                    </button>
                    <button
                      type="button"
                      data-testid="schedule-toggle"
                      onClick={() => controller.saveSchedule({ id: x.id, dir: x.dir, prompt: x.prompt, cadence: x.cadence, timeZone: x.timeZone, endAt: x.endAt, missed: x.missed, enabled: !x.enabled }, true)}
                    >
                      {x.enabled ? 'Turn off' : 'Turn on'}
                    </button>
                    <button type="button" data-testid="schedule-edit" onClick={() => startEdit(x)}>
                      Edit
                    </button>
                    <button type="button" class="danger" onClick={() => window.confirm('Delete this schedule?') && controller.scheduleAction('scheduleDelete', x.id)}>
                      Delete
                    </button>
                  </div>
                </article>
              ))}
            </section>
            <section aria-label="Loops">
              <h2>Loops</h2>
              {listing.loops.length === 0 && <p class="muted small">None. Type “/loop 5m check the deploy” in a session.</p>}
              {listing.loops.map((l) => (
                <article key={l.id} class="sched-card" data-testid="loop">
                  <p class="sched-prompt">{l.prompt}</p>
                  <p class="muted small">
                    every {every(l.intervalMs)} · sent {l.count}× · skipped {l.skipped} · next {when(l.nextAt)}
                  </p>
                  <button type="button" onClick={() => controller.scheduleAction('loopCancel', l.id)}>
                    Cancel
                  </button>
                </article>
              ))}
            </section>
            <section aria-label="Recent runs">
              <h2>Recent runs</h2>
              {listing.runs.length === 0 && <p class="muted small">No runs yet.</p>}
              {[...listing.runs].reverse().map((r) => (
                <article key={r.id} class={`sched-card run-${r.status}`} data-testid="run">
                  <p class="small">
                    <strong>{r.status}</strong> · {when(r.startedAt)}
                    {r.endedAt !== undefined && r.status !== 'skipped' ? ` · ${duration(r.endedAt - r.startedAt)}` : ''} · {r.approvals} approval{r.approvals === 1 ? '' : 's'}
                  </p>
                  <p class="muted small">{promptOf(r.schedule)}</p>
                  {r.result && <p class="sched-result" data-testid="run-result">{r.result}</p>}
                </article>
              ))}
            </section>
            <form class="sched-form" onSubmit={add} aria-label={editing ? 'Edit schedule' : 'New schedule'}>
              <h2>{editing ? 'Edit schedule' : 'New schedule'}</h2>
              <label>
                Folder <input value={dir} onInput={(e) => setDir(e.currentTarget.value)} data-testid="sched-dir" />
              </label>
              <label>
                Prompt <textarea rows={2} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} data-testid="sched-prompt" />
              </label>
              <label>
                When <input value={cadence} onInput={(e) => setCadence(e.currentTarget.value)} data-testid="sched-cadence" />
              </label>
              <p class="muted small">{parsed ? describeCadence(parsed) : 'hourly :15 · daily 08:00 · weekdays 08:00 · weekly mon 09:30 · or cron: 0 8 * * 1-5'}</p>
              <button type="submit" disabled={!parsed || !prompt.trim() || !dir.trim()} data-testid="sched-save">
                Save
              </button>
              {editing && (
                <button type="button" class="link" onClick={() => (setEditing(undefined), setPrompt(''))}>
                  Cancel edit
                </button>
              )}
            </form>
          </>
        )}
      </div>
      <div class="notices" role="status" aria-live="polite">
        {s.notices.map((n) => (
          <div key={n.id} class={`toast toast-${n.tone}`} data-testid="notice">
            {n.text}
          </div>
        ))}
      </div>
    </div>
  );
}
