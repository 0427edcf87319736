// The approval broker: one pending request per routed tool call, resolved exactly once.
//
//   pending → allowed | denied | expired | cancelled
//
// The first decision wins; later ones are refused with BROKER_ERR_RESOLVED. A decision must name both the
// request id and the SHA-256 of the exact tool input it was shown, so it can never approve a different
// input. Fail closed: anything but an explicit allow (deny, expiry, cancel, dispose) is a deny for the
// agent. The broker does not talk to the agent or the device: the hook server awaits `outcome`, the bridge
// listens to onRequest/onResolved.
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import type { Clock, TimerHandle } from '../base/clock';
import { Emitter, type Event } from '../base/event';
import { inputHash } from './inputHash';
import { nullLogger, type Logger } from '../base/logger';
import { authorLabel, type Author } from '../wire/author';
import { LIMITS, type ApprovalDetail, type ApprovalRequest, type Decision, type Resolution, type Risk } from '../wire/protocol';
import type { WireErrorCode } from '../wire/wireErrorCodes';
import { safeText } from '../redaction/secretScanner';
import { errorName } from '../base/errorName';

/** What a device is shown of a tool call, made by the agent's adapter (AgentAdapter.describeToolCall). */
export interface ToolDescription {
  readonly summary: string;
  readonly detail: ApprovalDetail;
  readonly risk: Risk;
}

export interface ApprovalInput {
  session: string;
  tool: string;
  /** The exact input; its hash binds every decision to it. */
  input: unknown;
  cwd: string;
  /** Already described by the agent's adapter: the broker knows no agent's tools. */
  description: ToolDescription;
  toolUseId?: string;
}

export interface Outcome {
  resolution: Resolution;
  /** Who resolved it (a closed union: src/core/wire/author.ts). */
  author: Author;
  /** `authorLabel(author)`: the v1 display string (audit log, the reason the agent is told, `resolved.by`). */
  by: string;
  /** Shown to the agent (and on the device) with the resolution. */
  message?: string;
}

/** Sent to the deciding peer as an `error` (src/core/wire/wireErrorCodes.ts lists them with their meaning). */
export type BrokerErrorCode = Extract<WireErrorCode, `BROKER_ERR_${string}`>;
export type DecideResult = { ok: true; outcome: Outcome } | { ok: false; code: BrokerErrorCode; message: string };

interface Pending {
  request: ApprovalRequest;
  timer: TimerHandle;
  resolve: (outcome: Outcome) => void;
}

/** How many resolved ids are remembered, so a late decision gets BROKER_ERR_RESOLVED rather than UNKNOWN. */
const REMEMBER_RESOLVED = 1024;

export const DEFAULT_EXPIRY_MS = 30 * 60_000;

export class ApprovalBroker {
  private readonly clock: Clock;
  private readonly expiryMs: number;
  private readonly logger: Logger;
  private readonly open = new Map<string, Pending>();
  private readonly resolved = new Set<string>();
  private readonly requestEmitter = new Emitter<ApprovalRequest>((e) => this.logger.error(`approval onRequest listener failed: ${errorName(e)}`));
  private readonly resolvedEmitter = new Emitter<{ request: ApprovalRequest; outcome: Outcome }>((e) => this.logger.error(`approval onResolved listener failed: ${errorName(e)}`));
  private disposed = false;

  readonly onRequest: Event<ApprovalRequest> = this.requestEmitter.event;
  readonly onResolved: Event<{ request: ApprovalRequest; outcome: Outcome }> = this.resolvedEmitter.event;

  constructor(o: { clock: Clock; expiryMs?: number; logger?: Logger }) {
    this.clock = o.clock;
    this.expiryMs = o.expiryMs ?? DEFAULT_EXPIRY_MS;
    this.logger = o.logger ?? nullLogger;
    if (!(this.expiryMs > 0)) throw new RangeError(`expiryMs must be positive, got ${this.expiryMs}`);
  }

