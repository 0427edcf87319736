// Codex CLI's tools as Walkie shows them (measured on 0.171.0: docs/codex.md, "Tools"). Its hooks name two
// tools that change things: `Bash` (the model's `exec_command`; input `{command}`) and `apply_patch` (input
// `{command: "*** Begin Patch …"}`, Codex's own patch format). The approval card shows the exact command, or
// the patch as a write (one added file), an edit (one updated file: each hunk as old → new) or, for anything
// else (several files, a delete, a move), the whole patch text. Risk reuses the shell and path heuristics in
// ../claude/risk.ts on the same shapes (they know nothing Claude-specific about a command or a path).
import type { ToolDescription } from '../../../core/approvals/approvalBroker';
import { safeText } from '../../../core/redaction/secretScanner';
import { LIMITS, type Risk } from '../../../core/wire/protocol';
import { assessRisk } from '../claude/risk';
import { displayPath, isInside, resolvePath } from '../claude/toolSummary';

/**
 * Tools whose hook calls only read or wait. Codex 0.171.0 sends PreToolUse for Bash, apply_patch, MCP tools
 * (`mcp__<server>__<tool>`) and the sub-agent tools (measured: `spawn_agent`, and `wait_agent` named
 * `multi_agent_v1wait_agent`). Waiting for a sub-agent changes nothing; spawning one still asks (its task is
 * shown), and each of the sub-agent's own commands and patches asks again.
 */
export const CODEX_READ_ONLY_TOOLS: ReadonlySet<string> = new Set(['view_image', 'wait_agent', 'multi_agent_v1wait_agent']);

export interface PatchFile {
  readonly op: 'add' | 'update' | 'delete';
  readonly path: string;
  readonly moveTo?: string;
  /** add: the new content; update: one entry per hunk. */
  readonly content?: string;
  readonly hunks?: Array<{ oldText: string; newText: string }>;
}

/** Parses Codex's patch format into files. Unknown lines are ignored (the card then shows the raw patch). */
export function parsePatch(patch: string): PatchFile[] {
  const files: Array<{ op: PatchFile['op']; path: string; moveTo?: string; lines: string[] }> = [];
  for (const line of patch.split('\n')) {
    const m = /^\*\*\* (Add|Update|Delete) File: (.+)$/.exec(line);
    if (m) {
      files.push({ op: m[1].toLowerCase() as PatchFile['op'], path: m[2].trim(), lines: [] });
      continue;
    }
    const mv = /^\*\*\* Move to: (.+)$/.exec(line);
    if (mv && files.length) files[files.length - 1].moveTo = mv[1].trim();
    else if (line.startsWith('*** ')) continue;
    else if (files.length) files[files.length - 1].lines.push(line);
  }
  return files.map((f) => {
    if (f.op === 'add') return { op: f.op, path: f.path, content: f.lines.map((l) => l.replace(/^\+/, '')).join('\n') };
    if (f.op === 'delete') return { op: f.op, path: f.path };
    const hunks: Array<{ oldText: string; newText: string }> = [];
    let cur: { old: string[]; neu: string[] } | undefined;
    for (const l of f.lines) {
      if (l.startsWith('@@')) {
        cur = { old: [], neu: [] };
        hunks.push({ oldText: '', newText: '' });
        continue;
      }
      if (!cur) {
        cur = { old: [], neu: [] };
        hunks.push({ oldText: '', newText: '' });
      }
      if (l.startsWith('-')) cur.old.push(l.slice(1));
      else if (l.startsWith('+')) cur.neu.push(l.slice(1));
      else {
        cur.old.push(l.replace(/^ /, ''));
        cur.neu.push(l.replace(/^ /, ''));
      }
      hunks[hunks.length - 1] = { oldText: cur.old.join('\n'), newText: cur.neu.join('\n') };
    }
    return { op: f.op, path: f.path, moveTo: f.moveTo, hunks };
  });
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The approval card and risk for one Codex tool call. Never throws. */
export function describeCodexToolCall(tool: string, input: unknown, cwd: string, workspaceRoot: string): ToolDescription {
  const o = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  if (tool === 'Bash') {
    const command = str(o.command);
    return { summary: `Run: ${safeText(command.split('\n')[0], 120)}`, detail: { kind: 'command', command: safeText(command, LIMITS.detail) }, risk: assessRisk('Bash', { command }, workspaceRoot) };
  }
  if (tool === 'apply_patch') {
    const patch = str(o.command);
    const files = parsePatch(patch);
    const risk = patchRisk(files, cwd, workspaceRoot);
    const [f] = files;
    if (files.length === 1 && f.op === 'add') {
      return { summary: `Create ${safeText(displayPath(f.path, cwd), 4096)}`, detail: { kind: 'write', file: safeText(displayPath(f.path, cwd), 4096), content: safeText(f.content ?? '', LIMITS.detail) }, risk: merge(risk, assessRisk('Write', { file_path: resolvePath(f.path, cwd), content: f.content }, workspaceRoot)) };
    }
    if (files.length === 1 && f.op === 'update' && !f.moveTo && f.hunks && f.hunks.length <= 64) {
      const per = Math.max(256, Math.floor(LIMITS.detail / (2 * Math.max(1, f.hunks.length))));
      return {
        summary: `Edit ${safeText(displayPath(f.path, cwd), 4096)}`,
        detail: { kind: 'edit', file: safeText(displayPath(f.path, cwd), 4096), edits: f.hunks.map((h) => ({ oldText: safeText(h.oldText, per), newText: safeText(h.newText, per) })) },
        risk,
      };
    }
    const names = files.map((x) => displayPath(x.path, cwd)).join(', ');
    return { summary: safeText(`Apply a patch to ${files.length} file${files.length === 1 ? '' : 's'}${names ? `: ${names}` : ''}`, LIMITS.summary), detail: { kind: 'other', input: safeText(patch, LIMITS.detail) }, risk };
  }
  // Any other tool (an MCP tool…): its input as text.
  let text = '';
  try {
    text = JSON.stringify(input, null, 2) ?? '';
  } catch {
    text = '(unreadable input)';
  }
  return { summary: safeText(`Use ${tool}`, LIMITS.summary), detail: { kind: 'other', input: safeText(text, LIMITS.detail) }, risk: { level: 'medium', reasons: ['a tool Walkie does not know'] } };
}

function patchRisk(files: PatchFile[], cwd: string, workspaceRoot: string): Risk {
  const reasons: string[] = [];
  let level: Risk['level'] = 'low';
  const raise = (l: Risk['level'], why: string) => {
    if (l === 'high' || (l === 'medium' && level === 'low')) level = l;
    if (!reasons.includes(why)) reasons.push(why);
  };
  if (files.length === 0) raise('medium', 'a patch Walkie could not read');
  for (const f of files) {
    for (const p of [f.path, f.moveTo]) if (p && !isInside(resolvePath(p, cwd), workspaceRoot)) raise('high', 'writes outside the workspace');
    if (f.op === 'delete') raise('medium', 'deletes a file');
    if (f.moveTo) raise('medium', 'moves a file');
  }
  return { level, reasons: reasons.slice(0, 8) };
}

function merge(a: Risk, b: Risk): Risk {
  const rank = { low: 0, medium: 1, high: 2 } as const;
  return { level: rank[a.level] >= rank[b.level] ? a.level : b.level, reasons: [...new Set([...a.reasons, ...b.reasons])].slice(0, 8) };
}
