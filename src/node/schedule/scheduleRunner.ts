// Runs saved schedules: wakes at the next due time (WakeTimer: wall-clock checks, capped waits, so a sleep
// does not make it miss or double anything), asks planDue what each schedule should do, and starts each run
// as a FRESH session through the host's SessionManager — so a run is gated by the host's broker like any
// session, served to every device, and refused a bypass mode the same way. The schedule's prompt is handed to
// the session's prompt(), i.e. through the agent adapter's prompt rules exactly like a device prompt.
//
// One run: start the agent in the schedule's folder → type the prompt → the turn ends (the session goes idle
// after working) → the session is stopped, and the run is recorded with the agent's last message, its
// duration and how many approvals it asked for. A run whose agent exits first is recorded as failed.
//
// Overlap: a schedule whose previous run is still going (waiting for an approval, say) when its next
// occurrence is due does not start a second one: the occurrence is recorded as skipped, with the reason. The
// occurrence is marked handled (lastDueAt) in the file BEFORE the agent starts, so a crash or restart can
// never run the same occurrence twice.
import crypto from 'node:crypto';
import type { Clock } from '../../core/base/clock';
import { Emitter, type Event } from '../../core/base/event';
import type { Logger } from '../../core/base/logger';
import { CadenceClock } from '../../core/schedule/cadence';
import { DEFAULT_GRACE_MS, planDue } from '../../core/schedule/duePlan';
import { DEFAULT_MAX_SLEEP_MS, WakeTimer } from '../../core/schedule/wakeTimer';
import { capText } from '../../core/redaction/secretScanner';
import { LIMITS, type ApprovalRequest } from '../../core/wire/protocol';
import type { Schedule, ScheduleRun } from '../../core/wire/scheduleSchemas';
import type { AgentSession } from '../sessions/agentSession';
import type { AgentStartOptions } from '../sessions/sessionManager';
import type { ScheduleBook } from './scheduleBook';
import { ScheduleLock } from './scheduleLock';

export interface ScheduleRunnerOptions {
  readonly book: ScheduleBook;
  /** The host's SessionManager (its start() gates the session with the host's broker). */
  readonly sessions: { start(o: AgentStartOptions): Promise<AgentSession>; stop(id: string): Promise<void> };
  /** The host's broker: its requests are counted per run. */
  readonly approvals: { onRequest: Event<ApprovalRequest> };
  /** How the surface starts an agent in `dir` (adapter, arguments, environment, audit log). */
  readonly launch: (dir: string) => Omit<AgentStartOptions, 'cwd'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxSleepMs?: number;
  readonly graceMs?: number;
  /**
   * After the turn ends, how long the chat must stay quiet before the session is stopped (its last message
   * may still be on its way from the transcript). Default 1 s, at most 5 such waits.
   */
  readonly settleMs?: number;
}

/** `run` undefined: another process runs these schedules and was handed the request (through the file). */
export type RunNowResult = { ok: true; run: ScheduleRun | undefined } | { ok: false; code: 'SCHEDULE_ERR_UNKNOWN' | 'SCHEDULE_ERR_BUSY'; message: string };

interface Active {
  readonly run: ScheduleRun;
  session?: AgentSession;
  done: Promise<void>;
}

const RESULT_MAX = LIMITS.summary * 4;

export class ScheduleRunner {
  private readonly active = new Map<string, Active>();
  private readonly timer: WakeTimer;
  private readonly changed = new Emitter<void>((e) => this.o.logger.error(`schedules: listener failed: ${String(e)}`));
  /** A schedule, a run or a next-run time changed. */
  readonly onChanged: Event<void> = this.changed.event;
  private watcher: { dispose(): void } | undefined;
  private closed = false;
  private readonly lock: ScheduleLock;

  constructor(private readonly o: ScheduleRunnerOptions) {
    this.timer = new WakeTimer(o.clock, () => this.wake(), o.maxSleepMs);
    this.lock = new ScheduleLock(o.book.store.dir);
  }

  /** Starts watching the schedules: runs what is due now (a missed run: once, by policy), then waits. */
  start(): void {
    this.watcher = this.o.book.store.watch(() => this.wakeSoon());
    this.wake();
  }

  /** Whether this process runs the schedules (another Walkie on the same state folder may). */
  get runsSchedules(): boolean {
    return this.lock.isHeld;
  }

  /** Takes the lock; on taking it, runs left "running" in the file (cut short when the last holder stopped) fail. */
  private holdLock(): boolean {
    if (this.lock.isHeld) return true;
    if (!this.lock.tryAcquire()) return false;
    this.update((runs) => {
      for (const r of runs) if (r.status === 'running' && !this.isActiveRun(r.id)) Object.assign(r, { status: 'failed', endedAt: this.o.clock.now(), result: 'The host stopped during this run.' });
    });
    return true;
  }

