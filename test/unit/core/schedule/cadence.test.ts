import assert from 'node:assert/strict';
import { CadenceClock, CadenceError } from '../../../../src/core/schedule/cadence';
import { cadenceToCron, describeCadence, parseCadenceText } from '../../../../src/core/schedule/cadenceText';
import { checkSchedule } from '../../../../src/core/schedule/scheduleCheck';
import type { Cadence } from '../../../../src/core/wire/scheduleSchemas';

const iso = (t: number) => new Date(t).toISOString();
const at = (s: string) => Date.parse(s);

describe('CadenceClock', () => {
  it('writes each friendly cadence as the cron pattern it stands for', () => {
    const cases: Array<[Cadence, string, string]> = [
      [{ kind: 'hourly', minute: 15 }, '15 * * * *', 'every hour at :15'],
      [{ kind: 'daily', time: '08:05' }, '5 8 * * *', 'daily at 08:05'],
      [{ kind: 'weekdays', time: '08:00' }, '0 8 * * 1-5', 'weekdays at 08:00'],
      [{ kind: 'weekly', day: 1, time: '09:30' }, '30 9 * * 1', 'Mondays at 09:30'],
      [{ kind: 'cron', expr: '  0  8 * *   1-5 ' }, '0 8 * * 1-5', 'cron 0 8 * * 1-5'],
    ];
    for (const [cadence, cron, words] of cases) {
      assert.equal(cadenceToCron(cadence), cron);
      assert.equal(describeCadence(cadence), words);
    }
  });

  it('gives the next three weekday mornings in Paris, skipping the weekend', () => {
    const c = new CadenceClock({ kind: 'weekdays', time: '08:00' }, 'Europe/Paris');
    // Friday 27 March 2026, noon UTC: next are Mon 30, Tue 31 (CEST, UTC+2) and Wed 1 April.
    assert.deepEqual(c.nextRuns(3, at('2026-03-27T12:00:00Z')).map(iso), ['2026-03-30T06:00:00.000Z', '2026-03-31T06:00:00.000Z', '2026-04-01T06:00:00.000Z']);
  });

  it('keeps 08:00 at 08:00 local time across the spring and autumn DST changes in New York', () => {
    const c = new CadenceClock({ kind: 'daily', time: '08:00' }, 'America/New_York');
    // 8 March 2026: clocks go forward (EST UTC-5 → EDT UTC-4).
    assert.deepEqual(c.nextRuns(2, at('2026-03-06T20:00:00Z')).map(iso), ['2026-03-07T13:00:00.000Z', '2026-03-08T12:00:00.000Z']);
    // 1 November 2026: clocks go back (EDT → EST).
    assert.deepEqual(c.nextRuns(2, at('2026-10-31T00:00:00Z')).map(iso), ['2026-10-31T12:00:00.000Z', '2026-11-01T13:00:00.000Z']);
  });

  it('runs a time the spring-forward gap skips once, at the first instant after the gap', () => {
    // Paris, 29 March 2026: 02:00–03:00 does not exist.
    const c = new CadenceClock({ kind: 'daily', time: '02:30' }, 'Europe/Paris');
    const runs = c.nextRuns(3, at('2026-03-28T12:00:00Z')).map(iso);
    assert.deepEqual(runs, ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
  });

  it('runs a time the autumn fall-back repeats only once', () => {
    // Paris, 25 October 2026: 02:00–03:00 happens twice.
    const c = new CadenceClock({ kind: 'daily', time: '02:30' }, 'Europe/Paris');
    const runs = c.nextRuns(2, at('2026-10-24T12:00:00Z'));
    assert.equal(runs.length, 2);
    assert.ok(runs[1]! - runs[0]! > 20 * 3_600_000, runs.map(iso).join(', '));
  });

  it('refuses bad cron expressions, unknown zones, patterns that never fire and more than once a minute', () => {
    const bad: Array<[Cadence, string, string, RegExp]> = [
      [{ kind: 'cron', expr: '61 * * * *' }, 'UTC', 'SCHEDULE_ERR_CRON', /not a valid cron expression.*minute/],
      [{ kind: 'cron', expr: 'every morning' }, 'UTC', 'SCHEDULE_ERR_CRON', /not a valid cron expression/],
      [{ kind: 'cron', expr: '0 8 * * 1-5 extra' }, 'UTC', 'SCHEDULE_ERR_CRON', /not a valid cron expression/],
      [{ kind: 'daily', time: '08:00' }, 'Mars/Olympus', 'SCHEDULE_ERR_TIME_ZONE', /unknown time zone "Mars\/Olympus"/],
      [{ kind: 'cron', expr: '0 0 30 2 *' }, 'UTC', 'SCHEDULE_ERR_NEVER', /never runs/],
      [{ kind: 'cron', expr: '* * * * * *' }, 'UTC', 'SCHEDULE_ERR_TOO_OFTEN', /more than once a minute/],
    ];
    for (const [cadence, zone, code, message] of bad) {
      assert.throws(() => new CadenceClock(cadence, zone), (e: unknown) => e instanceof CadenceError && e.code === code && message.test(e.message), `${JSON.stringify(cadence)} ${zone}`);
    }
  });

  it('finds the newest occurrence in a window, and none in an empty one', () => {
    const c = new CadenceClock({ kind: 'hourly', minute: 0 }, 'UTC');
    assert.equal(c.latestIn(at('2026-01-01T08:30:00Z'), at('2026-01-01T11:10:00Z')), at('2026-01-01T11:00:00Z'));
    assert.equal(c.latestIn(at('2026-01-01T08:30:00Z'), at('2026-01-01T09:00:00Z')), at('2026-01-01T09:00:00Z'));
    assert.equal(c.latestIn(at('2026-01-01T09:00:00Z'), at('2026-01-01T09:59:59Z')), undefined);
  });
});

describe('checkSchedule', () => {
  const now = at('2026-03-27T12:00:00Z');
  const good = { dir: '/work/proj', prompt: 'check the build', cadence: { kind: 'cron', expr: '0 8 * * 1-5' }, timeZone: 'Europe/Paris', enabled: true, missed: 'catch-up-once' };

  it('accepts a good schedule and shows its next three runs', () => {
    const r = checkSchedule(good, now);
    assert.ok(r.ok);
    assert.equal(r.nextRuns.length, 3);
  });

  it('says what is wrong with junk and bad fields', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /schedule/],
      ['0 8 * * *', /schedule/],
      [{ ...good, dir: 'relative/dir' }, /absolute path/],
      [{ ...good, prompt: '   ' }, /prompt is empty/],
      [{ ...good, cadence: { kind: 'daily', time: '25:00' } }, /cadence.time: a time is HH:MM/],
      [{ ...good, cadence: { kind: 'cron', expr: '0 8 * * 9' } }, /not a valid cron expression/],
      [{ ...good, timeZone: 'Nowhere/City' }, /unknown time zone/],
      [{ ...good, endAt: now - 1 }, /end date is in the past/],
      [{ ...good, endAt: now + 60_000 }, /never runs before its end date/],
      [{ ...good, missed: 'all' }, /missed/],
    ];
    for (const [value, message] of cases) {
      const r = checkSchedule(value, now);
      assert.ok(!r.ok, JSON.stringify(value));
      assert.equal(r.code, 'SCHEDULE_ERR_INVALID');
      assert.match(r.message, message, JSON.stringify(value));
    }
  });

  it('stops the next runs at the end date', () => {
    const r = checkSchedule({ ...good, endAt: at('2026-03-31T07:00:00Z') }, now);
    assert.ok(r.ok);
    assert.deepEqual(r.nextRuns.map(iso), ['2026-03-30T06:00:00.000Z', '2026-03-31T06:00:00.000Z']);
  });
});

describe('parseCadenceText', () => {
  it('reads the friendly forms and cron expressions', () => {

    assert.deepEqual(parseCadenceText('hourly'), { kind: 'hourly', minute: 0 });
    assert.deepEqual(parseCadenceText('hourly :15'), { kind: 'hourly', minute: 15 });
    assert.deepEqual(parseCadenceText('daily 8:05'), { kind: 'daily', time: '08:05' });
    assert.deepEqual(parseCadenceText('Weekdays at 08:00'), { kind: 'weekdays', time: '08:00' });
    assert.deepEqual(parseCadenceText('weekly on Monday 09:30'), { kind: 'weekly', day: 1, time: '09:30' });
    assert.deepEqual(parseCadenceText(' 0 8  * * 1-5 '), { kind: 'cron', expr: '0 8 * * 1-5' });
    for (const junk of ['', 'sometimes', 'daily 25:00', 'weekly funday 09:00', 'hourly :75']) assert.equal(parseCadenceText(junk), undefined, junk);
  });
});
