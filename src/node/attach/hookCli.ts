// The attach hook (bundled to dist/hook.js): Claude Code runs it as a COMMAND hook for every event in
// ATTACH_GATE_EVENTS / ATTACH_INFO_EVENTS when the user opted in (src/node/agents/claude/claudeAttachInstaller.ts). It reads the
// hook input on stdin, finds the running Walkie host of this workspace in the attach registry
// (src/node/attach/attachRegistry.ts), POSTs { v, nonce, input, claudePid, ppid } to it and prints the host's answer.
// For a gate event the host may hold the request until the approval resolves.
//
// Security: when no host runs (no registry file, a dead pid, connection refused, a bad or unsigned answer)
// the hook fails OPEN TO THE LOCAL PROMPT, never to "allow": for a tool Walkie would route it answers
// PreToolUse with "ask", so the CLI's own permission prompt appears in the terminal whatever the permission
// mode; for PermissionRequest it prints nothing, so that prompt shows. Read-only tools and status events get
// no answer at all (the CLI's normal rules apply). The host's answer counts only if it carries an HMAC, under
// the registry's secret, of the nonce sent with this request: a process that took over the port after the
// host died cannot answer "allow".
//
// A hand-started Codex CLI runs it as `hook.js codex <deadline seconds>` (src/node/agents/codex/codexAttachInstaller.ts):
// Codex has no "ask" and runs the tool whenever a hook fails, so with no host the hook prints nothing (Codex's
// own policy decides) and once a host was found every failure on a gate event blocks (exit 2), the deadline
// included (src/node/agents/codex/codexAttachHook.ts).
//
// Kept tiny and fast (node:* only, no zod): it starts once per hook call.
import crypto from 'node:crypto';
import { isRouted } from '../../core/approvals/toolPolicy';
import { CLAUDE_READ_ONLY_TOOLS } from '../agents/claude/claudeTools';
import fs from 'node:fs';
import { CODEX_AGENT_PID_ENV, CODEX_ATTACH_ARG, CODEX_ATTACH_GATE_EVENTS, CODEX_BLOCK_EXIT, codexUiPid } from '../agents/codex/codexAttachHook';
import { parentPid } from '../terminal/processTree';
import { defaultAttachDir, findAttachEntry, type AttachEntry } from './attachRegistry';

const GATE_EVENTS = new Set(['PreToolUse', 'PermissionRequest']);
/** Larger hook inputs (a Write of a huge file) are not sent: the local prompt decides. The host takes 8 MiB. */
const MAX_INPUT_BYTES = 8 * 1024 * 1024;
/** A status event must not stall the agent when the host is slow. */
const INFO_TIMEOUT_MS = 5000;
const ASK = JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: 'Walkie is not running, so this is asked here.' } });

const codex = process.argv[2] === CODEX_ATTACH_ARG;

/** What to print (nothing for most events), or why to block (Codex only). */
interface Result {
  readonly out: string;
  readonly block?: string;
}

/** Codex: until the event is known to be a status event, a failure blocks. */
let codexGate = codex;

