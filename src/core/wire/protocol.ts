// Walkie's application protocol: the messages that travel INSIDE the encrypted channel between the host
// (VS Code / `walkie host`) and a device (phone, `walkie device`). Documented in docs/protocol.md.
//
// Only chat crosses the bridge: prompts, assistant text, one-line tool summaries, approval requests (the
// command or the proposed edit) and decisions. Never file contents read by the agent, tool results,
// environment variables, settings or MCP configuration. Every message is an object with a literal `type`.
//
// Tolerant where the protocol must grow, strict where it guards something (docs/protocol.md §Versions and
// features): a message whose `type` this build does not know is IGNORED (a newer peer's, sent only after
// feature negotiation), and fields it does not know are STRIPPED. Everything it does know is still checked
// in full — required fields, literal types, lengths, formats — and a known message that fails that check
// is invalid: the receiver drops it, logs a redacted reason and closes the channel.
import { DeviceNotifySettingsSchema } from './notifySettings';
import * as z from 'zod';
import { AuthorSchema } from './author';
import { FeatureListSchema } from './features';
import { LIMITS } from './limits';
import { ScheduleListingSchema, ScheduleViewSchema } from './scheduleSchemas';
import { ErrorCodeFieldSchema } from './wireErrorCodes';

export { LIMITS } from './limits';

/**
 * Bumped only for a change that features cannot negotiate; bound into the Noise prologue, so peers of
 * different versions fail the handshake (4401). Everything else grows behind a feature (./features.ts).
 */
export const PROTOCOL_VERSION = 1;

const Id = z.string().min(1).max(LIMITS.id);
const Seq = z.number().int().nonnegative();
const Millis = z.number().int().nonnegative();

export const SessionStatusSchema = z.enum(['starting', 'working', 'waiting', 'idle', 'ended']);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

export const SessionInfoSchema = z.object({
  id: Id,
  title: z.string().max(LIMITS.name * 2),
  agent: z.string().max(LIMITS.name),
  /** The working folder, shown on approval cards. */
  cwd: z.string().max(4096),
  status: SessionStatusSchema,
  /** When the status last changed (ms since epoch). */
  since: Millis,
  /** The highest chat sequence number sent so far (0 before the first event). */
  lastSeq: Seq,
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Feature `sessions`: one row of the host's session list. */
export const SessionSummarySchema = SessionInfoSchema.extend({
  /** Approvals of this session waiting for an answer. */
  pending: z.number().int().nonnegative(),
  /** The last chat event or status change (ms since epoch). */
  lastActivity: Millis,
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

/** Feature `sessions`: a past conversation of the agent in a folder, which `startSession` can resume. */
export const PastSessionSchema = z.object({
  /** The agent's own session id (Claude Code: a UUID). */
  id: Id,
  /** The first prompt, capped. */
  title: z.string().max(LIMITS.name * 2),
  lastActivity: Millis,
});
export type PastSession = z.infer<typeof PastSessionSchema>;

/** An absolute folder path as the host names it. */
const Folder = z.string().min(1).max(4096);

/** One chat event. Tool results are reduced to ok / error: their contents never cross the bridge. */
export const ChatEventSchema = z.discriminatedUnion('kind', [
  /** A prompt. `clientId` echoes the device's prompt id, so the device knows its prompt landed (exactly once). */
  z.object({ kind: z.literal('user'), text: z.string().max(LIMITS.text), source: z.enum(['device', 'terminal']).optional(), clientId: z.string().max(LIMITS.id).optional() }),
  z.object({ kind: z.literal('assistant'), text: z.string().max(LIMITS.text) }),
  z.object({
    kind: z.literal('tool'),
    toolUseId: z.string().max(LIMITS.id).optional(),
    tool: z.string().max(LIMITS.name * 2),
    /** "Ran `npm test`", "Edited src/a.ts +3 −1". */
    summary: z.string().max(LIMITS.summary),
    status: z.enum(['running', 'ok', 'error', 'denied']),
  }),
  z.object({ kind: z.literal('notice'), text: z.string().max(LIMITS.summary * 4) }),
]);
export type ChatEvent = z.infer<typeof ChatEventSchema>;

/** One chat event with its place in the session (feature `window` batches these). */
export const ChatEntrySchema = z.object({ seq: Seq, at: Millis, event: ChatEventSchema });
export type ChatEntryMessage = z.infer<typeof ChatEntrySchema>;

/** At most this many events in one `chats` batch (the frame budget may cut a batch shorter). */
export const MAX_BATCH_EVENTS = 256;

export const RiskSchema = z.object({
  level: z.enum(['low', 'medium', 'high']),
  /** Why, in a few words each: "deletes files recursively", "writes outside the workspace". */
  reasons: z.array(z.string().max(LIMITS.summary)).max(8),
});
export type Risk = z.infer<typeof RiskSchema>;

/** What the approval card shows: the exact command, or the proposed edit. */
export const ApprovalDetailSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('command'), command: z.string().max(LIMITS.detail), description: z.string().max(LIMITS.summary).optional() }),
  /** Write: the new content of the file (the existing file is not sent). */
  z.object({ kind: z.literal('write'), file: z.string().max(4096), content: z.string().max(LIMITS.detail) }),
  /** Edit / MultiEdit: each replacement as the agent proposed it. */
  z.object({
    kind: z.literal('edit'),
    file: z.string().max(4096),
    edits: z.array(z.object({ oldText: z.string().max(LIMITS.detail), newText: z.string().max(LIMITS.detail) })).max(64),
  }),
  /** Any other tool (MCP, WebFetch…): its input as redacted, truncated JSON text. */
  z.object({ kind: z.literal('other'), input: z.string().max(LIMITS.detail) }),
]);
export type ApprovalDetail = z.infer<typeof ApprovalDetailSchema>;