  /** The ids of the schedules with a run going now. */
  runningSchedules(): ReadonlySet<string> {
    return new Set(this.active.keys());
  }

  /** Resolves once the runs going now have finished (for tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.active.values()].map((a) => a.done));
  }

  /** Starts a run of schedule `id` now, whatever its cadence (not while one is going). */
  runNow(id: string): RunNowResult {
    const s = this.o.book.get(id);
    if (!s) return { ok: false, code: 'SCHEDULE_ERR_UNKNOWN', message: `no schedule with id ${id}` };
    if (this.active.has(id)) return { ok: false, code: 'SCHEDULE_ERR_BUSY', message: 'a run of this schedule is still going' };
    const now = this.o.clock.now();
    // Another process runs these schedules: it takes the request from the file and starts the run.
    if (!this.holdLock()) {
      this.o.book.requestRun(id);
      return { ok: true, run: undefined };
    }
    return { ok: true, run: this.launch(s, now) };
  }

  /** How many times the timer woke this (for the bench). */
  get wakeCount(): number {
    return this.timer.wakeCount;
  }

  /** How many times its timer fired, capped clock checks included (for the bench). */
  get timerFires(): number {
    return this.timer.fireCount;
  }

  dispose(): void {
    this.closed = true;
    this.timer.clear();
    this.watcher?.dispose();
    this.lock.release();
    this.changed.dispose();
  }

  /** Looks at the schedules again now (one was saved or removed). */
  refresh(): void {
    this.wakeSoon();
  }

  private wakeSoon(): void {
    if (!this.closed) this.timer.set(this.o.clock.now());
  }

