// The `/loop`s of the live sessions a host serves. A loop sends its prompt into its session at once and then
// every interval, until it is cancelled, its session ends, or 7 days have passed. It never types over a turn
// in progress: a beat that finds the session busy is skipped (counted, not queued), and the next beat is the
// next multiple of the interval. Loops live on the host, so they keep going while the phone is away.
//
// The /loop text itself never reaches the agent: the chat gets it as the device's prompt (so the device sees
// its prompt landed) and a notice saying what Walkie will do; only the prompt is typed, at each beat, through
// the session's own prompt() (and so through the agent adapter's prompt rules, like any device prompt).
import type { Clock } from '../base/clock';
import { Emitter, type Event } from '../base/event';
import type { Logger } from '../base/logger';
import type { SessionHandle } from '../host/hostService';
import type { LoopView } from '../wire/scheduleSchemas';
import { describeInterval, LOOP_LIFETIME_MS, LOOP_MAX_PER_SESSION, parseLoopCommand } from './loopCommand';
import { WakeTimer } from './wakeTimer';

interface Loop {
  readonly id: string;
  readonly session: SessionHandle;
  readonly prompt: string;
  readonly intervalMs: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  nextAt: number;
  count: number;
  skipped: number;
}

export interface LoopManagerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxSleepMs?: number;
}

function newId(): string {
  const bytes = new Uint8Array(9);
  globalThis.crypto.getRandomValues(bytes);
  return 'loop-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class LoopManager {
  private readonly loops = new Map<string, Loop>();
  /** The clientIds of /loop prompts already handled, per session: a resent one makes no second loop. */
  private readonly handled = new Map<string, Set<string>>();
  private readonly timer: WakeTimer;
  private readonly changed = new Emitter<void>((e) => this.o.logger.error(`loops: listener failed: ${String(e)}`));
  /** A loop was made, beat, or ended. */
  readonly onChanged: Event<void> = this.changed.event;

  constructor(private readonly o: LoopManagerOptions) {
    this.timer = new WakeTimer(o.clock, () => this.wake(), o.maxSleepMs);
  }

  /**
   * Handles `text` typed to `session` if it is a /loop command: true when it was (made a loop, or answered
   * with a notice saying what is wrong), false when it is an ordinary prompt for the agent.
   */
  handlePrompt(session: SessionHandle, text: string, clientId: string): boolean {
    const parsed = parseLoopCommand(text);
    if (!parsed) return false;
    const seen = this.handled.get(session.id) ?? new Set<string>();
    this.handled.set(session.id, seen);
    if (seen.has(clientId)) return true;
    seen.add(clientId);
    session.chat.append({ kind: 'user', text, source: 'device', clientId });
    if (!parsed.ok) return this.notice(session, parsed.message);
    if (this.forSession(session.id).length >= LOOP_MAX_PER_SESSION) return this.notice(session, `This session already has ${LOOP_MAX_PER_SESSION} loops; cancel one first.`);
    const now = this.o.clock.now();
    const loop: Loop = { id: newId(), session, prompt: parsed.prompt, intervalMs: parsed.intervalMs, createdAt: now, expiresAt: now + LOOP_LIFETIME_MS, nextAt: now, count: 0, skipped: 0 };
    this.loops.set(loop.id, loop);
    const every = describeInterval(loop.intervalMs);
    this.notice(session, `Walkie will send this prompt now and every ${every}${parsed.rounded ? ' (seconds round up to whole minutes)' : ''}, while the session is idle, for 7 days or until cancelled.`);
    this.o.logger.info(`loops: ${loop.id} every ${every} in session ${session.id}`);
    this.beat(loop, now);
    this.arm();
    this.changed.fire();
    return true;
  }

  /** Cancels one loop; false when there is no such loop. */
  cancel(id: string): boolean {
    const loop = this.loops.get(id);
    if (!loop) return false;
    this.end(loop, 'Loop cancelled.');
    this.arm();
    this.changed.fire();
    return true;
  }

  /** Ends every loop of a session (it ended). */
  endSession(sessionId: string): void {
    const mine = this.forSession(sessionId);
    for (const loop of mine) this.loops.delete(loop.id);
    this.handled.delete(sessionId);
    if (mine.length) {
      this.arm();
      this.changed.fire();
    }
  }

  list(): LoopView[] {
    return [...this.loops.values()].map((l) => ({ id: l.id, session: l.session.id, prompt: l.prompt, intervalMs: l.intervalMs, nextAt: l.nextAt, expiresAt: l.expiresAt, count: l.count, skipped: l.skipped }));
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
    this.timer.clear();
    this.loops.clear();
    this.handled.clear();
    this.changed.dispose();
  }

  private forSession(sessionId: string): Loop[] {
    return [...this.loops.values()].filter((l) => l.session.id === sessionId);
  }

  private wake(): void {
    const now = this.o.clock.now();
    let changed = false;
    for (const loop of [...this.loops.values()]) {
      if (loop.nextAt > now) continue;
      this.beat(loop, now);
      changed = true;
    }
    this.arm();
    if (changed) this.changed.fire();
  }

  /** One beat: send when the session is idle, skip when busy; then the next multiple of the interval. */
  private beat(loop: Loop, now: number): void {
    const status = loop.session.info().status;
    if (status === 'ended') return void this.loops.delete(loop.id);
    if (now >= loop.expiresAt) return this.end(loop, 'Loop ended: loops last 7 days.');
    if (status === 'idle') {
      loop.count++;
      const clientId = `${loop.id}-${loop.count}`;
      Promise.resolve(loop.session.prompt(loop.prompt, clientId)).catch((e: unknown) => {
        const refused = e instanceof Error && (e as { code?: unknown }).code === 'SESSION_ERR_PROMPT_REFUSED';
        this.o.logger.warn(`loops: ${loop.id} prompt ${refused ? 'refused' : 'failed'}`);
        // A prompt the agent's rules refuse will be refused every time: the loop ends with the reason.
        if (refused && this.loops.has(loop.id)) {
          this.end(loop, `Loop ended: ${e.message}`);
          this.arm();
          this.changed.fire();
        }
      });
    } else {
      loop.skipped++;
    }
    const beats = Math.floor((now - loop.createdAt) / loop.intervalMs) + 1;
    loop.nextAt = loop.createdAt + beats * loop.intervalMs;
  }

  private end(loop: Loop, why: string): void {
    this.loops.delete(loop.id);
    this.notice(loop.session, why);
  }

  private notice(session: SessionHandle, text: string): true {
    if (session.info().status !== 'ended') session.chat.append({ kind: 'notice', text });
    return true;
  }

  private arm(): void {
    let next: number | undefined;
    for (const l of this.loops.values()) next = next === undefined ? l.nextAt : Math.min(next, l.nextAt);
    this.timer.set(next);
  }
}
