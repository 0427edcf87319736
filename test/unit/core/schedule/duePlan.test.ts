import assert from 'node:assert/strict';
import { CadenceClock } from '../../../../src/core/schedule/cadence';
import { planDue } from '../../../../src/core/schedule/duePlan';
import { findDuplicate } from '../../../../src/core/schedule/duplicates';
import type { Schedule } from '../../../../src/core/wire/scheduleSchemas';

const at = (s: string) => Date.parse(s);

function schedule(over: Partial<Schedule> = {}): Schedule {
  return {
    id: 's1',
    dir: '/work/proj',
    prompt: 'check the build',
    cadence: { kind: 'hourly', minute: 0 },
    timeZone: 'UTC',
    enabled: true,
    missed: 'catch-up-once',
    createdAt: at('2026-01-01T07:30:00Z'),
    updatedAt: at('2026-01-01T07:30:00Z'),
    ...over,
  };
}

describe('planDue', () => {
  const clock = new CadenceClock({ kind: 'hourly', minute: 0 }, 'UTC');

  it('runs an occurrence found on time, and is idle until the next', () => {
    const s = schedule();
    assert.deepEqual(planDue(s, clock, at('2026-01-01T07:59:00Z')), { kind: 'idle', nextAt: at('2026-01-01T08:00:00Z') });
    const plan = planDue(s, clock, at('2026-01-01T08:00:01Z'));
    assert.equal(plan.kind, 'run');
    assert.ok(plan.kind === 'run' && !plan.late && plan.dueAt === at('2026-01-01T08:00:00Z'));
  });

  it('catches up ONCE for every occurrence missed in a sleep, for the newest one', () => {
    // Asleep from 08:30 to 13:20: 09:00, 10:00, 11:00, 12:00 and 13:00 were missed.
    const s = schedule({ lastDueAt: at('2026-01-01T08:00:00Z') });
    const plan = planDue(s, clock, at('2026-01-01T13:20:00Z'));
    assert.equal(plan.kind, 'run');
    assert.ok(plan.kind === 'run' && plan.late);
    assert.equal(plan.dueAt, at('2026-01-01T13:00:00Z'));
    // Once that occurrence is handled, nothing else is due until 14:00: never N runs.
    const after = planDue({ ...s, lastDueAt: plan.dueAt }, clock, at('2026-01-01T13:20:05Z'));
    assert.deepEqual(after, { kind: 'idle', nextAt: at('2026-01-01T14:00:00Z') });
  });

  it('skips missed occurrences when the schedule says so', () => {
    const s = schedule({ lastDueAt: at('2026-01-01T08:00:00Z'), missed: 'skip' });
    const plan = planDue(s, clock, at('2026-01-01T13:20:00Z'));
    assert.deepEqual(plan, { kind: 'skip', dueAt: at('2026-01-01T13:00:00Z'), nextAt: at('2026-01-01T14:00:00Z') });
  });

  it('does nothing for a disabled schedule, or at or after its end date', () => {
    assert.deepEqual(planDue(schedule({ enabled: false }), clock, at('2026-01-01T08:00:10Z')), { kind: 'idle', nextAt: undefined });
    const ended = schedule({ endAt: at('2026-01-01T08:00:00Z') });
    assert.deepEqual(planDue(ended, clock, at('2026-01-01T08:00:10Z')), { kind: 'idle', nextAt: undefined });
    // A missed occurrence before the end date, found after it, is still caught up (it was before the end).
    const later = schedule({ endAt: at('2026-01-01T09:30:00Z') });
    const plan = planDue(later, clock, at('2026-01-01T11:00:10Z'));
    assert.ok(plan.kind === 'run' && plan.dueAt === at('2026-01-01T09:00:00Z') && plan.nextAt === undefined);
  });

  it('never catches up occurrences from before a schedule was saved or edited', () => {
    const s = schedule({ createdAt: at('2026-01-01T08:10:00Z'), updatedAt: at('2026-01-01T08:10:00Z') });
    assert.equal(planDue(s, clock, at('2026-01-01T08:10:00Z')).kind, 'idle');
  });

  it('follows the zone across DST: a daily 08:00 in Paris is due at 07:00 UTC in winter and 06:00 in summer', () => {
    const paris = new CadenceClock({ kind: 'daily', time: '08:00' }, 'Europe/Paris');
    const s = schedule({ cadence: { kind: 'daily', time: '08:00' }, timeZone: 'Europe/Paris', createdAt: at('2026-03-28T00:00:00Z'), updatedAt: at('2026-03-28T00:00:00Z') });
    assert.equal(planDue(s, paris, at('2026-03-28T06:30:00Z')).kind, 'idle');
    const sat = planDue(s, paris, at('2026-03-28T07:00:30Z'));
    assert.ok(sat.kind === 'run' && sat.dueAt === at('2026-03-28T07:00:00Z'));
    assert.equal(sat.nextAt, at('2026-03-29T06:00:00Z'));
  });
});

describe('findDuplicate', () => {
  const saved = [schedule({ id: 'a', dir: '/work/proj/', prompt: 'Check  the build', cadence: { kind: 'cron', expr: '0 * * * *' } })];

  it('flags the same folder, prompt, times and zone however they are written', () => {
    const input = { dir: '/work/proj', prompt: 'check the build', cadence: { kind: 'hourly' as const, minute: 0 }, timeZone: 'UTC', enabled: true, missed: 'skip' as const };
    assert.equal(findDuplicate(input, saved)?.id, 'a');
  });

  it('does not flag another folder, prompt, time or zone, nor a schedule being edited itself', () => {
    const base = { dir: '/work/proj', prompt: 'check the build', cadence: { kind: 'hourly' as const, minute: 0 }, timeZone: 'UTC', enabled: true, missed: 'skip' as const };
    assert.equal(findDuplicate({ ...base, dir: '/work/other' }, saved), undefined);
    assert.equal(findDuplicate({ ...base, prompt: 'check the tests' }, saved), undefined);
    assert.equal(findDuplicate({ ...base, cadence: { kind: 'hourly', minute: 30 } }, saved), undefined);
    assert.equal(findDuplicate({ ...base, timeZone: 'Europe/Paris' }, saved), undefined);
    assert.equal(findDuplicate({ ...base, id: 'a' }, saved), undefined);
  });
});
