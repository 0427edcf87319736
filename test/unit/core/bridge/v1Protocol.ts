// A FROZEN copy of the v1 app protocol exactly as it shipped before features existed (src/core/wire/
// protocol.ts at the commit before "A protocol that can grow"): strict objects, a literal hello version,
// no `features`, no `author`, any string as an error code. Older phone pages and hosts parse with these
// schemas and close the channel on anything they refuse, so the compatibility tests hold the new code
// to them. Never edit it to make a test pass: it stands for code already out in the world.
import * as z from 'zod';

const LIMITS = { text: 32 * 1024, summary: 300, detail: 48 * 1024, name: 64, id: 128 } as const;
const PROTOCOL_VERSION = 1;

const Id = z.string().min(1).max(LIMITS.id);
const Seq = z.number().int().nonnegative();
const Millis = z.number().int().nonnegative();

const SessionStatusSchema = z.enum(['starting', 'working', 'waiting', 'idle', 'ended']);

const SessionInfoSchema = z.strictObject({
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

/** One chat event. Tool results are reduced to ok / error: their contents never cross the bridge. */
const ChatEventSchema = z.discriminatedUnion('kind', [
  /** A prompt. `clientId` echoes the device's prompt id, so the device knows its prompt landed (exactly once). */
  z.strictObject({ kind: z.literal('user'), text: z.string().max(LIMITS.text), source: z.enum(['device', 'terminal']).optional(), clientId: z.string().max(LIMITS.id).optional() }),
  z.strictObject({ kind: z.literal('assistant'), text: z.string().max(LIMITS.text) }),
  z.strictObject({
    kind: z.literal('tool'),
    toolUseId: z.string().max(LIMITS.id).optional(),
    tool: z.string().max(LIMITS.name * 2),
    /** "Ran `npm test`", "Edited src/a.ts +3 −1". */
    summary: z.string().max(LIMITS.summary),
    status: z.enum(['running', 'ok', 'error', 'denied']),
  }),
  z.strictObject({ kind: z.literal('notice'), text: z.string().max(LIMITS.summary * 4) }),
]);

const RiskSchema = z.strictObject({
  level: z.enum(['low', 'medium', 'high']),
  /** Why, in a few words each: "deletes files recursively", "writes outside the workspace". */
  reasons: z.array(z.string().max(LIMITS.summary)).max(8),
});

/** What the approval card shows: the exact command, or the proposed edit. */
const ApprovalDetailSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('command'), command: z.string().max(LIMITS.detail), description: z.string().max(LIMITS.summary).optional() }),
  /** Write: the new content of the file (the existing file is not sent). */
  z.strictObject({ kind: z.literal('write'), file: z.string().max(4096), content: z.string().max(LIMITS.detail) }),
  /** Edit / MultiEdit: each replacement as the agent proposed it. */
  z.strictObject({
    kind: z.literal('edit'),
    file: z.string().max(4096),
    edits: z.array(z.strictObject({ oldText: z.string().max(LIMITS.detail), newText: z.string().max(LIMITS.detail) })).max(64),
  }),
  /** Any other tool (MCP, WebFetch…): its input as redacted, truncated JSON text. */
  z.strictObject({ kind: z.literal('other'), input: z.string().max(LIMITS.detail) }),
]);

const ApprovalRequestSchema = z.strictObject({
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

const DecisionSchema = z.enum(['allow', 'deny']);

const ResolutionSchema = z.enum(['allowed', 'denied', 'expired', 'cancelled']);

// ---- host → device -------------------------------------------------------------------------------

export const V1HostMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), v: z.literal(PROTOCOL_VERSION), hostName: z.string().max(LIMITS.name * 2), sessions: z.array(SessionInfoSchema).max(64) }),
  /** A session started or changed (status, title). */
  z.strictObject({ type: z.literal('session'), session: SessionInfoSchema }),
  z.strictObject({ type: z.literal('chat'), session: Id, seq: Seq, at: Millis, event: ChatEventSchema }),
  z.strictObject({ type: z.literal('approval'), request: ApprovalRequestSchema }),
  z.strictObject({
    type: z.literal('resolved'),
    id: Id,
    session: Id,
    resolution: ResolutionSchema,
    /** "local" (VS Code or the terminal), a device name, or "timeout". */
    by: z.string().max(LIMITS.name * 2),
    message: z.string().max(LIMITS.summary * 4).optional(),
  }),
  /** The end of a sync: everything up to `seq` has been sent for `session`. */
  z.strictObject({ type: z.literal('synced'), session: Id, seq: Seq }),
  /** A device request could not be carried out (a prompt to an ended session, a stale decision…). */
  z.strictObject({ type: z.literal('error'), code: z.string().max(LIMITS.name), message: z.string().max(LIMITS.summary), ref: z.string().max(LIMITS.id).optional() }),
]);

// ---- device → host -------------------------------------------------------------------------------

export const V1DeviceMessageSchema = z.discriminatedUnion('type', [
  /** `clientId` makes a resent prompt (after a reconnect) arrive exactly once. */
  z.strictObject({ type: z.literal('prompt'), session: Id, text: z.string().min(1).max(LIMITS.text), clientId: Id }),
  z.strictObject({ type: z.literal('interrupt'), session: Id }),
  z.strictObject({
    type: z.literal('decide'),
    id: Id,
    inputHash: z.string().regex(/^[0-9a-f]{64}$/),
    decision: DecisionSchema,
    message: z.string().max(LIMITS.summary * 4).optional(),
  }),
  /** Resend every chat event of `session` with seq > `after`, then every pending approval. */
  z.strictObject({ type: z.literal('sync'), session: Id, after: Seq }),
]);
export type V1HostMessage = z.infer<typeof V1HostMessageSchema>;
export type V1DeviceMessage = z.infer<typeof V1DeviceMessageSchema>;
