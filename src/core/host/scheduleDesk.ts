// What HostService needs from the host's schedules and loops (src/node/schedule/hostSchedules.ts implements
// it): Walkie's own `/loop` command, caught before a device prompt reaches the agent, and the requests of
// feature `schedules` (docs/protocol.md §Schedules). Kept as an interface so the protocol logic stays free of
// timers, files and sessions.
import type { Event } from '../base/event';
import type { WireErrorCode } from '../wire/wireErrorCodes';
import type { ScheduleListing, ScheduleView } from '../wire/scheduleSchemas';

export type DeskResult<T> = { ok: true; value: T } | { ok: false; code: WireErrorCode; message: string };

/** `S`: the session handle HostService passes (its SessionHandle; kept generic so this file needs no import of it). */
export interface ScheduleDesk<S> {
  /**
   * A prompt typed to `session`: true when it was a `/loop` command and was handled here (it is then never
   * typed into the agent as such), false for an ordinary prompt.
   */
  handlePrompt(session: S, text: string, clientId: string): boolean;
  /** The schedules (with next runs), recent runs and live loops. */
  listing(): ScheduleListing;
  /** The listing changed. */
  readonly onChanged: Event<void>;
  /** Saves a new schedule or an edit, from a device (`value` is unchecked device input). */
  save(value: unknown, force: boolean): DeskResult<ScheduleView>;
  remove(id: string): DeskResult<void>;
  runNow(id: string): DeskResult<void>;
  cancelLoop(id: string): DeskResult<void>;
}
