// The `code` of an `error` message (host → device): one closed list, each with its meaning, so a sender
// cannot invent a code and docs/protocol.md §Error codes can list them all. A receiver keeps a code it
// does not know (a newer host's) for display only: new codes need no feature flag, because every peer
// shows an error's `message` and acts only on the codes it knows.
import * as z from 'zod';
import { LIMITS } from './limits';

export const WIRE_ERROR_CODES = {
  /** A prompt, interrupt or sync named a session the host does not serve (`ref`: the prompt's clientId or the session). */
  HOST_ERR_NO_SESSION: 'No such session.',
  /** A prompt to a session whose agent has exited (`ref`: the prompt's clientId). */
  HOST_ERR_SESSION_ENDED: 'The session has ended.',
  /** The host refused a prompt on purpose (a slash command from a device…); `message` says why. */
  HOST_ERR_PROMPT_REFUSED: 'The prompt was refused.',
  /** The prompt could not be typed into the agent (timeout, the agent exited); the device may resend it. */
  HOST_ERR_PROMPT_FAILED: 'The prompt could not be delivered.',
  /** A session request this host does not take (it starts no sessions, or the session is still running). */
  HOST_ERR_UNSUPPORTED: 'This host cannot do that.',
  /** `startSession` / `listPast` named a folder the host does not allow; `message` says why. */
  HOST_ERR_FOLDER_REFUSED: 'Sessions cannot be started in that folder.',
  /** A session could not be started or resumed (no agent CLI, a refused prompt…); `message` says why. */
  HOST_ERR_START_FAILED: 'The session could not be started.',
  /** Notification settings could not be kept (not a paired device, or this host cannot notify); `message` says why. */
  HOST_ERR_NOTIFY: 'Notification settings were not saved.',
  /** Feature `schedules`: this host runs no schedules. */
  HOST_ERR_NO_SCHEDULES: 'This host does not run schedules.',
  /** Feature `schedules`: a schedule or loop id the host does not have (`ref`: the id). */
  HOST_ERR_NO_SCHEDULE: 'No such schedule or loop.',
  /** Feature `schedules`: a schedule that does not check out (cadence, time zone, end date); `message` says what. */
  HOST_ERR_SCHEDULE_INVALID: 'The schedule is not valid.',
  /** Feature `schedules`: the same schedule (folder, prompt, times, zone) already exists; resend with `force` to save it anyway. */
  HOST_ERR_SCHEDULE_DUPLICATE: 'The same schedule already exists.',
  /** Feature `schedules`: a schedule's folder is not one this host lets devices use. */
  HOST_ERR_DIR_NOT_ALLOWED: 'That folder is not allowed on this host.',
  /** Feature `schedules`: a run of that schedule is still going. */
  HOST_ERR_SCHEDULE_BUSY: 'A run of this schedule is still going.',
  /** A decision named an approval id the host never had (or forgot). */
  BROKER_ERR_UNKNOWN: 'No such approval request.',
  /** A decision came after the approval was decided, expired or cancelled: the first decision won. */
  BROKER_ERR_RESOLVED: 'This request was already resolved.',
  /** A decision named another tool input than the pending request's (`inputHash` differs): refused, the request stays pending. */
  BROKER_ERR_HASH_MISMATCH: 'The decision names a different tool input.',
} as const;

export type WireErrorCode = keyof typeof WIRE_ERROR_CODES;

export const WireErrorCodeSchema = z.enum(Object.keys(WIRE_ERROR_CODES) as [WireErrorCode, ...WireErrorCode[]]);

/**
 * A code this build does not know, from a newer peer: kept (upper-case, capped) so it can be shown, never
 * acted upon. Branded, so a sender cannot pass an arbitrary string where a WireErrorCode is expected.
 */
export const ForeignErrorCodeSchema = z.string().max(LIMITS.name).regex(/^[A-Z][A-Z0-9_]*$/).brand<'ForeignErrorCode'>();

/** What the `error` message's `code` parses as: a known code, or a foreign one. */
export const ErrorCodeFieldSchema = z.union([WireErrorCodeSchema, ForeignErrorCodeSchema]);
export type ErrorCodeField = z.infer<typeof ErrorCodeFieldSchema>;

export function isWireErrorCode(code: string): code is WireErrorCode {
  return Object.hasOwn(WIRE_ERROR_CODES, code);
}
