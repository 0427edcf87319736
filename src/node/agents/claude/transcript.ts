// Claude Code transcript (JSON Lines, ~/.claude/projects/<cwd>/<session>.jsonl) → chat events.
// Format as measured on Claude Code 2.1.330 (docs/claude-code.md, "Transcript"):
//   {type:"user", message:{content:"typed prompt"}}                        → {kind:"user"}
//   {type:"assistant", message:{content:[{type:"text"}|{type:"tool_use"}]}} → {kind:"assistant"} / tool running
//   {type:"user", message:{content:[{type:"tool_result", tool_use_id, is_error}]}, toolUseResult:{…}}
//                                                                           → tool ok / error / denied
//   user text "[Request interrupted by user for tool use]" after an error result → that tool was denied
//   user text "[Request interrupted by user]"                               → notice "Interrupted"
// Everything else (attachment, system, api-request* with the system prompt, permission-mode, summaries,
// meta and sidechain records, slash-command wrappers) is ignored.
//
// Security: the transcript holds file contents in tool results (`content`, `toolUseResult`). Those fields are
// never copied into an event: a result becomes only a status next to the summary of its tool_use. Every line
// is untrusted; feed() never throws.
import { LIMITS, type ChatEvent } from '../../../core/wire/protocol';
import { safeText } from '../../../core/redaction/secretScanner';
import { summarizeToolProposal, summarizeToolUse } from './toolSummary';

/** Lines longer than this are dropped unread (a Write of a huge file can make one). */
export const MAX_TRANSCRIPT_LINE = 16 * 1024 * 1024;
/** How many uuids / tool uses are remembered for de-duplication. */
const MEMORY = 20_000;

const INTERRUPTED = '[Request interrupted by user]';
const INTERRUPTED_FOR_TOOL = '[Request interrupted by user for tool use]';
/** Wrappers Claude Code puts around slash commands, `!` shell input and injected context. */
const WRAPPER = /^\s*<(?:command-[a-z-]+|local-command-[a-z-]+|bash-[a-z-]+|user-memory-input|system-reminder|task-notification)>/;

interface ToolUse {
  tool: string;
  summary: string;
  /** What it would have done ("Run `x`"): the chip's words once it is denied (it never ran). */
  proposal: string;
  /** The last status emitted for it. */
  status: 'running' | 'ok' | 'error' | 'denied';
}

type Rec = Record<string, unknown>;

export class TranscriptReader {
  private readonly cwd: string;
  private readonly seenUuids = new Set<string>();
  private readonly tools = new Map<string, ToolUse>();
  /** Tool uses whose error result was the last thing seen: a rejection marker turns them into "denied". */
  private lastErrors: string[] = [];

  constructor(o: { cwd: string }) {
    this.cwd = o.cwd;
  }

