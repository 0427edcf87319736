// `walkie schedule add|list|rm|run-now`: the schedules a host runs (each run a fresh, gated session), kept in
// the host's state folder (--state-dir, like `walkie host`). A schedule that does not check out (a bad cron
// expression, an unknown time zone, a folder that is not there) exits non-zero, says what is wrong and saves
// nothing; a twin of a saved schedule is refused unless --force.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../core/base/clock';
import { describeCadence } from '../../core/schedule/cadenceText';
import type { Cadence, Schedule } from '../../core/wire/scheduleSchemas';
import { defaultHostStateDir } from '../host/fileStateStore';
import { ScheduleBook } from '../schedule/scheduleBook';
import { ScheduleStore, ScheduleStoreError } from '../schedule/scheduleStore';
import type { CommandIO } from './hostCommand';

export const SCHEDULE_USAGE = `walkie schedule add --dir DIR --prompt TEXT (--cron EXPR | --every hourly|daily|weekdays|weekly [--at HH:MM] [--day DAY]) [options]
walkie schedule list [--json]
walkie schedule rm ID
walkie schedule run-now ID

Each run of a schedule is a fresh agent session in DIR, with every edit and command an approval, started by the
host that uses the same state folder (walkie host, VS Code) while it runs.
  --cron EXPR          a cron expression: "0 8 * * 1-5" is 08:00 Monday to Friday
  --every hourly       every hour (--at :MM, default :00); daily, weekdays, weekly: at --at HH:MM (default 09:00)
  --day DAY            for weekly: sun, mon, tue, wed, thu, fri or sat (default mon)
  --tz ZONE            the time zone of those times (default: this computer's, ${localZone()})
  --until DATE         no run at or after DATE (ISO 8601: 2026-12-31 or 2026-12-31T18:00+01:00)
  --missed POLICY      a run missed while the computer slept or no host ran: catch-up-once (default) or skip
  --disabled           save it switched off
  --force              save even if the same schedule already exists
  --state-dir D        the host's state folder (default ~/.walkie/host)
`;

