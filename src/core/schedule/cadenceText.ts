// A cadence in words and as text: the cron pattern it stands for, how it reads ("weekdays at 08:00"), and
// the one-line form people type ("weekdays 08:00"). Free of croner, so the phone page can use it; checking a
// cadence and stepping through its runs is cadence.ts (host only).
import type { Cadence } from '../wire/scheduleSchemas';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** The cron pattern a cadence stands for. */
export function cadenceToCron(c: Cadence): string {
  const hm = (time: string) => {
    const [h, m] = time.split(':');
    return `${Number(m)} ${Number(h)}`;
  };
  switch (c.kind) {
    case 'hourly':
      return `${c.minute} * * * *`;
    case 'daily':
      return `${hm(c.time)} * * *`;
    case 'weekdays':
      return `${hm(c.time)} * * 1-5`;
    case 'weekly':
      return `${hm(c.time)} * * ${c.day}`;
    case 'cron':
      return c.expr.trim().replace(/\s+/g, ' ');
  }
}

/** "every hour at :15", "daily at 08:00", "weekdays at 08:00", "Mondays at 09:30", "cron 0 8 * * 1-5". */
export function describeCadence(c: Cadence): string {
  switch (c.kind) {
    case 'hourly':
      return `every hour at :${String(c.minute).padStart(2, '0')}`;
    case 'daily':
      return `daily at ${c.time}`;
    case 'weekdays':
      return `weekdays at ${c.time}`;
    case 'weekly':
      return `${DAY_NAMES[c.day]}s at ${c.time}`;
    case 'cron':
      return `cron ${cadenceToCron(c)}`;
  }
}

/**
 * A cadence typed as one line (the VS Code command's input box): "hourly", "hourly :15", "daily 08:00",
 * "weekdays 08:00", "weekly mon 09:30", or a cron expression ("0 8 * * 1-5"). Only the shape is read here;
 * CadenceClock checks the result. undefined: not one of these forms.
 */
export function parseCadenceText(text: string): Cadence | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  const time = '([01]?\\d|2[0-3]):([0-5]\\d)';
  const hhmm = (h: string, m: string) => `${h.padStart(2, '0')}:${m}`;
  let m: RegExpExecArray | null;
  if ((m = /^hourly(?: (?:at )?:?([0-5]?\d))?$/i.exec(t))) return { kind: 'hourly', minute: Number(m[1] ?? 0) };
  if ((m = new RegExp(`^(daily|weekdays)(?: at)? ${time}$`, 'i').exec(t))) return { kind: m[1]!.toLowerCase() as 'daily' | 'weekdays', time: hhmm(m[2]!, m[3]!) };
  if ((m = new RegExp(`^weekly (?:on )?(sun|mon|tue|wed|thu|fri|sat)[a-z]*(?: at)? ${time}$`, 'i').exec(t))) {
    return { kind: 'weekly', day: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].indexOf(m[1]!.toLowerCase()), time: hhmm(m[2]!, m[3]!) };
  }
  if (/^\S+( \S+){4,5}$/.test(t) && /^[\d*]/.test(t)) return { kind: 'cron', expr: t };
  return undefined;
}
