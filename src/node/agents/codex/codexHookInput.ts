// Codex CLI's hook input (the JSON its command hooks get on stdin, POSTed on by Walkie's hook script),
// parsed with zod into Walkie's HookEvent. Fields as measured on 0.171.0 (docs/codex.md, "What its hooks
// send"): session_id, turn_id, transcript_path (the rollout file), cwd, hook_event_name, model,
// permission_mode ("default"; "bypassPermissions" under `-a never`), and per event tool_name / tool_input /
// tool_use_id, prompt, last_assistant_message. Objects are loose; a gate event that does not parse is denied.
import * as z from 'zod';
import type { HookEvent } from '../agentAdapter';
import { CODEX_GATE_EVENTS } from './codexHooks';

/** Permission modes in which Codex runs tools without asking: measured "bypassPermissions" (`-a never`). */
const BYPASS_MODES = new Set(['bypassPermissions']);

const Common = {
  session_id: z.string().min(1).max(256),
  transcript_path: z.string().max(4096).nullish(),
  cwd: z.string().max(4096).optional(),
  permission_mode: z.string().max(64).optional(),
};

const ToolCall = z.looseObject({
  ...Common,
  hook_event_name: z.enum(CODEX_GATE_EVENTS),
  tool_name: z.string().min(1).max(256),
  tool_input: z.record(z.string(), z.unknown()),
  tool_use_id: z.string().max(256).optional(),
});
const Prompt = z.looseObject({ ...Common, hook_event_name: z.literal('UserPromptSubmit'), prompt: z.string().max(1_000_000) });
const Other = z.looseObject({ ...Common, hook_event_name: z.string().min(1).max(64) });
const EventName = z.looseObject({ hook_event_name: z.string().max(64) });

/** Parses one hook body. Never throws; never puts the body (it may hold file contents) into a reason. */
export function parseCodexHookInput(body: unknown): HookEvent {
  const name = EventName.safeParse(body);
  const eventName = name.success ? name.data.hook_event_name : undefined;
  const gate = eventName === undefined || (CODEX_GATE_EVENTS as readonly string[]).includes(eventName);
  const schema = gate ? ToolCall : eventName === 'UserPromptSubmit' ? Prompt : Other;
  const r = schema.safeParse(body);
  if (!r.success) {
    const reason = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ');
    return { kind: 'invalid', eventName: eventName && /^[A-Za-z]{1,64}$/.test(eventName) ? eventName : undefined, gate, reason };
  }
  const d = r.data as z.infer<typeof Other>;
  // Measured: a sub-agent's hook calls carry the parent's session_id plus its own `agent_id` (and its own
  // rollout as transcript_path). Its tool calls are gated like any other; its transcript is not the
  // session's chat, and its task (UserPromptSubmit) is no prompt a person typed: the parent's spawn_agent
  // call already shows it.
  const subAgent = typeof (body as { agent_id?: unknown }).agent_id === 'string';
  const base = {
    eventName: d.hook_event_name,
    agentSessionId: d.session_id,
    transcriptPath: subAgent ? undefined : (d.transcript_path ?? undefined),
    cwd: d.cwd,
    // Security: judged from the mode Codex reports on every call, however it got into it.
    bypass: d.permission_mode !== undefined && BYPASS_MODES.has(d.permission_mode),
  };
  if (gate) {
    const t = r.data as z.infer<typeof ToolCall>;
    return { ...base, kind: 'tool', phase: t.hook_event_name === 'PreToolUse' ? 'before' : 'prompt', tool: t.tool_name, input: gateInput(t.hook_event_name, t.tool_name, t.tool_input), toolUseId: t.tool_use_id };
  }
  if (eventName === 'UserPromptSubmit' && !subAgent) return { ...base, kind: 'prompt', prompt: (r.data as z.infer<typeof Prompt>).prompt };
  if (subAgent) return { ...base, kind: 'other' };
  if (eventName === 'Stop') return { ...base, kind: 'stop' };
  // (Attached sessions: the hand-started CLI is quitting.)
  if (eventName === 'SessionEnd') return { ...base, kind: 'end' };
  return { ...base, kind: 'other' };
}

/**
 * Measured: for a command that asks to leave the sandbox, PreToolUse sends `{command}` and the following
 * PermissionRequest `{command, description}` (the model's justification). The description changes nothing
 * that runs, so it is dropped there: the local prompt then matches the decision just made for the same
 * command instead of asking the phone twice. Any other extra field keeps the input as sent (a new approval).
 */
function gateInput(event: string, tool: string, input: Record<string, unknown>): Record<string, unknown> {
  if (event !== 'PermissionRequest' || tool !== 'Bash') return input;
  const keys = Object.keys(input);
  if (typeof input.command === 'string' && keys.every((k) => k === 'command' || k === 'description')) return { command: input.command };
  return input;
}
