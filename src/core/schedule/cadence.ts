// A schedule's cadence, checked and stepped with croner (a maintained cron library; its
// syntax: five fields, or six with seconds first; day-of-month and day-of-week OR-ed like Vixie cron). The
// friendly forms (hourly, daily HH:MM, weekdays, weekly) are written as cron here, so there is one way to
// compute a run time. Times are wall-clock times in the schedule's IANA zone: croner applies the zone's
// offset at each occurrence, so a daily 08:00 stays 08:00 across a DST change; a time the change skips
// (02:30 on the spring-forward night) runs at the first instant after the gap, once.
import { Cron } from 'croner';
import type { Cadence } from '../wire/scheduleSchemas';
import { cadenceToCron } from './cadenceText';


export type CadenceErrorCode = 'SCHEDULE_ERR_CRON' | 'SCHEDULE_ERR_TIME_ZONE' | 'SCHEDULE_ERR_NEVER' | 'SCHEDULE_ERR_TOO_OFTEN';

export class CadenceError extends Error {
  override readonly name = 'CadenceError';
  constructor(
    readonly code: CadenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Schedules run at most once a minute: a seconds field that fires more often is refused. */
const MIN_GAP_MS = 60_000;

/**
 * A checked cadence that can step through its run times. @throws CadenceError with a message that says
 * what is wrong (the cron field and value croner named, the unknown zone, a pattern that never fires).
 */
export class CadenceClock {
  private readonly cron: Cron;
  readonly pattern: string;

  constructor(
    cadence: Cadence,
    readonly timeZone: string,
  ) {
    if (!isTimeZone(timeZone)) throw new CadenceError('SCHEDULE_ERR_TIME_ZONE', `unknown time zone "${timeZone}" (use an IANA name such as Europe/Paris or UTC)`);
    this.pattern = cadenceToCron(cadence);
    try {
      // paused: croner never schedules anything itself here; Walkie's scheduler owns every timer.
      this.cron = new Cron(this.pattern, { timezone: timeZone, paused: true });
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^CronPattern:\s*/, '') : 'invalid';
      throw new CadenceError('SCHEDULE_ERR_CRON', `"${this.pattern}" is not a valid cron expression: ${why}`);
    }
    const [a, b] = this.cron.nextRuns(2, new Date(0));
    if (!a) throw new CadenceError('SCHEDULE_ERR_NEVER', `"${this.pattern}" never runs`);
    if (b && b.getTime() - a.getTime() < MIN_GAP_MS) throw new CadenceError('SCHEDULE_ERR_TOO_OFTEN', `"${this.pattern}" runs more than once a minute; schedules run at most once a minute`);
  }

  /** The first run time strictly after `after` (ms), or undefined when there is none. */
  next(after: number): number | undefined {
    return this.cron.nextRun(new Date(after))?.getTime();
  }

  /** Up to `n` run times strictly after `after`, before `endAt` when given. */
  nextRuns(n: number, after: number, endAt?: number): number[] {
    const out: number[] = [];
    let t = after;
    while (out.length < n) {
      const next = this.next(t);
      if (next === undefined || (endAt !== undefined && next >= endAt)) break;
      out.push(next);
      t = next;
    }
    return out;
  }

  /** The newest run time in (from, to], or undefined when none falls there. */
  latestIn(from: number, to: number): number | undefined {
    // croner's previousRuns is strictly before its date and works in whole seconds.
    const last = this.cron.previousRuns(1, new Date(Math.floor(to / 1000) * 1000 + 1000))[0]?.getTime();
    return last !== undefined && last > from && last <= to ? last : undefined;
  }
}

