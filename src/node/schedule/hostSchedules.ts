// The schedules and loops of one host, put together for a surface (`walkie host`, the VS Code extension,
// later `walkie serve`): the store in the host's state folder, the runner that starts each run through the
// host's SessionManager, the /loop manager, and the HostService's view of them (ScheduleDesk, feature
// `schedules`). start() wires it all; dispose() unwires it (running sessions stay the manager's).
import fs from 'node:fs';
import path from 'node:path';
import type { ApprovalBroker } from '../../core/approvals/approvalBroker';
import type { Clock } from '../../core/base/clock';
import { type Disposable, disposeAll } from '../../core/base/dispose';
import { Emitter, type Event } from '../../core/base/event';
import type { Logger } from '../../core/base/logger';
import type { HostService, SessionHandle } from '../../core/host/hostService';
import type { DeskResult, ScheduleDesk } from '../../core/host/scheduleDesk';
import { LoopManager } from '../../core/schedule/loopManager';
import type { ScheduleListing, ScheduleView } from '../../core/wire/scheduleSchemas';
import type { SessionManager } from '../sessions/sessionManager';
import { ScheduleBook } from './scheduleBook';
import { ScheduleRunner, type ScheduleRunnerOptions } from './scheduleRunner';
import { ScheduleStore } from './scheduleStore';

/** Runs listed to devices (newest); the file keeps more. */
const RUNS_LISTED = 20;

export interface HostSchedulesOptions {
  /** The host's state folder (schedules.json lives there). */
  readonly stateDir: string;
  readonly service: HostService;
  readonly sessions: SessionManager;
  readonly broker: ApprovalBroker;
  /** How the surface starts an agent in a folder (adapter, arguments, environment, audit log). */
  readonly launch: ScheduleRunnerOptions['launch'];
  /** Whether a device may make a schedule that runs in `dir` (see allowedDirs). */
  readonly allowDir: (dir: string) => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxSleepMs?: number;
}

/**
 * Security: a paired device can make the host start an agent in a folder only within `roots` (the host's
 * workspace folders, `--allow-dir`): compared after resolving symlinks, so a link cannot lead elsewhere.
 */
export function allowedDirs(roots: readonly string[]): (dir: string) => boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return undefined;
    }
  };
  const allowed = roots.map(real).filter((r): r is string => r !== undefined);
  return (dir) => {
    const d = path.isAbsolute(dir) ? real(dir) : undefined;
    return d !== undefined && allowed.some((root) => d === root || d.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
  };
}

export class HostSchedules implements ScheduleDesk<SessionHandle>, Disposable {
  readonly book: ScheduleBook;
  readonly runner: ScheduleRunner;
  readonly loops: LoopManager;
  private readonly changed = new Emitter<void>();
  readonly onChanged: Event<void> = this.changed.event;
  private readonly subs: Disposable[] = [];

  private constructor(private readonly o: HostSchedulesOptions) {
    this.book = new ScheduleBook(new ScheduleStore(o.stateDir), o.clock);
    this.runner = new ScheduleRunner({ book: this.book, sessions: o.sessions, approvals: o.broker, launch: o.launch, clock: o.clock, logger: o.logger, maxSleepMs: o.maxSleepMs });
    this.loops = new LoopManager({ clock: o.clock, logger: o.logger, maxSleepMs: o.maxSleepMs });
  }

  /** Builds the schedules of a host, serves them to devices and starts the runner. */
  static start(o: HostSchedulesOptions): HostSchedules {
    const h = new HostSchedules(o);
    h.subs.push(
      h.runner.onChanged(() => h.changed.fire()),
      h.loops.onChanged(() => h.changed.fire()),
      // Loops end with their session.
      o.sessions.onDidRemove((s) => h.loops.endSession(s.id)),
    );
    o.service.setScheduleDesk(h);
    h.runner.start();
    return h;
  }

  handlePrompt(session: SessionHandle, text: string, clientId: string): boolean {
    return this.loops.handlePrompt(session, text, clientId);
  }

  listing(): ScheduleListing {
    let runs: ScheduleListing['runs'] = [];
    let schedules: ScheduleView[] = [];
    try {
      schedules = this.book.views(this.runner.runningSchedules()).slice(0, 200);
      runs = this.book.store.load().runs.slice(-RUNS_LISTED);
    } catch (e) {
      this.o.logger.error(`schedules: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { schedules, runs, loops: this.loops.list().slice(0, 200) };
  }

  save(value: unknown, force: boolean): DeskResult<ScheduleView> {
    const dir = typeof value === 'object' && value !== null ? (value as { dir?: unknown }).dir : undefined;
    // Security: checked before anything else, so a device learns nothing about folders outside the roots.
    if (typeof dir === 'string' && !this.o.allowDir(dir)) return { ok: false, code: 'HOST_ERR_DIR_NOT_ALLOWED', message: 'That folder is not one this host lets devices use.' };
    const r = this.guard(() => this.book.save(value, { force }));
    if (!r.ok) return r;
    if (!r.value.ok) {
      const code = r.value.code === 'SCHEDULE_ERR_DUPLICATE' ? 'HOST_ERR_SCHEDULE_DUPLICATE' : r.value.code === 'SCHEDULE_ERR_UNKNOWN' ? 'HOST_ERR_NO_SCHEDULE' : 'HOST_ERR_SCHEDULE_INVALID';
      return { ok: false, code, message: r.value.message.slice(0, 300) };
    }
    const { schedule, nextRuns } = r.value;
    this.runner.refresh();
    this.changed.fire();
    return { ok: true, value: { ...schedule, nextRuns, running: this.runner.runningSchedules().has(schedule.id) } };
  }

  remove(id: string): DeskResult<void> {
    const r = this.guard(() => this.book.remove(id));
    if (!r.ok) return r;
    if (!r.value) return { ok: false, code: 'HOST_ERR_NO_SCHEDULE', message: 'No such schedule.' };
    this.runner.refresh();
    this.changed.fire();
    return { ok: true, value: undefined };
  }

  runNow(id: string): DeskResult<void> {
    const r = this.guard(() => this.runner.runNow(id));
    if (!r.ok) return r;
    if (!r.value.ok) return { ok: false, code: r.value.code === 'SCHEDULE_ERR_BUSY' ? 'HOST_ERR_SCHEDULE_BUSY' : 'HOST_ERR_NO_SCHEDULE', message: r.value.message };
    return { ok: true, value: undefined };
  }

  cancelLoop(id: string): DeskResult<void> {
    return this.loops.cancel(id) ? { ok: true, value: undefined } : { ok: false, code: 'HOST_ERR_NO_SCHEDULE', message: 'No such loop.' };
  }

  dispose(): void {
    this.o.service.setScheduleDesk(undefined);
    disposeAll(this.subs.splice(0));
    this.runner.dispose();
    this.loops.dispose();
    this.changed.dispose();
  }

  /** Runs a store operation; a schedules file that cannot be read becomes an answer, not a throw. */
  private guard<T>(op: () => T): DeskResult<T> {
    try {
      return { ok: true, value: op() };
    } catch (e) {
      this.o.logger.error(`schedules: ${e instanceof Error ? e.message : String(e)}`);
      return { ok: false, code: 'HOST_ERR_NO_SCHEDULES', message: 'The schedules file on the host cannot be read; see the host log.' };
    }
  }
}
