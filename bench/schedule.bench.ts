// Benchmark: the idle cost of the scheduler (issue 14: no polling faster than the next due time).
//   schedule_wakeups_per_day   wake-ups of ScheduleRunner (it reads the file and plans every schedule) over one
//                              simulated day (an injected clock that only moves when told: no real waiting),
//                              for no schedules, one daily, one hourly and ten hourly schedules: only at due
//                              times (and after a sleep, which this clock does not do).
//   schedule_timer_fires_per_day  how often its timer fired: each wait is capped at 5 minutes so a sleep is
//                              noticed within 5 minutes of waking (wakeTimer.ts); a capped fire compares two
//                              numbers and sets the timer again. At most 288 a day; none with nothing scheduled.
//   loop_wakeups_per_day       the same two figures for LoopManager with one /loop every 10 minutes, every 5 hours.
//   schedule_wake_ms           wall time of one wake-up with ten schedules (reads the file, plans each one):
//                              median of 200.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../src/core/base/clock';
import { Emitter } from '../src/core/base/event';
import { nullLogger } from '../src/core/base/logger';
import { ChatLog } from '../src/core/host/chatLog';
import type { SessionHandle } from '../src/core/host/hostService';
import { LoopManager } from '../src/core/schedule/loopManager';
import type { ApprovalRequest, SessionInfo } from '../src/core/wire/protocol';
import { ScheduleBook } from '../src/node/schedule/scheduleBook';
import { ScheduleRunner } from '../src/node/schedule/scheduleRunner';
import { ScheduleStore } from '../src/node/schedule/scheduleStore';

const DAY = 86_400_000;

function runnerWakeups(cadences: Array<Record<string, unknown>>): { wakeups: number; fires: number; wakeMs: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-schedules-bench-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 0, 0, 30));
  const book = new ScheduleBook(new ScheduleStore(dir), clock);
  for (const [i, cadence] of cadences.entries()) {
    const r = book.save({ dir, prompt: `bench ${i}`, cadence, timeZone: 'UTC', enabled: true, missed: 'skip' });
    if (!r.ok) throw new Error(r.message);
  }
  const runner = new ScheduleRunner({
    book,
    clock,
    logger: nullLogger,
    approvals: { onRequest: new Emitter<ApprovalRequest>().event },
    launch: () => ({}) as never,
    // A run "fails to start" at once: the bench counts the scheduler's wake-ups, not agents.
    sessions: { start: () => Promise.reject(new Error('bench')), stop: () => Promise.resolve() },
  });
  try {
    runner.start();
    const before = runner.wakeCount;
    const firesBefore = runner.timerFires;
    clock.advance(DAY);
    const wakeups = runner.wakeCount - before;
    const fires = runner.timerFires - firesBefore;
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      (runner as unknown as { wake(): void }).wake();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return { wakeups, fires, wakeMs: Number(samples[100]!.toFixed(3)) };
  } finally {
    runner.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function loopWakeups(text: string): { wakeups: number; fires: number } {
  const clock = new ManualClock();
  const loops = new LoopManager({ clock, logger: nullLogger });
  const session: SessionHandle = {
    id: 's',
    chat: new ChatLog({ clock }),
    onInfo: new Emitter<SessionInfo>().event,
    info: () => ({ id: 's', title: 't', agent: 'claude-code', cwd: '/', status: 'idle', since: 0, lastSeq: 0 }),
    prompt: () => undefined,
    interrupt: () => undefined,
    stop: () => Promise.resolve(),
  };
  loops.handlePrompt(session, text, 'c');
  clock.advance(DAY);
  const n = { wakeups: loops.wakeCount, fires: loops.timerFires };
  loops.dispose();
  return n;
}

export async function run(): Promise<Record<string, unknown>> {
  const none = runnerWakeups([]);
  const daily = runnerWakeups([{ kind: 'daily', time: '09:00' }]);
  const hourly = runnerWakeups([{ kind: 'hourly', minute: 0 }]);
  const ten = runnerWakeups(Array.from({ length: 10 }, (_, i) => ({ kind: 'hourly', minute: i * 5 })));
  const result = {
    schedule_wakeups_per_day: { none: none.wakeups, daily: daily.wakeups, hourly: hourly.wakeups, ten_hourly: ten.wakeups },
    schedule_timer_fires_per_day: { none: none.fires, daily: daily.fires, hourly: hourly.fires, ten_hourly: ten.fires },
    loop_wakeups_per_day: { every_10m: loopWakeups('/loop 10m x'), every_5h: loopWakeups('/loop 5h x') },
    schedule_wake_ms: { ten_schedules_median: ten.wakeMs },
  };
  console.log(`schedules: wake-ups per simulated day ${JSON.stringify(result.schedule_wakeups_per_day)}, timer fires ${JSON.stringify(result.schedule_timer_fires_per_day)}; loops ${JSON.stringify(result.loop_wakeups_per_day)}; one wake-up with ten schedules: median ${ten.wakeMs} ms`);
  return result;
}
