// Picks the adapter for an agent command: `walkie host -- codex …` runs Codex CLI, anything else Claude Code
// (the default agent). `kind` forces a choice (the VS Code setting `walkie.agent.kind`); 'auto' decides by
// the command's file name, so `/opt/bin/codex` and `codex.exe` are Codex too.
import path from 'node:path';
import type { AgentAdapter } from '../agentAdapter';
import { ClaudeCodeAdapter } from '../claude/claudeCode';
import { CodexCliAdapter } from '../codex/codexCli';

export type AgentKind = 'auto' | 'claude-code' | 'codex';

/** The agent a command runs, by its file name: `codex` (any folder, any extension) is Codex CLI. */
export function agentKindOf(command: string): Exclude<AgentKind, 'auto'> {
  const name = path.basename(command.replace(/\\/g, '/')).replace(/\.(exe|cmd|js)$/i, '').toLowerCase();
  return name === 'codex' ? 'codex' : 'claude-code';
}

export function adapterFor(command: string, kind: AgentKind = 'auto'): AgentAdapter {
  const k = kind === 'auto' ? agentKindOf(command) : kind;
  return k === 'codex' ? new CodexCliAdapter({ bin: command }) : new ClaudeCodeAdapter({ bin: command });
}
