// Which tool calls are routed to the phone for approval. The default is to route: a tool is left alone only
// when its agent's adapter knows it changes nothing (AgentAdapter.isReadOnlyTool), or the user's policy
// says so. Anything else, including tools an adapter has never heard of, is routed. Fail closed: a new tool
// in a future agent CLI is routed until someone decides otherwise.


/**
 * Configuration overrides. Entries are exact tool names, or a prefix ending in `*` (`mcp__github__*`;
 * a lone `*` matches every tool).
 * `routed` wins over `unrouted` when both match (fail closed).
 */
export interface ToolPolicy {
  routed?: string[];
  unrouted?: string[];
}

/** True when a call to `tool` must wait for a decision from Walkie. `readOnly` is the agent's own list. */
export function isRouted(tool: string, policy: ToolPolicy | undefined, readOnly: (tool: string) => boolean): boolean {
  if (matchesAny(tool, policy?.routed)) return true;
  if (matchesAny(tool, policy?.unrouted)) return false;
  return !readOnly(tool);
}

function matchesAny(tool: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns) return false;
  for (const p of patterns) {
    if (typeof p !== 'string' || p.length === 0) continue;
    if (p.endsWith('*') ? tool.startsWith(p.slice(0, -1)) : tool === p) return true;
  }
  return false;
}
