// What a tool call looks like on the phone: the approval card (describeApproval: the exact command or the
// proposed edit) and the one-line chat summary (summarizeToolUse: "Ran `npm test`", "Edited src/a.ts +3 −1").
// Tool inputs are untrusted (they come from the model via hook stdin or the transcript): every field is
// type-checked here, and every string that leaves passes redactSecrets + a cap (LIMITS in protocol.ts).
// Input shapes follow Claude Code 2.1.330 (docs/claude-code.md): Bash {command, description}, Write
// {file_path, content}, Edit {file_path, old_string, new_string}, MultiEdit {file_path, edits[]},
// NotebookEdit {notebook_path, new_source, cell_id, edit_mode}, WebFetch {url}, Grep/Glob {pattern, path}.
import { LIMITS, type ApprovalDetail } from '../../../core/wire/protocol';
import { redactSecrets, safeText } from '../../../core/redaction/secretScanner';

/** The protocol's limit on edits per card. */
export const MAX_EDITS = 64;

/** Characters shown per old/new text when a card shows `count` edits: together they stay near LIMITS.detail. */
export function editFieldBudget(count: number): number {
  return Math.max(256, Math.floor(LIMITS.detail / (2 * Math.max(1, Math.min(count, MAX_EDITS)))));
}

/** The approval card for one tool call. */
export function describeApproval(tool: string, input: unknown, cwd: string): { summary: string; detail: ApprovalDetail } {
  const o = asRecord(input);
  const summary = summarize(tool, o, cwd, 'request');
  switch (tool) {
    case 'Bash': {
      const description = str(o.description);
      return {
        summary,
        detail: {
          kind: 'command',
          command: safeText(str(o.command), LIMITS.detail),
          ...(description ? { description: safeText(description, LIMITS.summary) } : {}),
        },
      };
    }
    case 'Write':
      return { summary, detail: { kind: 'write', file: fileOf(o.file_path, cwd), content: safeText(str(o.content), LIMITS.detail) } };
    case 'Edit':
    case 'MultiEdit': {
      const edits = editsOf(tool, o);
      const perField = editFieldBudget(edits.length);
      return {
        summary,
        detail: {
          kind: 'edit',
          file: fileOf(o.file_path, cwd),
          edits: edits.slice(0, MAX_EDITS).map((e) => ({ oldText: safeText(e.oldText, perField), newText: safeText(e.newText, perField) })),
        },
      };
    }
    default:
      // NotebookEdit included: the cell's current source is not in the input, so an old → new diff would lie.
      return { summary, detail: { kind: 'other', input: safeText(prettyJson(input), LIMITS.detail) } };
  }
}

/** One line for the chat, in the past tense. Paths are relative to `cwd` when inside it. */
export function summarizeToolUse(tool: string, input: unknown, cwd: string): string {
  return summarize(tool, asRecord(input), cwd, 'chat');
}

/** The same line as a proposal ("Run `npm test`"): for a tool use that was denied and so never happened. */
export function summarizeToolProposal(tool: string, input: unknown, cwd: string): string {
  return summarize(tool, asRecord(input), cwd, 'request');
}

type Mode = 'request' | 'chat';

function summarize(tool: string, o: Record<string, unknown>, cwd: string, mode: Mode): string {
  const v = (request: string, chat: string) => (mode === 'request' ? request : chat);
  let line: string;
  switch (tool) {
    case 'Bash':
      line = `${v('Run', 'Ran')} \`${frag(str(o.command))}\``;
      break;
    case 'Write':
      line = `${v('Write', 'Wrote')} ${fileOf(o.file_path, cwd)} (+${plural(countLines(str(o.content)), 'line')})`;
      break;
    case 'Edit':
    case 'MultiEdit': {
      const edits = editsOf(tool, o);
      let added = 0;
      let removed = 0;
      for (const e of edits) {
        const c = lineChanges(e.oldText, e.newText);
        added += c.added;
        removed += c.removed;
      }
      const many = edits.length > 1 ? ` (${edits.length} edits)` : '';
      line = `${v('Edit', 'Edited')} ${fileOf(o.file_path, cwd)} +${added} −${removed}${many}`;
      break;
    }
    case 'NotebookEdit': {
      const mode = str(o.edit_mode) || 'replace';
      line = `${v('Edit', 'Edited')} ${fileOf(o.notebook_path, cwd)} (${frag(mode)} cell)`;
      break;
    }
    case 'Read':
    case 'NotebookRead':
      line = `${v('Read', 'Read')} ${fileOf(o.file_path ?? o.notebook_path, cwd)}`;
      break;
    case 'LS':
      line = `${v('List', 'Listed')} ${fileOf(o.path, cwd)}`;
      break;
    case 'Grep':
      line = `${v('Search', 'Searched')} for "${frag(str(o.pattern))}"${o.path ? ` in ${fileOf(o.path, cwd)}` : ''}`;
      break;
    case 'Glob':
      line = `${v('Find', 'Found')} files matching "${frag(str(o.pattern))}"${o.path ? ` in ${fileOf(o.path, cwd)}` : ''}`;
      break;
    case 'WebFetch':
      line = `${v('Fetch', 'Fetched')} ${hostOf(str(o.url))}`;
      break;
    case 'WebSearch':
      line = `${v('Search', 'Searched')} the web for "${frag(str(o.query))}"`;
      break;
    case 'TodoWrite':
      line = `${v('Update', 'Updated')} the to-do list`;
      break;
    case 'Task':
    case 'Agent':
      line = `${v('Start', 'Started')} a subagent: ${frag(str(o.description) || str(o.subagent_type) || 'task')}`;
      break;
    case 'BashOutput':
    case 'TaskOutput':
      line = `${v('Check', 'Checked')} a background task's output`;
      break;
    case 'KillShell':
    case 'KillBash':
      line = `${v('Stop', 'Stopped')} a background task`;
      break;
    case 'ExitPlanMode':
      line = `${v('Propose', 'Proposed')} a plan`;
      break;
    default: {
      const mcp = /^mcp__(.+?)__(.+)$/.exec(tool);
      line = mcp ? `${v('Use', 'Used')} ${mcp[2]} (${mcp[1]})` : `${v('Use', 'Used')} ${frag(tool) || 'a tool'}`;
    }
  }
  return safeText(line, LIMITS.summary);
}

