// A clock for scheduler tests that can SLEEP like a laptop: timers count on a clock that stops while the
// machine sleeps (monotonic time), while now() is the wall clock, which jumps ahead on waking.
import { ManualClock, type Clock, type TimerHandle } from '../../../../src/core/base/clock';

export class SleepClock implements Clock {
  private readonly timers = new ManualClock(0);
  private wall: number;

  constructor(start: number) {
    this.wall = start;
  }

  now(): number {
    return this.wall + this.timers.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.timers.setTimeout(fn, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.clearTimeout(handle);
  }

  /** Time passes while awake: timers fire. */
  advance(ms: number): void {
    this.timers.advance(ms);
  }

  /** The machine sleeps for `ms`: the wall clock moves, no timer fires or moves closer. */
  sleep(ms: number): void {
    this.wall += ms;
  }
}