const OPTIONS = {
  dir: { type: 'string' },
  prompt: { type: 'string' },
  cron: { type: 'string' },
  every: { type: 'string' },
  at: { type: 'string' },
  day: { type: 'string' },
  tz: { type: 'string' },
  until: { type: 'string' },
  missed: { type: 'string' },
  disabled: { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  'state-dir': { type: 'string' },
} as const;

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

class UsageError extends Error {}

export function runScheduleCommand(argv: readonly string[], io: Pick<CommandIO, 'stdout' | 'stderr'>): number {
  const [verb, ...rest] = argv;
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  const parse = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  try {
    ({ values, positionals } = parse(rest));
  } catch (e) {
    io.stderr.write(`walkie schedule: ${(e as Error).message}\n\n${SCHEDULE_USAGE}`);
    return 2;
  }
  const book = new ScheduleBook(new ScheduleStore(values['state-dir'] ?? defaultHostStateDir()), systemClock);
  try {
    switch (verb) {
      case 'add':
        return add(book, values, io);
      case 'list':
        return list(book, values.json === true, io);
      case 'rm':
      case 'run-now': {
        const id = positionals[0];
        if (!id) throw new UsageError(`${verb} needs a schedule id (walkie schedule list shows them)`);
        const found = verb === 'rm' ? book.remove(id) : book.requestRun(id);
        if (!found) {
          io.stderr.write(`walkie schedule: no schedule with id ${id}\n`);
          return 1;
        }
        io.stdout.write(verb === 'rm' ? `removed schedule ${id}\n` : `asked for a run of ${id} now: the host that uses this state folder starts it (at once if it is running, else when it starts)\n`);
        return 0;
      }
      default:
        io.stderr.write(`walkie schedule: ${verb === undefined ? 'say what to do' : `unknown action '${verb}'`}\n\n${SCHEDULE_USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`walkie schedule: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ScheduleStoreError) {
      io.stderr.write(`walkie schedule: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function add(book: ScheduleBook, v: Record<string, string | boolean | undefined>, io: Pick<CommandIO, 'stdout' | 'stderr'>): number {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const dirArg = str('dir');
  const prompt = str('prompt');
  if (!dirArg || !prompt) throw new UsageError('add needs --dir DIR and --prompt TEXT');
  const dir = path.resolve(dirArg);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--dir ${dirArg}: no such folder`);
  let endAt: number | undefined;
  if (str('until') !== undefined) {
    endAt = Date.parse(str('until')!);
    if (!Number.isFinite(endAt)) throw new UsageError(`--until ${str('until')}: not a date (use ISO 8601, e.g. 2026-12-31)`);
  }
  const missed = str('missed') ?? 'catch-up-once';
  if (missed !== 'catch-up-once' && missed !== 'skip') throw new UsageError('--missed takes catch-up-once or skip');
  const input = { dir, prompt, cadence: cadenceFrom(v), timeZone: str('tz') ?? localZone(), endAt, enabled: v.disabled !== true, missed };
  const r = book.save(input, { force: v.force === true });
  if (!r.ok) {
    io.stderr.write(`walkie schedule: ${r.message}${r.code === 'SCHEDULE_ERR_DUPLICATE' ? ' (add --force to save it anyway)' : ''}; nothing was saved\n`);
    return r.code === 'SCHEDULE_ERR_DUPLICATE' ? 1 : 2;
  }
  io.stdout.write(`saved schedule ${r.schedule.id}: ${describe(r.schedule)}\n`);
  io.stdout.write(`next runs:\n${r.nextRuns.map((t) => `  ${formatIn(t, r.schedule.timeZone)}\n`).join('')}`);
  return 0;
}

function cadenceFrom(v: Record<string, string | boolean | undefined>): Cadence {
  const cron = typeof v.cron === 'string' ? v.cron : undefined;
  const every = typeof v.every === 'string' ? v.every : undefined;
  if ((cron === undefined) === (every === undefined)) throw new UsageError('give exactly one of --cron EXPR and --every hourly|daily|weekdays|weekly');
  if (cron !== undefined) return { kind: 'cron', expr: cron };
  const at = typeof v.at === 'string' ? v.at : undefined;
  if (every === 'hourly') {
    const m = /^:?(\d{1,2})$/.exec(at ?? '0');
    if (!m || Number(m[1]) > 59) throw new UsageError(`--at ${at}: for hourly, the minute past the hour (:15)`);
    return { kind: 'hourly', minute: Number(m[1]) };
  }
  const time = at ?? '09:00';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new UsageError(`--at ${time}: a time is HH:MM, 00:00 to 23:59`);
  if (every === 'daily' || every === 'weekdays') return { kind: every, time };
  if (every === 'weekly') {
    const day = DAYS.indexOf(String(v.day ?? 'mon').slice(0, 3).toLowerCase());
    if (day < 0) throw new UsageError(`--day ${String(v.day)}: one of ${DAYS.join(', ')}`);
    return { kind: 'weekly', day, time };
  }
  throw new UsageError(`--every ${every}: one of hourly, daily, weekdays, weekly`);
}

function list(book: ScheduleBook, json: boolean, io: Pick<CommandIO, 'stdout'>): number {
  const views = book.views();
  if (json) {
    io.stdout.write(JSON.stringify({ schedules: views, runs: book.store.load().runs }) + '\n');
    return 0;
  }
  if (!views.length) {
    io.stdout.write('no schedules (add one with walkie schedule add)\n');
    return 0;
  }
  for (const s of views) {
    io.stdout.write(`${s.id}  ${describe(s)}${s.enabled ? '' : '  [disabled]'}\n`);
    io.stdout.write(`  prompt: ${s.prompt.length > 80 ? s.prompt.slice(0, 79) + '…' : s.prompt}\n`);
    io.stdout.write(s.nextRuns.length ? `  next runs: ${s.nextRuns.map((t) => formatIn(t, s.timeZone)).join(', ')}\n` : '  next runs: none\n');
  }
  return 0;
}

function describe(s: Schedule): string {
  return `${describeCadence(s.cadence)} (${s.timeZone}) in ${s.dir}${s.endAt !== undefined ? `, until ${new Date(s.endAt).toISOString()}` : ''}${s.missed === 'skip' ? ', missed runs skipped' : ''}`;
}

/** "Mon 2026-03-30 08:00 Europe/Paris". */
export function formatIn(t: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}