  /** One JSONL line (untrusted: parse defensively, never throw). Returns the chat events it yields, in order. */
  feed(line: string): ChatEvent[] {
    try {
      if (typeof line !== 'string' || line.length > MAX_TRANSCRIPT_LINE) return [];
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) return [];
      const rec: unknown = JSON.parse(trimmed);
      return isRecord(rec) ? this.record(rec) : [];
    } catch {
      return [];
    }
  }

  private record(rec: Rec): ChatEvent[] {
    if (rec.type !== 'user' && rec.type !== 'assistant') return [];
    if (rec.isSidechain === true || rec.isMeta === true || rec.isCompactSummary === true || rec.isVisibleInTranscriptOnly === true) return [];
    // The CLI may write a record again (same uuid): only the first copy counts.
    if (typeof rec.uuid === 'string') {
      if (this.seenUuids.has(rec.uuid)) return [];
      remember(this.seenUuids, rec.uuid);
    }
    const message = isRecord(rec.message) ? rec.message : undefined;
    if (!message) return [];
    return rec.type === 'assistant' ? this.assistant(message.content) : this.user(rec, message.content);
  }

  private assistant(content: unknown): ChatEvent[] {
    this.lastErrors = [];
    if (typeof content === 'string') return textEvent('assistant', content);
    if (!Array.isArray(content)) return [];
    const out: ChatEvent[] = [];
    for (const block of content) {
      if (!isRecord(block)) continue;
      if (block.type === 'text' && typeof block.text === 'string') out.push(...textEvent('assistant', block.text));
      else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
        if (this.tools.has(block.id)) continue;
        const tool = block.name.slice(0, LIMITS.name * 2);
        const summary = summarizeToolUse(tool, block.input, this.cwd);
        remember(this.tools, block.id, { tool, summary, proposal: summarizeToolProposal(tool, block.input, this.cwd), status: 'running' });
        out.push(toolEvent(block.id, tool, summary, 'running'));
      }
    }
    return out;
  }

  private user(rec: Rec, content: unknown): ChatEvent[] {
    if (typeof content === 'string') {
      this.lastErrors = [];
      return this.userText(content);
    }
    if (!Array.isArray(content)) return [];
    const blocks = content.filter(isRecord);
    if (blocks.some((b) => b.type === 'tool_result')) return this.results(rec, blocks);
    const texts = blocks.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);
    const marker = texts.length === 1 ? texts[0]!.trim() : '';
    if (marker === INTERRUPTED_FOR_TOOL) {
      // A rejection: the error result just before it was the user saying no.
      const out: ChatEvent[] = [];
      for (const id of this.lastErrors) {
        const t = this.tools.get(id);
        if (t && t.status !== 'denied') out.push(this.setStatus(id, t, 'denied'));
      }
      this.lastErrors = [];
      return out;
    }
    this.lastErrors = [];
    if (marker === INTERRUPTED) return [{ kind: 'notice', text: 'Interrupted' }];
    const images = blocks.filter((b) => b.type === 'image').length;
    const text = texts.join('\n') + (images ? `${texts.length ? '\n' : ''}[${images} image${images === 1 ? '' : 's'}]` : '');
    return this.userText(text);
  }

  private userText(text: string): ChatEvent[] {
    if (WRAPPER.test(text) || text.trim() === INTERRUPTED || text.trim() === INTERRUPTED_FOR_TOOL) {
      return text.trim() === INTERRUPTED ? [{ kind: 'notice', text: 'Interrupted' }] : [];
    }
    return textEvent('user', text);
  }

  private results(rec: Rec, blocks: Rec[]): ChatEvent[] {
    // Claude Code marks a denied tool on the result record itself. Measured on 2.1.330: rejected at the prompt →
    // toolDenialKind "user-rejected", toolDenialBeforeRun; denied by a PreToolUse hook → toolDenialKind
    // "permission-rule", permissionDecision {decision:"reject", source:"hook"}; allowed → decision "accept".
    // Only these flags are read; `content` and `toolUseResult` are never looked at.
    const decision = isRecord(rec.permissionDecision) ? rec.permissionDecision.decision : undefined;
    const deniedHere = typeof rec.toolDenialKind === 'string' || rec.toolDenialBeforeRun === true ||
      (typeof decision === 'string' && decision !== 'accept' && decision !== 'allow');
    const out: ChatEvent[] = [];
    const errors: string[] = [];
    for (const b of blocks) {
      if (b.type !== 'tool_result' || typeof b.tool_use_id !== 'string') continue;
      const t = this.tools.get(b.tool_use_id);
      // A result for a tool_use this reader never saw (it started mid-file) has no summary to show: skip it.
      if (!t || t.status !== 'running') continue;
      const isError = b.is_error === true;
      if (isError) errors.push(b.tool_use_id);
      out.push(this.setStatus(b.tool_use_id, t, isError ? (deniedHere ? 'denied' : 'error') : 'ok'));
    }
    this.lastErrors = errors;
    return out;
  }

  private setStatus(id: string, t: ToolUse, status: ToolUse['status']): ChatEvent {
    t.status = status;
    return toolEvent(id, t.tool, status === 'denied' ? t.proposal : t.summary, status);
  }
}

function textEvent(kind: 'user' | 'assistant', text: string): ChatEvent[] {
  if (!text.trim()) return [];
  return [{ kind, text: safeText(text, LIMITS.text) }];
}

function toolEvent(id: string, tool: string, summary: string, status: ToolUse['status']): ChatEvent {
  return { kind: 'tool', toolUseId: id.slice(0, LIMITS.id), tool, summary, status };
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Adds to a Set or Map, forgetting the oldest entry beyond MEMORY. */
function remember<K, V>(store: Set<K> | Map<K, V>, key: K, value?: V): void {
  if (store instanceof Map) store.set(key, value as V);
  else store.add(key);
  if (store.size > MEMORY) store.delete(store.keys().next().value as K);
}
