// Claude Code's built-in tools that only read, as the adapter tells the gate (AgentAdapter.isReadOnlyTool).
// Everything else — every MCP tool (mcp__*), WebFetch/WebSearch (they can carry data out in a URL or a
// query) and any tool this list has never heard of — is routed for approval.

/**
 * Tools that only read. Deliberately NOT here: Task/Agent (launches a subagent with its own prompt; its tool
 * calls are routed too, but the launch itself is shown), KillShell/KillBash (stops a process),
 * ExitPlanMode (Claude Code asks the user here too), ListMcpResourcesTool/ReadMcpResourceTool (an MCP
 * server decides what a "read" does), Skill/SlashCommand (expand to arbitrary instructions).
 */
export const CLAUDE_READ_ONLY_TOOLS: ReadonlySet<string> = new Set([
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