  private wake(): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    if (!this.holdLock()) {
      // Another Walkie runs them; look again later in case it has gone.
      this.timer.set(now + (this.o.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS));
      this.changed.fire();
      return;
    }
    let schedules: Schedule[];
    try {
      schedules = this.o.book.list();
    } catch (e) {
      // A file that does not parse is left alone (ScheduleStore); look again later.
      this.o.logger.error(`schedules: ${e instanceof Error ? e.message : String(e)}`);
      this.timer.set(now + 60 * 60_000);
      return;
    }
    let next: number | undefined;
    for (const s of schedules) {
      if (s.runRequestedAt !== undefined) this.runRequested(s);
      let clock: CadenceClock;
      try {
        clock = new CadenceClock(s.cadence, s.timeZone);
      } catch {
        continue;
      }
      const plan = planDue(s, clock, now, this.o.graceMs ?? DEFAULT_GRACE_MS);
      if (plan.nextAt !== undefined) next = next === undefined ? plan.nextAt : Math.min(next, plan.nextAt);
      if (plan.kind === 'idle') continue;
      this.markDue(s.id, plan.dueAt);
      if (plan.kind === 'skip') this.record(this.skipped(s, plan.dueAt, 'Missed while the computer slept or the host was not running (this schedule skips missed runs).'));
      else if (this.active.has(s.id)) this.record(this.skipped(s, plan.dueAt, 'Not started: the previous run was still going.'));
      else this.launch(s, plan.dueAt);
    }
    this.timer.set(next);
    this.changed.fire();
  }

  /** A run asked for by another process (`walkie schedule run-now`): taken once, then cleared. */
  private runRequested(s: Schedule): void {
    const at = s.runRequestedAt!;
    this.safely(() =>
      this.o.book.store.update((data) => {
        const saved = data.schedules.find((x) => x.id === s.id);
        if (saved) delete saved.runRequestedAt;
      }),
    );
    if (this.active.has(s.id)) this.record(this.skipped(s, at, 'Not started: a run of this schedule was still going.'));
    else this.launch(s, at);
  }

  private launch(s: Schedule, dueAt: number): ScheduleRun {
    const run: ScheduleRun = { id: crypto.randomBytes(6).toString('base64url'), schedule: s.id, dueAt, startedAt: this.o.clock.now(), status: 'running', approvals: 0 };
    const active: Active = { run, done: Promise.resolve() };
    this.active.set(s.id, active);
    this.record(run);
    active.done = this.drive(s, active).catch((e: unknown) => this.finish(s.id, active, 'failed', `The run failed: ${e instanceof Error ? e.message : String(e)}`));
    this.changed.fire();
    return run;
  }

  /** Starts the session, types the prompt, and waits for the turn to end or the agent to exit. */
  private async drive(s: Schedule, active: Active): Promise<void> {
    const { run } = active;
    let session: AgentSession;
    try {
      session = await this.o.sessions.start({ ...this.o.launch(s.dir), cwd: s.dir, workspaceRoot: s.dir, title: `Scheduled: ${capText(s.prompt.replace(/\s+/g, ' '), 40)}` });
    } catch (e) {
      return this.finish(s.id, active, 'failed', `Could not start the agent: ${e instanceof Error ? e.message : String(e)}`);
    }
    active.session = session;
    run.session = session.id;
    this.record(run);
    this.o.logger.info(`schedules: run ${run.id} of ${s.id} started session ${session.id}`);
    const counting = this.o.approvals.onRequest((r) => {
      if (r.session !== session.id) return;
      run.approvals++;
      this.record(run);
      this.changed.fire();
    });
    let worked = false;
    let following: { dispose(): void } | undefined;
    const outcome = new Promise<'turn-over' | 'exited'>((resolve) => {
      following = session.onInfo((info) => {
        if (info.status === 'working' || info.status === 'waiting') worked = true;
        if (info.status === 'idle' && worked) resolve('turn-over');
        if (info.status === 'ended') resolve('exited');
      });
    });
    try {
      await session.prompt(s.prompt, `schedule-${run.id}`);
      worked = true;
      if (session.info().status === 'idle') return await this.end(s.id, active, session, 'done');
      const how = await outcome;
      if (how === 'turn-over') await this.quiet(session);
      await this.end(s.id, active, session, how === 'turn-over' ? 'done' : 'failed');
    } catch (e) {
      await this.end(s.id, active, session, 'failed', `The prompt did not reach the agent: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      following?.dispose();
      counting.dispose();
    }
  }

  /** Resolves once the session's chat has had no new event for settleMs (or after five such waits). */
  private quiet(session: AgentSession): Promise<void> {
    const ms = this.o.settleMs ?? 1000;
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const deadline = this.o.clock.now() + 5 * ms;
      let timer = this.o.clock.setTimeout(() => done(), ms);
      const sub = session.chat.onAppend(() => {
        if (this.o.clock.now() >= deadline) return;
        this.o.clock.clearTimeout(timer);
        timer = this.o.clock.setTimeout(() => done(), ms);
      });
      const done = () => {
        sub.dispose();
        resolve();
      };
    });
  }

  /** Stops the run's session (its transcript is drained first), then records the result. */
  private async end(scheduleId: string, active: Active, session: AgentSession, status: 'done' | 'failed', why?: string): Promise<void> {
    await this.o.sessions.stop(session.id).catch(() => undefined);
    const last = session.chat.since(0).reverse().find((e) => e.event.kind === 'assistant')?.event;
    const said = last?.kind === 'assistant' ? last.text : undefined;
    this.finish(scheduleId, active, status, why ?? (status === 'failed' ? `The agent exited before the run finished.${said ? ` Last message: ${said}` : ''}` : (said ?? '')));
  }

  private finish(scheduleId: string, active: Active, status: 'done' | 'failed', result: string): void {
    Object.assign(active.run, { status, endedAt: this.o.clock.now(), result: capText(result, RESULT_MAX) });
    this.record(active.run);
    if (this.active.get(scheduleId) === active) this.active.delete(scheduleId);
    this.o.logger.info(`schedules: run ${active.run.id} ${status}`);
    if (!this.closed) this.changed.fire();
  }

  private skipped(s: Schedule, dueAt: number, why: string): ScheduleRun {
    const now = this.o.clock.now();
    return { id: crypto.randomBytes(6).toString('base64url'), schedule: s.id, dueAt, startedAt: now, endedAt: now, status: 'skipped', result: why, approvals: 0 };
  }

  private isActiveRun(runId: string): boolean {
    return [...this.active.values()].some((a) => a.run.id === runId);
  }

  private markDue(scheduleId: string, dueAt: number): void {
    this.safely(() =>
      this.o.book.store.update((data) => {
        const s = data.schedules.find((x) => x.id === scheduleId);
        if (s) s.lastDueAt = Math.max(s.lastDueAt ?? 0, dueAt);
      }),
    );
  }

  private record(run: ScheduleRun): void {
    this.update((runs) => {
      const i = runs.findIndex((r) => r.id === run.id);
      if (i >= 0) runs[i] = { ...run };
      else runs.push({ ...run });
    });
  }

  private update(change: (runs: ScheduleRun[]) => void): void {
    this.safely(() => this.o.book.store.update((data) => change(data.runs)));
  }

  private safely(write: () => void): void {
    try {
      write();
    } catch (e) {
      this.o.logger.error(`schedules: could not save: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