async function main(): Promise<Result> {
  const { text, head } = await readStdin();
  let input: Record<string, unknown> | undefined;
  try {
    const v: unknown = text === undefined ? undefined : JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) input = v as Record<string, unknown>;
  } catch {
    input = undefined;
  }
  // An input too large to send is still answered: its event and tool name come first in the JSON.
  const event = typeof input?.hook_event_name === 'string' ? input.hook_event_name : /"hook_event_name"\s*:\s*"(\w{1,64})"/.exec(head)?.[1];
  const tool = typeof input?.tool_name === 'string' ? input.tool_name : /"tool_name"\s*:\s*"([^"\\]{1,256})"/.exec(head)?.[1];
  const gate = event !== undefined && GATE_EVENTS.has(event);
  if (codex) codexGate = event === undefined || (CODEX_ATTACH_GATE_EVENTS as readonly string[]).includes(event);
  // Fail open to the local prompt, never to allow. (Codex: its own policy; it has no local "ask".)
  const fallback = (): Result => ({ out: !codex && event === 'PreToolUse' && tool !== undefined && isRouted(tool, undefined, (t) => CLAUDE_READ_ONLY_TOOLS.has(t)) ? ASK : '' });
  const start = process.env.CLAUDE_PROJECT_DIR || (typeof input?.cwd === 'string' ? input.cwd : process.cwd());
  const entry = findAttachEntry(defaultAttachDir(), start);
  if (!entry) return fallback();
  // Security (Codex): a host runs for this folder, so a gate call it cannot see is blocked, not run.
  if (!input || !event) return codex ? { out: '', block: 'Walkie could not read this tool call.' } : fallback();
  const agentPid = codex ? codexUiPid(Number(process.env[CODEX_AGENT_PID_ENV]), parentPid, exeOf) : Number(process.env.CLAUDE_PID);
  const nonce = crypto.randomBytes(16).toString('hex');
  // `claudePid` carries the CLI's pid for either agent (the name predates Codex).
  const body = JSON.stringify({ v: 1, nonce, input, ...(codex ? { agent: CODEX_ATTACH_ARG } : {}), ...(Number.isInteger(agentPid) && agentPid > 0 ? { claudePid: agentPid } : {}), ppid: process.ppid });
  const answer = await post(entry, body, nonce, gate ? 0 : INFO_TIMEOUT_MS);
  if (answer === undefined) return codex ? { out: '', block: 'Walkie is not running or stopped answering.' } : fallback();
  // Status events: the answer is not printed (UserPromptSubmit would add stdout to the model's context).
  return { out: gate ? answer : '' };
}

/** The executable of `pid` (Linux), or undefined. */
function exeOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** The whole input (undefined if over the cap) and its first 64 KiB. */
function readStdin(): Promise<{ text: string | undefined; head: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      const all = Buffer.concat(chunks);
      resolve({ text: size <= MAX_INPUT_BYTES ? all.toString('utf8') : undefined, head: all.subarray(0, 64 * 1024).toString('utf8') });
    };
    process.stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_INPUT_BYTES) chunks.push(c);
    });
    process.stdin.on('end', done);
    process.stdin.on('error', done);
  });
}

/** The host's verified answer (JSON text), or undefined on any failure. */
async function post(entry: AttachEntry, body: string, nonce: string, timeoutMs: number): Promise<string | undefined> {
  // Loaded only when a host is registered: the no-host path stays as short as it can.
  const http = await import('node:http');
  return new Promise((resolve) => {
    const req = http.request(entry.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? verify(Buffer.concat(chunks).toString('utf8'), entry.secret, nonce) : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy());
    req.end(body);
  });
}

/** `{ answer, mac }` from the host: the answer text if its MAC is right and it is a JSON object. */
function verify(text: string, secret: string, nonce: string): string | undefined {
  try {
    const v = JSON.parse(text) as { answer?: unknown; mac?: unknown };
    if (typeof v.answer !== 'string' || typeof v.mac !== 'string') return undefined;
    const want = crypto.createHmac('sha256', Buffer.from(secret, 'base64url')).update(`${nonce}\n${v.answer}`).digest();
    const got = Buffer.from(v.mac, 'hex');
    if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return undefined;
    const answer: unknown = JSON.parse(v.answer);
    return typeof answer === 'object' && answer !== null && !Array.isArray(answer) ? v.answer : undefined;
  } catch {
    return undefined;
  }
}

let finished = false;
function finish(r: Result): void {
  if (finished) return;
  finished = true;
  // Codex: a blocked gate call exits 2 with the reason for the model; a status event never blocks.
  if (r.block !== undefined && codexGate) return void process.stderr.write(`Walkie blocked this tool call: ${r.block}`, () => process.exit(CODEX_BLOCK_EXIT));
  if (r.out) return void process.stdout.write(r.out, () => process.exit(0));
  process.exit(0);
}

// Codex: the deadline (argv[3]) ends before Codex's own hook timeout, which would run the tool.
const deadlineSec = Number(process.argv[3]);
if (codex && deadlineSec > 0) setTimeout(() => finish({ out: '', block: 'no decision arrived in time.' }), deadlineSec * 1000).unref();

// Claude Code: always exit 0 — a hook that fails leaves the CLI's normal flow, which in some modes runs the
// tool unasked. Codex: a crash once a host may be involved blocks.
main().then(finish, () => finish(codex ? { out: '', block: 'the Walkie hook failed.' } : { out: '' }));
