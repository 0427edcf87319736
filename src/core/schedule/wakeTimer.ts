// One timer that wakes its owner at a wall-clock time, and survives the machine sleeping: a timer's delay is
// counted on a clock that stops during sleep (Node's and browsers' timers both), so a single long timeout
// would fire late by however long the machine slept. So each wait is capped at `maxSleepMs`, and when the
// timer fires before the due time it only compares two numbers: if the wall clock moved on as far as the
// timer waited, the machine did not sleep and the timer is set again for the rest, without waking its owner;
// if the wall clock jumped further (a sleep, or the clock was set forward) the owner is woken to look at
// what fell due. The owner therefore wakes only at due times and after sleeps, and what fell due during a
// sleep is handled within `maxSleepMs` of waking.
import type { Clock, TimerHandle } from '../base/clock';

/** After a sleep, what fell due is noticed within this long. */
export const DEFAULT_MAX_SLEEP_MS = 5 * 60_000;
/** A wall clock this much ahead of the timer's own wait means the machine slept (or the clock jumped). */
const JUMP_MS = 2_000;

export class WakeTimer {
  private handle: TimerHandle | undefined;
  private wakes = 0;
  private fires = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onWake: () => void,
    private readonly maxSleepMs = DEFAULT_MAX_SLEEP_MS,
  ) {}

  /** Wakes the owner at `at` (ms since epoch), or after a sleep; undefined: never (idle). */
  set(at: number | undefined): void {
    this.clear();
    if (at === undefined) return;
    const armedAt = this.clock.now();
    const delay = Math.min(Math.max(0, at - armedAt), this.maxSleepMs);
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.fires++;
      const now = this.clock.now();
      if (now < at && now - (armedAt + delay) < JUMP_MS) return this.set(at);
      this.wakes++;
      this.onWake();
    }, delay);
  }

  clear(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** How many times it woke its owner (for the bench). */
  get wakeCount(): number {
    return this.wakes;
  }

  /** How many times its timer fired, the capped checks included (for the bench). */
  get fireCount(): number {
    return this.fires;
  }
}