export const ApprovalRequestSchema = z.object({
  id: Id,
  session: Id,
  tool: z.string().max(LIMITS.name * 2),
  summary: z.string().max(LIMITS.summary),
  detail: ApprovalDetailSchema,
  cwd: z.string().max(4096),
  risk: RiskSchema,
  /** SHA-256 (hex) of the exact tool input; a decision must name it. */
  inputHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: Millis,
  expiresAt: Millis,
});
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

export const DecisionSchema = z.enum(['allow', 'deny']);
export type Decision = z.infer<typeof DecisionSchema>;

export const ResolutionSchema = z.enum(['allowed', 'denied', 'expired', 'cancelled']);
export type Resolution = z.infer<typeof ResolutionSchema>;

// ---- host → device -------------------------------------------------------------------------------

export const HostMessageSchema = z.discriminatedUnion('type', [
  /**
   * Sent on every (re)connect, and again in answer to the device's `hello`, then with `features` (the
   * features this host speaks). A v1 device never sends `hello`, so it never sees `features`.
   */
  z.object({
    type: z.literal('hello'),
    v: z.literal(PROTOCOL_VERSION),
    hostName: z.string().max(LIMITS.name * 2),
    sessions: z.array(SessionInfoSchema).max(64),
    features: FeatureListSchema.optional(),
    /**
     * Feature `hostKind`: what the host runs in — 'vscode' (the extension), 'cli' (`walkie host`). An open
     * set: a device names kinds it knows and says "your computer" for any other.
     */
    hostKind: z.string().min(1).max(32).regex(/^[a-z][a-z0-9-]*$/).optional(),
  }),
  /** A session started or changed (status, title). */
  z.object({ type: z.literal('session'), session: SessionInfoSchema }),
  z.object({ type: z.literal('chat'), session: Id, seq: Seq, at: Millis, event: ChatEventSchema }),
  z.object({ type: z.literal('approval'), request: ApprovalRequestSchema }),
  z.object({
    type: z.literal('resolved'),
    id: Id,
    session: Id,
    resolution: ResolutionSchema,
    /** The v1 display string: a device name, "VS Code", "agent", "timeout" or "walkie" (authorLabel). */
    by: z.string().max(LIMITS.name * 2),
    /** Feature `author`: who resolved it, typed. Read it when present; else authorFromLabel(by). */
    author: AuthorSchema.optional(),
    message: z.string().max(LIMITS.summary * 4).optional(),
  }),
  /**
   * Feature `sessions`: every session the host lists (live and ended), and the folders a device may start
   * one in (empty: this host starts none). Sent in answer to `listSessions` and again whenever it changes.
   */
  z.object({ type: z.literal('sessionList'), sessions: z.array(SessionSummarySchema).max(256), folders: z.array(Folder).max(64) }),
  /** Feature `sessions`: the agent's past sessions in `folder`, newest first (answer to `listPast`). */
  z.object({ type: z.literal('pastSessions'), folder: Folder, sessions: z.array(PastSessionSchema).max(100) }),
  /** Feature `sessions`: the session a `startSession` (its `clientId` in `ref`) started or resumed. */
  z.object({ type: z.literal('sessionStarted'), ref: Id, session: SessionInfoSchema }),
  /**
   * Feature `appPin`: the base64url SHA-256 of the host's web app manifest (bundle.json: every app file and
   * its hash). The phone's service worker runs only a bundle whose manifest has this hash.
   */
  z.object({ type: z.literal('app'), sha256: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }),
  /**
   * Feature `notify`: this device's notification settings as the host keeps them, and the host's VAPID
   * public key (the `applicationServerKey` a browser subscribes with; absent when the host cannot push).
   */
  z.object({
    type: z.literal('notify'),
    settings: DeviceNotifySettingsSchema,
    vapidPublicKey: z.string().length(87).regex(/^[A-Za-z0-9_-]+$/).optional(),
    /** The host has a Telegram bot: a device may name a chat for notify-only messages. */
    telegram: z.boolean().optional(),
  }),
  /** Feature `relay`: where devices reach this host from now on (ws:// or wss://, as in a pairing offer). */
  z.object({ type: z.literal('relay'), url: z.string().max(512).regex(/^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/) }),
  /** Feature `schedules`: the schedules, recent runs and loops; on request and whenever they change. */
  z.object({ type: z.literal('schedules'), listing: ScheduleListingSchema }),
  /** Feature `schedules`: a device's `scheduleSave` (`ref`) was saved as `schedule`. */
  z.object({ type: z.literal('scheduleSaved'), ref: Id, schedule: ScheduleViewSchema }),
  /**
   * Feature `window`: chat events of one session, oldest first. `base` (first batch of a sync only): events up
   * to `base` were left out of the window — the device continues after it. `older`: an answer to `history`,
   * events before what the device holds (they do not move its cursor); `more`: still older ones exist.
   */
  z.object({
    type: z.literal('chats'),
    session: Id,
    events: z.array(ChatEntrySchema).max(MAX_BATCH_EVENTS),
    base: Seq.optional(),
    older: z.boolean().optional(),
    more: z.boolean().optional(),
  }),
  /**
   * The end of a sync: everything up to `seq` has been sent for `session`. Feature `reconcile`: `pending`
   * lists every approval of the session still waiting; a device drops any card it holds that is not listed.
   */
  z.object({ type: z.literal('synced'), session: Id, seq: Seq, pending: z.array(Id).max(1024).optional() }),
  /** Feature `ping`: the answer to a device's `ping`, echoing its `n`. */
  z.object({ type: z.literal('pong'), n: z.number().int().nonnegative() }),
  /** A device request could not be carried out (a prompt to an ended session, a stale decision…). */
  z.object({ type: z.literal('error'), code: ErrorCodeFieldSchema, message: z.string().max(LIMITS.summary), ref: z.string().max(LIMITS.id).optional() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

// ---- device → host -------------------------------------------------------------------------------

export const DeviceMessageSchema = z.discriminatedUnion('type', [
  /**
   * The device's features, sent first on every connection (docs/protocol.md §Versions and features). The
   * host answers with a `hello` carrying its own. A v1 host closes the channel on it (4422); the device
   * then reconnects without it and speaks v1.
   */
  z.object({ type: z.literal('hello'), v: z.literal(PROTOCOL_VERSION), features: FeatureListSchema }),
  /** Feature `notify`: replaces this device's notification settings (answered with the host's `notify`). */
  z.object({ type: z.literal('notify'), settings: DeviceNotifySettingsSchema }),
  /** `clientId` makes a resent prompt (after a reconnect) arrive exactly once. */
  z.object({ type: z.literal('prompt'), session: Id, text: z.string().min(1).max(LIMITS.text), clientId: Id }),
  z.object({ type: z.literal('interrupt'), session: Id }),
  z.object({
    type: z.literal('decide'),
    id: Id,
    inputHash: z.string().regex(/^[0-9a-f]{64}$/),
    decision: DecisionSchema,
    message: z.string().max(LIMITS.summary * 4).optional(),
  }),
  /** Feature `sessions`: asks for `sessionList`. */
  z.object({ type: z.literal('listSessions') }),
  /** Feature `sessions`: asks for the agent's past sessions in an allowed folder (`pastSessions`). */
  z.object({ type: z.literal('listPast'), folder: Folder }),
  /**
   * Feature `sessions`: starts a session in an allowed folder with a first prompt (typed as a device prompt,
   * never a command), or resumes the agent's past session `resume` there. Answered by `sessionStarted` or an
   * `error` whose `ref` is `clientId`.
   */
  z.object({ type: z.literal('startSession'), folder: Folder, prompt: z.string().min(1).max(LIMITS.text).optional(), resume: Id.optional(), clientId: Id }),
  /** Feature `sessions`: ends a session (a wrapped agent exits). */
  z.object({ type: z.literal('stopSession'), session: Id }),
  /** Feature `sessions`: takes an ended session off the list. */
  z.object({ type: z.literal('clearSession'), session: Id }),
  /** Resend every chat event of `session` with seq > `after`, then every pending approval. */
  z.object({ type: z.literal('sync'), session: Id, after: Seq }),
  /** Feature `schedules`: asks for the `schedules` listing. */
  z.object({ type: z.literal('schedules') }),
  /**
   * Feature `schedules`: saves a new schedule (no `schedule.id`) or an edit. The host checks it in full
   * (cadence, zone, an allowed folder) and answers `scheduleSaved` or an `error` with `ref`; a twin of a saved
   * schedule is refused (HOST_ERR_SCHEDULE_DUPLICATE) unless `force`.
   */
  z.object({ type: z.literal('scheduleSave'), ref: Id, schedule: z.unknown(), force: z.boolean().optional() }),
  /** Feature `schedules`: removes a schedule. */
  z.object({ type: z.literal('scheduleDelete'), id: Id }),
  /** Feature `schedules`: starts a run of a schedule now. */
  z.object({ type: z.literal('scheduleRunNow'), id: Id }),
  /** Feature `schedules`: cancels a `/loop`. */
  z.object({ type: z.literal('loopCancel'), id: Id }),
  /** Feature `ping`: the channel has been quiet; the host answers `pong` with the same `n`. */
  z.object({ type: z.literal('ping'), n: z.number().int().nonnegative() }),
  /** Feature `window`: up to `limit` events before seq `before` (answered with `chats`, `older: true`). */
  z.object({ type: z.literal('history'), session: Id, before: Seq, limit: z.number().int().min(1).max(MAX_BATCH_EVENTS * 4) }),
]);
export type DeviceMessage = z.infer<typeof DeviceMessageSchema>;

/**
 * `ignored`: a message of a type this build does not know — skip it, keep the channel (log at debug).
 * `invalid`: anything else that did not parse — drop it and close the channel (4422).
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; ignored: boolean; reason: string };

const HOST_TYPES: ReadonlySet<string> = new Set(HostMessageSchema.options.map((o) => o.shape.type.value));
const DEVICE_TYPES: ReadonlySet<string> = new Set(DeviceMessageSchema.options.map((o) => o.shape.type.value));

/** Decodes one channel plaintext (UTF-8 JSON) into a host message. Never throws. */
export function parseHostMessage(bytes: Uint8Array): ParseResult<HostMessage> {
  return checkHostMessage(decodeJson(bytes));
}

/** Decodes one channel plaintext (UTF-8 JSON) into a device message. Never throws. */
export function parseDeviceMessage(bytes: Uint8Array): ParseResult<DeviceMessage> {
  return checkDeviceMessage(decodeJson(bytes));
}

/** Validates an already decoded value (the VS Code panel's postMessage) as a host message. Never throws. */
export function checkHostMessage(json: unknown): ParseResult<HostMessage> {
  return checkWith(HostMessageSchema, HOST_TYPES, json);
}

/** Validates an already decoded value as a device message. Never throws. */
export function checkDeviceMessage(json: unknown): ParseResult<DeviceMessage> {
  return checkWith(DeviceMessageSchema, DEVICE_TYPES, json);
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
const NOT_JSON = Symbol('not JSON');

export function encodeMessage(message: HostMessage | DeviceMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

function decodeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function checkWith<T>(schema: z.ZodType<T>, known: ReadonlySet<string>, json: unknown): ParseResult<T> {
  if (json === NOT_JSON) return { ok: false, ignored: false, reason: 'not UTF-8 JSON' };
  // Protocol growth: an object with a string `type` this build does not know is a newer peer's message.
  // Ignoring it is safe — it can carry no decision or prompt this build would act on — and keeps the
  // channel up. Its type is not logged: it is peer-controlled plaintext.
  const type = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && type.length > 0 && type.length <= LIMITS.name && !known.has(type)) {
    return { ok: false, ignored: true, reason: 'unknown message type' };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  // Redacted: name the failing paths and issue codes, never the values.
  const reason = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ');
  return { ok: false, ignored: false, reason };
}
