// Checks a schedule a user wrote before anything is saved: the shape (ScheduleInputSchema), the cadence and
// time zone (croner, through CadenceClock), an end date that is still ahead, an absolute folder. Answers
// with one message that says what is wrong, or with the schedule's next three run times, which every
// surface shows before saving.
import { ScheduleInputSchema, type ScheduleInput } from '../wire/scheduleSchemas';
import { CadenceClock, CadenceError } from './cadence';

export type ScheduleCheck =
  | { ok: true; input: ScheduleInput; clock: CadenceClock; nextRuns: number[] }
  | { ok: false; code: 'SCHEDULE_ERR_INVALID'; message: string };

function isAbsolute(dir: string): boolean {
  return dir.startsWith('/') || /^[A-Za-z]:[\\/]/.test(dir) || dir.startsWith('\\\\');
}

/** Validates `value` (unknown: it may come from a device) as a schedule, at `now`. Never throws. */
export function checkSchedule(value: unknown, now: number): ScheduleCheck {
  const bad = (message: string): ScheduleCheck => ({ ok: false, code: 'SCHEDULE_ERR_INVALID', message });
  const r = ScheduleInputSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    return bad(`${issue?.path.join('.') || 'schedule'}: ${issue?.message ?? 'invalid'}`);
  }
  const input = r.data;
  if (!input.prompt.trim()) return bad('the prompt is empty');
  if (!isAbsolute(input.dir)) return bad(`the folder must be an absolute path, got "${input.dir}"`);
  let clock: CadenceClock;
  try {
    clock = new CadenceClock(input.cadence, input.timeZone);
  } catch (e) {
    if (e instanceof CadenceError) return bad(e.message);
    throw e;
  }
  if (input.endAt !== undefined && input.endAt <= now) return bad('the end date is in the past');
  const nextRuns = clock.nextRuns(3, now, input.endAt);
  if (!nextRuns.length) return bad('the schedule never runs before its end date');
  return { ok: true, input, clock, nextRuns };
}