// ---- paths (POSIX and Windows-style separators; pure string work, no node:path) ---------------------

/** Resolves `p` against `base` and removes `.`/`..` segments. Backslashes count as separators. */
export function resolvePath(p: string, base: string): string {
  const norm = (s: string) => s.replace(/\\/g, '/');
  const target = norm(p);
  const isAbs = (s: string) => s.startsWith('/') || /^[A-Za-z]:\//.test(s);
  const full = isAbs(target) ? target : `${norm(base)}/${target}`;
  const drive = /^[A-Za-z]:/.exec(full)?.[0] ?? '';
  const parts: string[] = [];
  for (const seg of full.slice(drive.length).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `${drive}/${parts.join('/')}`;
}

/** True when `p` (resolved against `root`) is `root` itself or inside it. */
export function isInside(p: string, root: string): boolean {
  if (!root) return false;
  const r = resolvePath(root, '/');
  const full = resolvePath(p, r);
  return full === r || full.startsWith(r.endsWith('/') ? r : `${r}/`);
}

/** `p` relative to `cwd` when inside it ("src/a.ts", "." for cwd itself), else the resolved absolute path. */
export function displayPath(p: string, cwd: string): string {
  const full = resolvePath(p, cwd || '/');
  if (!cwd || !isInside(full, cwd)) return full;
  const root = resolvePath(cwd, '/');
  return full === root ? '.' : full.slice(root.length + (root.endsWith('/') ? 0 : 1));
}

// ---- helpers ------------------------------------------------------------------------------------------

function fileOf(p: unknown, cwd: string): string {
  const s = str(p);
  return s ? safeText(displayPath(s, cwd), 4096) : '(no path)';
}

interface EditPair {
  oldText: string;
  newText: string;
}

function editsOf(tool: string, o: Record<string, unknown>): EditPair[] {
  if (tool === 'Edit') return [{ oldText: str(o.old_string), newText: str(o.new_string) }];
  if (!Array.isArray(o.edits)) return [];
  return o.edits.map((e) => {
    const r = asRecord(e);
    return { oldText: str(r.old_string), newText: str(r.new_string) };
  });
}

/** Lines added and removed, after dropping the lines both sides share at the start and the end. */
export function lineChanges(oldText: string, newText: string): { added: number; removed: number } {
  // A final newline ends the last line; it does not start another one.
  const lines = (t: string) => (t === '' ? [] : t.replace(/\n$/, '').split('\n'));
  const a = lines(oldText);
  const b = lines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { added: endB - start, removed: endA - start };
}

/** Lines in a file's content; a final newline does not start another line. */
export function countLines(content: string): number {
  if (content === '') return 0;
  const n = content.split('\n').length;
  return content.endsWith('\n') ? n - 1 : n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/?#:]+)/i.exec(url.trim());
  return m ? m[1]!.toLowerCase() : frag(url) || '(no URL)';
}

/** Collapses whitespace so a multi-line command fits one line. */
function oneLine(s: string): string {
  return s.slice(0, LIMITS.summary * 4).replace(/\s+/g, ' ').trim();
}

/**
 * A piece of a summary line: one line, redacted, then clipped with "…" so the line's closing quote or
 * backtick survives. Redaction comes before clipping: a clipped token would no longer match its pattern.
 */
function frag(s: string, max = 200): string {
  const t = redactSecrets(oneLine(s)).text;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function prettyJson(input: unknown): string {
  try {
    return JSON.stringify(input, null, 2) ?? 'null';
  } catch {
    return '(input could not be shown)';
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
