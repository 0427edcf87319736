// One timer that wakes its owner at a wall-clock time, and survives the machine sleeping: a timer's delay is
// counted on a clock that stops during sleep (Node's and browsers' timers both), so a single long timeout
// would fire late by however long the machine slept. Each wait is capped at `maxSleepMs`; on every wake-up
// the owner compares the wall clock with what is due. So nothing is checked more often than the next due time
// or the cap, and after a sleep what fell due runs within `maxSleepMs` of waking.
import type { Clock, TimerHandle } from '../base/clock';

/** After a sleep, what fell due is noticed within this long. */
export const DEFAULT_MAX_SLEEP_MS = 5 * 60_000;

export class WakeTimer {
  private handle: TimerHandle | undefined;
  private wakes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onWake: () => void,
    private readonly maxSleepMs = DEFAULT_MAX_SLEEP_MS,
  ) {}

  /** Wakes at `at` (ms since epoch) or after `maxSleepMs`, whichever is first; undefined: never (idle). */
  set(at: number | undefined): void {
    this.clear();
    if (at === undefined) return;
    const delay = Math.min(Math.max(0, at - this.clock.now()), this.maxSleepMs);
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
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
}
