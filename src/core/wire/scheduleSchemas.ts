// The shapes of scheduled sessions and `/loop` recurring prompts as they travel inside the encrypted channel
// (feature `schedules`, docs/protocol.md §Schedules) and as the host stores them. Beside protocol.ts, which
// uses them in its messages; the logic (next runs, catch-up, /loop parsing) is in src/core/schedule/.
import * as z from 'zod';
import { LIMITS } from './limits';

const Id = z.string().min(1).max(LIMITS.id);
const Millis = z.number().int().nonnegative();
/** "08:00", "23:59": 24-hour wall-clock time in the schedule's time zone. */
const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM (00:00–23:59)');

/** How often a schedule runs. The friendly forms are cron expressions underneath (cadence.ts). */
export const CadenceSchema = z.discriminatedUnion('kind', [
  /** Every hour at `minute` past. */
  z.object({ kind: z.literal('hourly'), minute: z.number().int().min(0).max(59) }),
  z.object({ kind: z.literal('daily'), time: Time }),
  /** Monday to Friday at `time`. */
  z.object({ kind: z.literal('weekdays'), time: Time }),
  /** `day`: 0 Sunday … 6 Saturday. */
  z.object({ kind: z.literal('weekly'), day: z.number().int().min(0).max(6), time: Time }),
  /** A five- or six-field cron expression (croner's syntax). */
  z.object({ kind: z.literal('cron'), expr: z.string().min(1).max(200) }),
]);
export type Cadence = z.infer<typeof CadenceSchema>;

/** What a missed run (the machine slept, the host was not running) does when the host is back. */
export const MissedRunPolicySchema = z.enum(['catch-up-once', 'skip']);
export type MissedRunPolicy = z.infer<typeof MissedRunPolicySchema>;

/** A schedule as a user writes it (CLI, VS Code, a phone). `id` present: an edit of that schedule. */
export const ScheduleInputSchema = z.object({
  id: Id.optional(),
  /** The folder each run starts in (absolute). */
  dir: z.string().min(1).max(4096),
  prompt: z.string().min(1).max(LIMITS.text),
  cadence: CadenceSchema,
  /** An IANA zone ("Europe/Paris"); the cadence's times are wall-clock times there. */
  timeZone: z.string().min(1).max(LIMITS.name),
  /** No run is started at or after this instant. */
  endAt: Millis.optional(),
  enabled: z.boolean(),
  missed: MissedRunPolicySchema,
});
export type ScheduleInput = z.infer<typeof ScheduleInputSchema>;

/** A saved schedule. `lastDueAt`: the last occurrence handled (run, skipped or caught up). */
export const ScheduleSchema = ScheduleInputSchema.extend({
  id: Id,
  createdAt: Millis,
  updatedAt: Millis,
  lastDueAt: Millis.optional(),
  /** `walkie schedule run-now` asked the running host for a run at this time; cleared once started. */
  runRequestedAt: Millis.optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const RunStatusSchema = z.enum(['running', 'done', 'failed', 'skipped']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** One run of a schedule (or a beat that was skipped, with the reason). */
export const ScheduleRunSchema = z.object({
  id: Id,
  schedule: Id,
  /** The session the run started (absent for a skipped beat or a start that failed). */
  session: Id.optional(),
  /** The occurrence this run is for. */
  dueAt: Millis,
  startedAt: Millis,
  endedAt: Millis.optional(),
  status: RunStatusSchema,
  /** The agent's last message (capped), or why the run failed or was skipped. */
  result: z.string().max(LIMITS.summary * 4).optional(),
  /** How many approvals the run asked for. */
  approvals: z.number().int().nonnegative(),
});
export type ScheduleRun = z.infer<typeof ScheduleRunSchema>;

/** A schedule as a device sees it: with its next three runs and whether a run is going. */
export const ScheduleViewSchema = ScheduleSchema.extend({
  nextRuns: z.array(Millis).max(3),
  running: z.boolean(),
});
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;

/** A `/loop` in a live session. */
export const LoopViewSchema = z.object({
  id: Id,
  session: Id,
  prompt: z.string().max(LIMITS.text),
  intervalMs: Millis,
  nextAt: Millis,
  expiresAt: Millis,
  /** How many times the prompt was sent so far. */
  count: z.number().int().nonnegative(),
  /** How many beats were skipped because the session was busy. */
  skipped: z.number().int().nonnegative(),
});
export type LoopView = z.infer<typeof LoopViewSchema>;

/** Everything the schedules screen shows. */
export const ScheduleListingSchema = z.object({
  schedules: z.array(ScheduleViewSchema).max(200),
  runs: z.array(ScheduleRunSchema).max(100),
  loops: z.array(LoopViewSchema).max(200),
});
export type ScheduleListing = z.infer<typeof ScheduleListingSchema>;
