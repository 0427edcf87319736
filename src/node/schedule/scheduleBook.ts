// Adding, editing, listing and removing schedules, the same for every surface (`walkie schedule`, VS Code, a
// phone): a schedule is checked (scheduleCheck.ts) and compared with the saved ones (duplicates.ts) before it
// is saved; a bad one saves nothing.
import crypto from 'node:crypto';
import type { Clock } from '../../core/base/clock';
import { CadenceClock } from '../../core/schedule/cadence';
import { nextDueAt } from '../../core/schedule/duePlan';
import { findDuplicate } from '../../core/schedule/duplicates';
import { checkSchedule } from '../../core/schedule/scheduleCheck';
import type { Schedule, ScheduleView } from '../../core/wire/scheduleSchemas';
import type { ScheduleStore } from './scheduleStore';

export type ScheduleSaveErrorCode = 'SCHEDULE_ERR_INVALID' | 'SCHEDULE_ERR_DUPLICATE' | 'SCHEDULE_ERR_UNKNOWN';

export type ScheduleSaveResult =
  | { ok: true; schedule: Schedule; nextRuns: number[] }
  | { ok: false; code: ScheduleSaveErrorCode; message: string; duplicateOf?: Schedule };

export class ScheduleBook {
  constructor(
    readonly store: ScheduleStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Saves a new schedule (no `id`) or an edit of a saved one. A twin of a saved schedule (same folder, prompt,
   * cadence and zone) is refused unless `force`. @throws ScheduleStoreError (the file cannot be read).
   */
  save(value: unknown, o: { force?: boolean } = {}): ScheduleSaveResult {
    const now = this.clock.now();
    const check = checkSchedule(value, now);
    if (!check.ok) return check;
    const { input } = check;
    return this.store.update((data): ScheduleSaveResult => {
      const old = input.id === undefined ? undefined : data.schedules.find((s) => s.id === input.id);
      if (input.id !== undefined && !old) return { ok: false, code: 'SCHEDULE_ERR_UNKNOWN', message: `no schedule with id ${input.id}` };
      const twin = findDuplicate(input, data.schedules);
      if (twin && !o.force) {
        return { ok: false, code: 'SCHEDULE_ERR_DUPLICATE', message: `schedule ${twin.id} already runs the same prompt on ${twin.dir} at the same times`, duplicateOf: twin };
      }
      // An edit counts occurrences from now (updatedAt): it never catches up runs from before the edit.
      const schedule: Schedule = { ...input, id: old?.id ?? crypto.randomBytes(6).toString('base64url'), createdAt: old?.createdAt ?? now, updatedAt: now };
      if (old) data.schedules[data.schedules.indexOf(old)] = schedule;
      else data.schedules.push(schedule);
      return { ok: true, schedule, nextRuns: check.nextRuns };
    });
  }

  /** Removes a schedule (its past runs stay listed); false when there is none with that id. */
  remove(id: string): boolean {
    return this.store.update((data) => {
      const before = data.schedules.length;
      data.schedules = data.schedules.filter((s) => s.id !== id);
      return data.schedules.length !== before;
    });
  }

  /** Asks the host that runs these schedules (another process, maybe) for a run now; false: no such schedule. */
  requestRun(id: string): boolean {
    const now = this.clock.now();
    return this.store.update((data) => {
      const s = data.schedules.find((x) => x.id === id);
      if (s) s.runRequestedAt = now;
      return s !== undefined;
    });
  }

  list(): Schedule[] {
    return this.store.load().schedules;
  }

  get(id: string): Schedule | undefined {
    return this.list().find((s) => s.id === id);
  }

  /** The schedules with their next three runs; `running`: the ids with a run going now. */
  views(running: ReadonlySet<string> = new Set()): ScheduleView[] {
    const now = this.clock.now();
    return this.list().map((s) => ({ ...s, nextRuns: nextRuns(s, now), running: running.has(s.id) }));
  }
}

/** A saved schedule's next three runs (none when it is disabled, over, or its cadence no longer parses). */
export function nextRuns(s: Schedule, now: number): number[] {
  let clock: CadenceClock;
  try {
    clock = new CadenceClock(s.cadence, s.timeZone);
  } catch {
    return [];
  }
  const first = nextDueAt(s, clock, now);
  return first === undefined ? [] : [first, ...clock.nextRuns(2, first, s.endAt)];
}
