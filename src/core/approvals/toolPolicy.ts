// Which tool calls are routed to the phone for approval. The default is to route: a tool is left alone only
// when it is known to change nothing (it reads files or updates the agent's own to-do list). Anything else,
// including every MCP tool (mcp__*), WebFetch/WebSearch (they can carry data out in a URL or a query) and
// tools this list has never heard of, is routed. Fail closed: a new tool in a future Claude Code is routed
// until someone decides otherwise.

/**
 * Tools that only read. Deliberately NOT here: Task/Agent (launches a subagent with its own prompt; its tool
 * calls are routed too, but the launch itself is shown), KillShell/KillBash (stops a process),
 * ExitPlanMode (Claude Code asks the user here too), ListMcpResourcesTool/ReadMcpResourceTool (an MCP
 * server decides what a "read" does), Skill/SlashCommand (expand to arbitrary instructions).
 */
export const READ_ONLY_TOOLS: ReadonlySet<string> = new Set([
  'Read',
  'Glob',
  'Grep',
  'LS',
  'NotebookRead',
  'TodoRead',
  'TodoWrite',
  'BashOutput',
  'TaskOutput',
]);

/**
 * Configuration overrides. Entries are exact tool names, or a prefix ending in `*` (`mcp__github__*`;
 * a lone `*` matches every tool).
 * `routed` wins over `unrouted` when both match (fail closed).
 */
export interface ToolPolicy {
  routed?: string[];
  unrouted?: string[];
}

/** True when a call to `tool` must wait for a decision from Walkie. */
export function isRouted(tool: string, policy?: ToolPolicy): boolean {
  if (matchesAny(tool, policy?.routed)) return true;
  if (matchesAny(tool, policy?.unrouted)) return false;
  return !READ_ONLY_TOOLS.has(tool);
}

function matchesAny(tool: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns) return false;
  for (const p of patterns) {
    if (typeof p !== 'string' || p.length === 0) continue;
    if (p.endsWith('*') ? tool.startsWith(p.slice(0, -1)) : tool === p) return true;
  }
  return false;
}
