// Codex CLI's session log ("rollout": JSON Lines, $CODEX_HOME/sessions/YYYY/MM/DD/rollout-…-<id>.jsonl, the
// `transcript_path` of every hook call) → chat events. Format as measured on 0.171.0 (docs/codex.md,
// "Rollout files"): `{type:"response_item", payload:{…}}` records repeat the model conversation:
//   payload {type:"message", role:"user", content:[{type:"input_text", text}]}      → {kind:"user"}
//   payload {type:"message", role:"assistant", content:[{type:"output_text", text}]} → {kind:"assistant"}
//   payload {type:"function_call", name:"exec_command", arguments:"{\"cmd\":…}"}     → tool Bash running
//   payload {type:"custom_tool_call", name:"apply_patch", input:"*** Begin Patch…"}  → tool apply_patch running
//   payload {type:"function_call_output" | "custom_tool_call_output", call_id, output} → ok / error / denied
//   {type:"event_msg", payload:{type:"turn_aborted"}}                                 → notice "Interrupted"
// Developer messages, injected context (`<environment_context>`…), world_state, turn_context, event_msg
// duplicates and token records are ignored.
//
// Security: tool outputs hold command output and file contents. They are never copied into an event: an
// output becomes only a status next to the summary of its call. Every line is untrusted; feed() never throws.
import type { ChatReader } from '../agentAdapter';
import { safeText } from '../../../core/redaction/secretScanner';
import { LIMITS, type ChatEvent } from '../../../core/wire/protocol';
import { displayPath } from '../claude/toolSummary';
import { parsePatch } from './codexTools';

/** Lines longer than this are dropped unread. */
export const MAX_ROLLOUT_LINE = 16 * 1024 * 1024;
const MEMORY = 20_000;
/** Context Codex injects as user messages (not typed by anyone). */
const INJECTED = /^\s*<(?:environment_context|user_instructions|user_shell_command|turn_aborted|subagent_notification|[a-z_]+_instructions|multi_agent_[a-z_]+)>/;
/** What a denied tool's output starts with (measured: a PreToolUse hook's block). */
const BLOCKED = /^Command blocked by PreToolUse hook/;

type Rec = Record<string, unknown>;

export class RolloutReader implements ChatReader {
  /** Per call: its summary once it ran ("Ran `x`"), and as a proposal for when it was denied ("Run `x`"). */
  private readonly calls = new Map<string, { tool: string; summary: string; proposal: string }>();

  constructor(private readonly cwd: string) {}

  feed(line: string): ChatEvent[] {
    if (line.length > MAX_ROLLOUT_LINE || !line.trim()) return [];
    let rec: Rec;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== 'object' || v === null) return [];
      rec = v as Rec;
    } catch {
      return [];
    }
    const p = (typeof rec.payload === 'object' && rec.payload !== null ? rec.payload : {}) as Rec;
    if (rec.type === 'event_msg') return p.type === 'turn_aborted' ? [{ kind: 'notice', text: 'Interrupted' }] : [];
    if (rec.type !== 'response_item') return [];
    switch (p.type) {
      case 'message':
        return this.message(p);
      case 'function_call':
      case 'custom_tool_call':
        return this.call(p);
      case 'function_call_output':
      case 'custom_tool_call_output':
        return this.output(p);
      default:
        return [];
    }
  }

  private message(p: Rec): ChatEvent[] {
    const parts = Array.isArray(p.content) ? (p.content as Rec[]) : [];
    const text = parts.map((c) => (typeof c?.text === 'string' && (c.type === 'input_text' || c.type === 'output_text') ? c.text : '')).join('\n');
    if (!text.trim()) return [];
    if (p.role === 'assistant') return [{ kind: 'assistant', text: safeText(text, LIMITS.text) }];
    if (p.role === 'user' && !INJECTED.test(text)) return [{ kind: 'user', text: safeText(text, LIMITS.text) }];
    return [];
  }

  private call(p: Rec): ChatEvent[] {
    const id = typeof p.call_id === 'string' ? p.call_id.slice(0, LIMITS.id) : undefined;
    const name = typeof p.name === 'string' ? p.name : 'tool';
    let tool = name;
    let summary: string;
    let proposal: string;
    if (name === 'exec_command' || name === 'shell') {
      tool = 'Bash';
      let cmd = '';
      try {
        const a = JSON.parse(typeof p.arguments === 'string' ? p.arguments : '{}') as Rec;
        cmd = typeof a.cmd === 'string' ? a.cmd : Array.isArray(a.command) ? a.command.join(' ') : '';
      } catch {
        cmd = '';
      }
      summary = `Ran \`${cmd.split('\n')[0]}\``;
      proposal = `Run \`${cmd.split('\n')[0]}\``;
    } else if (name === 'apply_patch') {
      const files = parsePatch(typeof p.input === 'string' ? p.input : '');
      const one = files.length === 1 ? files[0] : undefined;
      const [did, would] = one?.op === 'add' ? ['Created', 'Create'] : one?.op === 'delete' ? ['Deleted', 'Delete'] : ['Edited', 'Edit'];
      summary = one ? `${did} ${displayPath(one.path, this.cwd)}` : `Patched ${files.length} files`;
      proposal = one ? `${would} ${displayPath(one.path, this.cwd)}` : `Patch ${files.length} files`;
    } else {
      summary = `Used ${name}`;
      proposal = `Use ${name}`;
    }
    summary = safeText(summary, LIMITS.summary);
    proposal = safeText(proposal, LIMITS.summary);
    if (id) {
      if (this.calls.size >= MEMORY) this.calls.clear();
      this.calls.set(id, { tool, summary, proposal });
    }
    return [{ kind: 'tool', ...(id ? { toolUseId: id } : {}), tool: safeText(tool, LIMITS.name * 2), summary, status: 'running' }];
  }

  private output(p: Rec): ChatEvent[] {
    const id = typeof p.call_id === 'string' ? p.call_id.slice(0, LIMITS.id) : '';
    const call = this.calls.get(id);
    if (!call) return [];
    this.calls.delete(id);
    const out = typeof p.output === 'string' ? p.output : '';
    // Only a status is derived from the output; its text never leaves this function.
    const code = /^Process exited with code (-?\d+)$/m.exec(out.slice(0, 4096))?.[1];
    const status = BLOCKED.test(out) ? 'denied' : code !== undefined && code !== '0' ? 'error' : 'ok';
    // A denied call never ran: its chip says what it would have done, not that it did it.
    return [{ kind: 'tool', toolUseId: id, tool: call.tool, summary: status === 'denied' ? call.proposal : call.summary, status }];
  }
}