  /** Opens a request. `outcome` settles exactly once and never rejects. */
  request(i: ApprovalInput): { request: ApprovalRequest; outcome: Promise<Outcome> } {
    const now = this.clock.now();
    const { summary, detail, risk } = i.description;
    const request: ApprovalRequest = {
      id: newId(),
      session: i.session,
      tool: i.tool.slice(0, LIMITS.name * 2),
      summary,
      detail,
      cwd: i.cwd.slice(0, 4096),
      risk,
      inputHash: inputHash(i.input),
      createdAt: now,
      expiresAt: now + this.expiryMs,
    };
    if (this.disposed) {
      // Fail closed: a broker that is shutting down denies everything at once.
      return { request, outcome: Promise.resolve(outcomeOf('cancelled', { kind: 'walkie' }, 'Walkie is shutting down; denied.')) };
    }
    let resolve!: (o: Outcome) => void;
    const outcome = new Promise<Outcome>((r) => (resolve = r));
    const timer = this.clock.setTimeout(() => this.finish(request.id, outcomeOf('expired', { kind: 'expiry' }, expiryMessage(this.expiryMs))), this.expiryMs);
    this.open.set(request.id, { request, timer, resolve });
    this.logger.info(`approval ${request.id} opened for ${request.tool} (risk ${request.risk.level})`);
    this.requestEmitter.fire(request);
    return { request, outcome };
  }

  /** Applies a decision from the device or the local UI. Refused unless the request is pending and the hash matches. */
  decide(id: string, hash: string, decision: Decision, by: Author, message?: string): DecideResult {
    const p = this.open.get(id);
    if (!p) {
      return this.resolved.has(id)
        ? { ok: false, code: 'BROKER_ERR_RESOLVED', message: 'This request was already resolved.' }
        : { ok: false, code: 'BROKER_ERR_UNKNOWN', message: 'No such approval request.' };
    }
    // Security: the decision must be about the exact input the user was shown; a mismatch leaves it pending.
    if (hash !== p.request.inputHash) {
      this.logger.warn(`approval ${id}: decision refused, input hash mismatch`);
      return { ok: false, code: 'BROKER_ERR_HASH_MISMATCH', message: 'The decision names a different tool input.' };
    }
    // Fail closed: only the literal 'allow' allows.
    const outcome = outcomeOf(decision === 'allow' ? 'allowed' : 'denied', by, message);
    this.finish(id, outcome);
    return { ok: true, outcome };
  }

  /** Esc in the terminal, or the hook's connection dropped: the agent has stopped waiting. */
  cancel(id: string, by: Author, message?: string): void {
    this.finish(id, outcomeOf('cancelled', by, message));
  }

  /** The session ended: cancels its pending requests. */
  cancelSession(session: string, by: Author, message?: string): void {
    for (const p of [...this.open.values()]) if (p.request.session === session) this.finish(p.request.id, outcomeOf('cancelled', by, message));
  }

  /** Pending requests, oldest first (all sessions, or one). */
  pending(session?: string): ApprovalRequest[] {
    const all = [...this.open.values()].map((p) => p.request);
    return session === undefined ? all : all.filter((r) => r.session === session);
  }

  /** Cancels everything pending (fail closed) and stops emitting. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const id of [...this.open.keys()]) this.finish(id, outcomeOf('cancelled', { kind: 'walkie' }, 'Walkie stopped; denied.'));
    this.requestEmitter.dispose();
    this.resolvedEmitter.dispose();
  }

  private finish(id: string, outcome: Outcome): void {
    const p = this.open.get(id);
    if (!p) return;
    this.open.delete(id);
    this.clock.clearTimeout(p.timer);
    this.resolved.add(id);
    if (this.resolved.size > REMEMBER_RESOLVED) this.resolved.delete(this.resolved.values().next().value as string);
    this.logger.info(`approval ${id} ${outcome.resolution} by ${outcome.by}`);
    p.resolve(outcome);
    this.resolvedEmitter.fire({ request: p.request, outcome });
  }
}

function outcomeOf(resolution: Resolution, by: Author, message?: string): Outcome {
  const author: Author = by.kind === 'device' ? { kind: 'device', name: cap(by.name, LIMITS.name * 2) } : by;
  return { resolution, author, by: authorLabel(author), ...(message ? { message: safeText(message, LIMITS.summary * 4) } : {}) };
}

/** The reason the agent sees when nobody answered: "No answer from Walkie within 30 minutes; denied." */
export function expiryMessage(ms: number): string {
  const unit = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const span = ms % 60_000 === 0 ? unit(ms / 60_000, 'minute') : unit(Math.ceil(ms / 1000), 'second');
  return `No answer from Walkie within ${span}; denied.`;
}

/** 128 random bits, hex: unguessable, so a device cannot decide a request it was never sent. */
function newId(): string {
  return `apr_${bytesToHex(randomBytes(16))}`;
}

function cap(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

