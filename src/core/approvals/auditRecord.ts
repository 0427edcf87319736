// One line of the append-only approval audit log (JSON Lines; the Node side owns the file). It records who
// decided what about which exact input, never the input itself: the SHA-256 identifies it.
import * as z from 'zod';
import type { Outcome } from './approvalBroker';
import type { Clock } from '../base/clock';
import { LIMITS, ResolutionSchema, type ApprovalRequest } from '../wire/protocol';
import { safeText } from '../redaction/secretScanner';

export const AuditRecordSchema = z.strictObject({
  /** When the request was resolved (ISO 8601, UTC). */
  time: z.iso.datetime(),
  session: z.string().min(1).max(LIMITS.id),
  tool: z.string().max(LIMITS.name * 2),
  inputHash: z.string().regex(/^[0-9a-f]{64}$/),
  resolution: ResolutionSchema,
  by: z.string().max(LIMITS.name * 2),
  message: z.string().max(LIMITS.summary * 4).optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

export function auditRecordFor(request: ApprovalRequest, outcome: Outcome, clock: Clock): AuditRecord {
  return {
    time: new Date(clock.now()).toISOString(),
    session: request.session,
    tool: request.tool,
    inputHash: request.inputHash,
    resolution: outcome.resolution,
    by: outcome.by.slice(0, LIMITS.name * 2),
    // The message was typed by a person; it still passes the scanner before it is stored.
    ...(outcome.message ? { message: safeText(outcome.message, LIMITS.summary * 4) } : {}),
  };
}
