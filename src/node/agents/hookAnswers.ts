// Answers in the hook protocol Claude Code defined and Codex CLI adopted: the same JSON for a
// PermissionRequest decision in both (measured: docs/claude-code.md, docs/codex.md).
import type { GateAnswer } from './agentAdapter';

/**
 * A PermissionRequest answer. Never "defer" here (security): the agent's local prompt would then wait
 * where the phone cannot see it, so no decision is a deny.
 */
export function permissionRequestAnswer(a: GateAnswer): unknown {
  if (a.kind === 'allow') return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } };
  const message = a.kind === 'deny' ? a.reason : 'Walkie has no decision for this tool call.';
  return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message } } };
}
