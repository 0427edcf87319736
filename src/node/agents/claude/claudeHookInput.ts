// Claude Code's hook input (the JSON it POSTs to an HTTP hook), parsed with zod into Walkie's HookEvent.
// Fields as measured on 2.1.330 (docs/claude-code.md; recorded inputs in test/fixtures/claude-code).
// Objects are loose (the CLI adds fields from release to release) but every field Walkie acts on is typed;
// a gate event that does not parse is answered with a deny.
import * as z from 'zod';
import type { HookEvent } from '../agentAdapter';
import { issueSummary } from '../../../core/wire/zodIssues';

/** The events whose answer decides whether a tool runs. */
export const GATE_EVENTS = ['PreToolUse', 'PermissionRequest'] as const;

/** Permission modes that skip permission checks. 2.1.330 has only bypassPermissions. */
const BYPASS_MODES = new Set(['bypassPermissions']);

const Common = {
  session_id: z.string().min(1).max(256),
  transcript_path: z.string().max(4096).optional(),
  cwd: z.string().max(4096).optional(),
  permission_mode: z.string().max(64).optional(),
};

const ToolCall = z.looseObject({
  ...Common,
  hook_event_name: z.enum(GATE_EVENTS),
  tool_name: z.string().min(1).max(256),
  // Every tool's input is a JSON object; anything else is not a call Walkie can show, so it is denied.
  tool_input: z.record(z.string(), z.unknown()),
  tool_use_id: z.string().max(256).optional(),
});

const Prompt = z.looseObject({ ...Common, hook_event_name: z.literal('UserPromptSubmit'), prompt: z.string().max(1_000_000) });
const Stop = z.looseObject({ ...Common, hook_event_name: z.literal('Stop') });
const End = z.looseObject({ ...Common, hook_event_name: z.literal('SessionEnd'), reason: z.string().max(256).optional() });
const Other = z.looseObject({ ...Common, hook_event_name: z.string().min(1).max(64) });

const EventName = z.looseObject({ hook_event_name: z.string().max(64) });

/** Parses one hook body. Never throws; never puts the body (it may hold file contents) into a reason. */
export function parseClaudeHookInput(body: unknown): HookEvent {
  const name = EventName.safeParse(body);
  const eventName = name.success ? name.data.hook_event_name : undefined;
  const gate = eventName === undefined || (GATE_EVENTS as readonly string[]).includes(eventName);
  const schema = gate ? ToolCall : eventName === 'UserPromptSubmit' ? Prompt : eventName === 'Stop' ? Stop : eventName === 'SessionEnd' ? End : Other;
  const r = schema.safeParse(body);
  if (!r.success) {
    // Redacted: the failing paths and issue codes only.
    const reason = issueSummary(r.error);
    return { kind: 'invalid', eventName: eventName && /^[A-Za-z]{1,64}$/.test(eventName) ? eventName : undefined, gate, reason };
  }
  const d = r.data as z.infer<typeof Other> & Record<string, unknown>;
  const base = {
    eventName: d.hook_event_name,
    agentSessionId: d.session_id,
    transcriptPath: d.transcript_path,
    cwd: d.cwd,
    // Security: bypass is judged from the mode the CLI reports on EVERY call, however it got into that mode.
    bypass: d.permission_mode !== undefined && BYPASS_MODES.has(d.permission_mode),
  };
  if (gate) {
    const t = r.data as z.infer<typeof ToolCall>;
    return { ...base, kind: 'tool', phase: t.hook_event_name === 'PreToolUse' ? 'before' : 'prompt', tool: t.tool_name, input: t.tool_input, toolUseId: t.tool_use_id };
  }
  if (eventName === 'UserPromptSubmit') {
    const raw = (r.data as z.infer<typeof Prompt>).prompt;
    // A finished background task reaches UserPromptSubmit as `<task-notification>…` (its result and temp
    // paths): the agent's own input, never shown as something typed at the terminal.
    return { ...base, kind: 'prompt', prompt: unwrapPastes(raw), raw, ...(AGENT_INJECTED.test(raw) ? { injected: true } : {}) };
  }
  if (eventName === 'Stop') return { ...base, kind: 'stop' };
  if (eventName === 'SessionEnd') return { ...base, kind: 'end', reason: (r.data as z.infer<typeof End>).reason };
  return { ...base, kind: 'other' };
}

/**
 * 2.1.330 hands a pasted block (a long or multi-line paste) to hooks wrapped as
 * `\n\n<pasted_content id="8c0d">\n…\n</pasted_content id="8c0d">\n`. Returns the text as the user gave it.
 */
/** Prompts Claude Code submits by itself, wrapped in its own tags (measured: task notifications). */
const AGENT_INJECTED = /^\s*<(?:task-notification|system-reminder|local-command-[a-z-]+|command-[a-z-]+)>/;

export function unwrapPastes(prompt: string): string {
  let wrapped = false;
  const out = prompt.replace(/<pasted_content id="([^"<>]{1,64})">\n([\s\S]*?)\n<\/pasted_content id="\1">\n?/g, (_m, _id: string, inner: string) => {
    wrapped = true;
    return inner;
  });
  return wrapped ? out.trim() : out;
}
