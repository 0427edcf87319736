// The approval gate for one agent session: turns a gate hook call (a tool about to run, or a local
// permission prompt about to open) into an answer. Routed tools wait for a decision through the
// ApprovalBroker; read-only tools are left to the agent's own rules. A local prompt that follows a decision
// Walkie already made gets that same decision, so no prompt is left waiting where the phone cannot see it.
// Every doubt denies.
import type { ApprovalBroker, Outcome } from '../../core/approvals/approvalBroker';
import { auditRecordFor } from '../../core/approvals/auditRecord';
import type { Clock } from '../../core/base/clock';
import { inputHash } from '../../core/approvals/inputHash';
import type { Logger } from '../../core/base/logger';
import { isRouted, type ToolPolicy } from '../../core/approvals/toolPolicy';
import type { AgentAdapter, GateAnswer, ToolUseEvent } from '../agents/agentAdapter';
import type { AuditLog } from './auditLog';
import { errorName } from '../../core/base/errorName';

export interface ToolGateOptions {
  /** Walkie's session id (the broker's `session`). */
  readonly session: string;
  /** The agent's adapter: which tools only read, and how a call is shown to a device. */
  readonly adapter: AgentAdapter;
  readonly broker: ApprovalBroker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cwd: string;
  readonly workspaceRoot?: string;
  readonly policy?: ToolPolicy;
  readonly audit?: AuditLog;
  /** How long a decision answers a following local prompt for the same input. Default 5 minutes. */
  readonly recentMs?: number;
  /** Called whenever the agent reports a permission-bypassing mode. */
  readonly onBypass: () => void;
  /** How many of this gate's calls wait for a decision now; called whenever that number changes. */
  readonly onWaiting?: (count: number) => void;
}

interface RecentDecision {
  readonly tool: string;
  readonly hash: string;
  readonly answer: GateAnswer;
  readonly at: number;
}

export const BYPASS_REASON = 'Walkie blocks every tool call while permission checks are bypassed. Switch back to the default permission mode.';
const MAX_RECENT = 64;

export class ToolGate {
  private recent: RecentDecision[] = [];
  private waiting = 0;

  constructor(private readonly o: ToolGateOptions) {}

  /** Decides one gate event. Never throws: an error becomes a deny. */
  async decide(event: ToolUseEvent, signal: AbortSignal): Promise<GateAnswer> {
    try {
      return await this.decideUnsafe(event, signal);
    } catch (e) {
      this.o.logger.error(`gate: ${event.tool} denied after an error: ${errorName(e)}`);
      return { kind: 'deny', reason: 'Walkie could not get a decision for this tool call, so it was blocked.' };
    }
  }

  private async decideUnsafe(event: ToolUseEvent, signal: AbortSignal): Promise<GateAnswer> {
    if (event.bypass) {
      // Security: whatever route put the agent into bypass mode, nothing runs while it is there.
      this.o.onBypass();
      return { kind: 'deny', reason: BYPASS_REASON };
    }
    if (event.phase === 'before') {
      // Not routed (read-only): no opinion, the agent's own permission rules apply.
      if (!isRouted(event.tool, this.o.policy, (t) => this.o.adapter.isReadOnlyTool(t))) return { kind: 'defer' };
      return this.ask(event, signal);
    }
    // A local prompt: reuse the decision just made for this exact input (once), else ask the phone.
    const earlier = this.takeRecent(event.tool, inputHash(event.input));
    return earlier ?? this.ask(event, signal);
  }

  private async ask(event: ToolUseEvent, signal: AbortSignal): Promise<GateAnswer> {
    if (signal.aborted) return { kind: 'deny', reason: 'The agent stopped waiting for a decision.' };
    const cwd = event.cwd ?? this.o.cwd;
    const description = this.o.adapter.describeToolCall(event.tool, event.input, { cwd, workspaceRoot: this.o.workspaceRoot ?? this.o.cwd });
    const { request, outcome } = this.o.broker.request({ session: this.o.session, tool: event.tool, input: event.input, cwd, description, toolUseId: event.toolUseId });
    // The agent hung up (Esc, or its hook timeout): the request can never be answered any more.
    const onAbort = () => this.o.broker.cancel(request.id, { kind: 'agent' }, 'The agent stopped waiting for a decision.');
    signal.addEventListener('abort', onAbort, { once: true });
    // The gate tells its own session that it waits, and when it is answered: no session filters the
    // broker's events for its own requests.
    this.o.onWaiting?.(++this.waiting);
    let result: Outcome;
    try {
      result = await outcome;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.o.onWaiting?.(--this.waiting);
    }
    this.writeAudit(request, result);
    const answer = answerFor(result);
    this.remember(event.tool, request.inputHash, answer);
    this.o.logger.info(`gate: ${event.tool} ${result.resolution} by ${result.by}`);
    return answer;
  }

  private writeAudit(request: Parameters<typeof auditRecordFor>[0], outcome: Outcome): void {
    if (!this.o.audit) return;
    try {
      this.o.audit.append(auditRecordFor(request, outcome, this.o.clock));
    } catch (e) {
      this.o.logger.error(`audit: write failed: ${e instanceof Error ? e.message : 'error'}`);
    }
  }

  private remember(tool: string, hash: string, answer: GateAnswer): void {
    this.recent.push({ tool, hash, answer, at: this.o.clock.now() });
    if (this.recent.length > MAX_RECENT) this.recent.shift();
  }

  private takeRecent(tool: string, hash: string): GateAnswer | undefined {
    const cutoff = this.o.clock.now() - (this.o.recentMs ?? 5 * 60_000);
    this.recent = this.recent.filter((r) => r.at >= cutoff);
    const i = this.recent.findIndex((r) => r.tool === tool && r.hash === hash);
    if (i < 0) return undefined;
    const [hit] = this.recent.splice(i, 1);
    return hit.answer;
  }
}

/** The model sees `reason`: the device's own message when it sent one. */
export function answerFor(outcome: Outcome): GateAnswer {
  if (outcome.resolution === 'allowed') return { kind: 'allow', reason: `Approved in Walkie by ${outcome.by}.` };
  const fallback =
    outcome.resolution === 'denied'
      ? `Denied in Walkie by ${outcome.by}.`
      : outcome.resolution === 'expired'
        ? 'No decision arrived in time, so Walkie blocked this tool call.'
        : 'The approval was cancelled, so Walkie blocked this tool call.';
  return { kind: 'deny', reason: outcome.message?.trim() ? outcome.message : fallback };
}
