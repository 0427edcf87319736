// When a schedule is due, and what a missed run does. Pure: the scheduler (src/node/schedule/scheduler.ts)
// asks `planDue` at every wake-up with the wall-clock time, so a wake-up after a sleep sees every occurrence
// it slept through at once.
//
// Missed runs: an occurrence found more than `graceMs` after its time was missed (the machine slept, the host
// was not running). With 'catch-up-once' the schedule runs ONCE for all the occurrences it missed; with 'skip'
// it does not run until the next occurrence. Either way `lastDueAt` moves to the newest occurrence, so the
// missed ones are never run one by one (never N times).
import type { Schedule } from '../wire/scheduleSchemas';
import type { CadenceClock } from './cadence';

/** An occurrence found within this long of its time is on time; later, it was missed. */
export const DEFAULT_GRACE_MS = 2 * 60_000;

export type DuePlan =
  /** Nothing due now. `nextAt`: the next occurrence (undefined: none, the schedule is over or off). */
  | { kind: 'idle'; nextAt: number | undefined }
  /** Run now, for the occurrence `dueAt`; `late` when it was missed and is caught up once. */
  | { kind: 'run'; dueAt: number; late: boolean; nextAt: number | undefined }
  /** A missed occurrence the schedule's policy says to skip. */
  | { kind: 'skip'; dueAt: number; nextAt: number | undefined };

/** Where a schedule's occurrences are counted from: the last one handled, or when it was saved. */
export function dueBase(s: Schedule): number {
  return Math.max(s.lastDueAt ?? 0, s.updatedAt);
}

/** The next occurrence after `now` that the schedule will run (before its end date), if any. */
export function nextDueAt(s: Schedule, clock: CadenceClock, now: number): number | undefined {
  if (!s.enabled) return undefined;
  const next = clock.next(Math.max(now, dueBase(s)));
  return next !== undefined && (s.endAt === undefined || next < s.endAt) ? next : undefined;
}

/** What to do for `s` at `now`. */
export function planDue(s: Schedule, clock: CadenceClock, now: number, graceMs = DEFAULT_GRACE_MS): DuePlan {
  const nextAt = nextDueAt(s, clock, now);
  if (!s.enabled) return { kind: 'idle', nextAt };
  // No run starts at or after the end date, even one missed before it and found later.
  const until = s.endAt === undefined ? now : Math.min(now, s.endAt - 1);
  const dueAt = clock.latestIn(dueBase(s), until);
  if (dueAt === undefined) return { kind: 'idle', nextAt };
  const late = now - dueAt > graceMs;
  if (late && s.missed === 'skip') return { kind: 'skip', dueAt, nextAt };
  return { kind: 'run', dueAt, late, nextAt };
}
