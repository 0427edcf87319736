// The scheduler on an injected clock that can sleep: what runs on time, what a sleep does (one catch-up run,
// or none by policy), a run still going when the next is due, and what is saved across restarts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChatLog } from '../../../../src/core/host/chatLog';
import { Emitter } from '../../../../src/core/base/event';
import { nullLogger } from '../../../../src/core/base/logger';
import type { ApprovalRequest, SessionInfo } from '../../../../src/core/wire/protocol';
import type { AgentSession } from '../../../../src/node/sessions/agentSession';
import { ScheduleBook } from '../../../../src/node/schedule/scheduleBook';
import { ScheduleRunner } from '../../../../src/node/schedule/scheduleRunner';
import { ScheduleStore } from '../../../../src/node/schedule/scheduleStore';
import { SleepClock } from './sleepClock';

const at = (s: string) => Date.parse(s);
const MIN = 60_000;

/** A session that records its prompt and ends its turn when told. */
class FakeRun {
  readonly infoEmitter = new Emitter<SessionInfo>();
  readonly onInfo = this.infoEmitter.event;
  readonly chat: ChatLog;
  status: SessionInfo['status'] = 'idle';
  prompts: string[] = [];
  constructor(
    readonly id: string,
    readonly cwd: string,
    clock: SleepClock,
  ) {
    this.chat = new ChatLog({ clock });
  }
  info(): SessionInfo {
    return { id: this.id, title: 't', agent: 'claude-code', cwd: this.cwd, status: this.status, since: 0, lastSeq: this.chat.lastSeq };
  }
  set(status: SessionInfo['status']): void {
    this.status = status;
    this.infoEmitter.fire(this.info());
  }
  prompt(text: string): Promise<void> {
    this.prompts.push(text);
    this.set('working');
    return Promise.resolve();
  }
  finishTurn(answer: string): void {
    this.chat.append({ kind: 'assistant', text: answer });
    this.set('idle');
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ScheduleRunner', () => {
  let dir: string;
  let clock: SleepClock;
  let runs: FakeRun[];
  let requests: Emitter<ApprovalRequest>;
  let runner: ScheduleRunner | undefined;
  let book: ScheduleBook;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-schedules-unit-'));
    clock = new SleepClock(at('2026-01-05T07:30:00Z'));
    runs = [];
    requests = new Emitter<ApprovalRequest>();
    book = new ScheduleBook(new ScheduleStore(dir), clock);
  });
  afterEach(() => {
    runner?.dispose();
    runner = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start(o: { maxSleepMs?: number } = {}): ScheduleRunner {
    runner = new ScheduleRunner({
      book,
      clock,
      logger: nullLogger,
      maxSleepMs: o.maxSleepMs,
      settleMs: 0,
      approvals: { onRequest: requests.event },
      launch: () => ({}) as never,
      sessions: {
        start: async (opts) => {
          const run = new FakeRun(`sess-${runs.length + 1}`, opts.cwd, clock);
          runs.push(run);
          return run as unknown as AgentSession;
        },
        stop: async (id) => runs.find((r) => r.id === id)?.set('ended'),
      },
    });
    runner.start();
    return runner;
  }

  function add(over: Record<string, unknown> = {}) {
    const r = book.save({ dir, prompt: 'check the build', cadence: { kind: 'hourly', minute: 0 }, timeZone: 'UTC', enabled: true, missed: 'catch-up-once', ...over });
    assert.ok(r.ok, r.ok ? '' : r.message);
    return r.schedule;
  }

  it('starts a fresh session in the folder at each due time, types the prompt, and records the last message', async () => {
    const s = add();
    start();
    clock.advance(29 * MIN);
    await tick();
    assert.equal(runs.length, 0);
    clock.advance(1 * MIN);
    await tick();
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]!.prompts, ['check the build']);
    assert.equal(runs[0]!.cwd, dir);
    requests.fire({ session: 'sess-1' } as ApprovalRequest);
    requests.fire({ session: 'someone-else' } as ApprovalRequest);
    clock.advance(3 * MIN);
    runs[0]!.finishTurn('The build is green.');
    await runner!.settled();
    const [run] = book.store.load().runs;
    assert.equal(run!.schedule, s.id);
    assert.equal(run!.status, 'done');
    assert.equal(run!.result, 'The build is green.');
    assert.equal(run!.approvals, 1);
    assert.equal(run!.endedAt! - run!.startedAt, 3 * MIN);
    assert.equal(runs[0]!.status, 'ended', 'the run session is stopped once its turn is over');
    clock.advance(60 * MIN);
    await tick();
    assert.equal(runs.length, 2);
  });

  it('after a five-hour sleep runs once, within the wake-up cap, then keeps the hourly beat', async () => {
    add();
    start();
    clock.advance(30 * MIN); // 08:00 run
    await tick();
    runs[0]!.finishTurn('ok');
    await runner!.settled();
    clock.advance(10 * MIN);
    clock.sleep(5 * 60 * MIN + 30 * MIN); // 08:10 → 13:40: 09:00 … 13:00 missed
    clock.advance(5 * MIN);
    await tick();
    assert.equal(runs.length, 2, 'one catch-up run for five missed occurrences');
    const saved = book.store.load();
    assert.equal(saved.schedules[0]!.lastDueAt, at('2026-01-05T13:00:00Z'));
    runs[1]!.finishTurn('ok');
    await runner!.settled();
    clock.advance(10 * MIN);
    await tick();
    assert.equal(runs.length, 2);
    clock.advance(10 * MIN); // 14:00
    await tick();
    assert.equal(runs.length, 3);
  });

  it('skips what a sleep missed when the schedule says skip, and records why', async () => {
    add({ missed: 'skip' });
    start();
    clock.advance(10 * MIN);
    clock.sleep(3 * 60 * MIN);
    clock.advance(5 * MIN);
    await tick();
    assert.equal(runs.length, 0);
    const [skipped] = book.store.load().runs;
    assert.equal(skipped!.status, 'skipped');
    assert.match(skipped!.result!, /skips missed runs/);
  });

  it('does not start a second run while the previous one is still going', async () => {
    add();
    start();
    clock.advance(30 * MIN);
    await tick();
    runs[0]!.set('waiting'); // waiting for an approval
    clock.advance(60 * MIN);
    await tick();
    assert.equal(runs.length, 1);
    const saved = book.store.load().runs;
    assert.deepEqual(saved.map((r) => r.status), ['running', 'skipped']);
    assert.match(saved[1]!.result!, /previous run was still going/);
    assert.equal(runner!.runNow(saved[0]!.schedule).ok, false);
  });

  it('takes a run-now asked by another process once, and marks a run cut short by a restart as failed', async () => {
    const s = add();
    start();
    assert.ok(book.requestRun(s.id));
    clock.advance(1); // the file watcher or the next wake-up notices it
    (runner as unknown as { wake(): void }).wake();
    await tick();
    assert.equal(runs.length, 1);
    assert.equal(book.get(s.id)!.runRequestedAt, undefined);
    runner!.dispose();
    // A new host process reads the same folder: the run it never saw finish is failed, not left running.
    start();
    const [run] = book.store.load().runs;
    assert.equal(run!.status, 'failed');
    assert.match(run!.result!, /host stopped/);
  });

  it('runs the schedules of a folder in one process only; another takes over when it stops', async () => {
    add();
    const first = start();
    const second = new ScheduleRunner({
      book,
      clock,
      logger: nullLogger,
      settleMs: 0,
      approvals: { onRequest: requests.event },
      launch: () => ({}) as never,
      sessions: { start: () => Promise.reject(new Error('the second runner must not start runs')), stop: async () => undefined },
    });
    second.start();
    try {
      assert.equal(first.runsSchedules, true);
      assert.equal(second.runsSchedules, false);
      clock.advance(30 * MIN); // 08:00
      await tick();
      assert.equal(runs.length, 1);
      runs[0]!.finishTurn('ok');
      await first.settled();
      // Run-now asked of the one that does not run them is handed over through the file.
      const r = second.runNow(book.list()[0]!.id);
      assert.ok(r.ok && r.run === undefined);
      (first as unknown as { wake(): void }).wake();
      await tick();
      assert.equal(runs.length, 2);
      runs[1]!.finishTurn('ok');
      await first.settled();
      first.dispose();
      runner = undefined;
      clock.advance(5 * MIN); // the second looks again within the 5-minute cap
      assert.equal(second.runsSchedules, true);
    } finally {
      second.dispose();
    }
  });

  it('wakes only when something is due (its timer checks the clock every 5 minutes), and not at all with no schedules', () => {
    start();
    clock.advance(24 * 60 * MIN);
    assert.equal(runner!.wakeCount, 0);
    runner!.dispose();
    add({ cadence: { kind: 'daily', time: '09:00' } });
    start({ maxSleepMs: 5 * MIN });
    clock.advance(24 * 60 * MIN);
    // The runner itself wakes once, at 09:00; its timer fires at most every 5 minutes to notice a sleep.
    assert.equal(runner!.wakeCount, 1);
    assert.ok(runner!.timerFires <= 24 * 12, String(runner!.timerFires));
  });
});
