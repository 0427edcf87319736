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
// Kept tiny and fast (node:* only, no zod): it starts once per hook call.
import crypto from 'node:crypto';
import { isRouted } from '../../core/approvals/toolPolicy';
import { CLAUDE_READ_ONLY_TOOLS } from '../agents/claude/claudeTools';
import { defaultAttachDir, findAttachEntry, type AttachEntry } from './attachRegistry';

const GATE_EVENTS = new Set(['PreToolUse', 'PermissionRequest']);
/** Larger hook inputs (a Write of a huge file) are not sent: the local prompt decides. The host takes 8 MiB. */
const MAX_INPUT_BYTES = 8 * 1024 * 1024;
/** A status event must not stall the agent when the host is slow. */
const INFO_TIMEOUT_MS = 5000;
const ASK = JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: 'Walkie is not running, so this is asked here.' } });

/** What to print (nothing for most events). */
async function main(): Promise<string> {
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
  // Fail open to the local prompt, never to allow.
  const fallback = (): string => (event === 'PreToolUse' && tool !== undefined && isRouted(tool, undefined, (t) => CLAUDE_READ_ONLY_TOOLS.has(t)) ? ASK : '');
  if (!input || !event) return fallback();
  const dir = defaultAttachDir();
  const start = process.env.CLAUDE_PROJECT_DIR || (typeof input.cwd === 'string' ? input.cwd : process.cwd());
  const entry = findAttachEntry(dir, start);
  if (!entry) return fallback();
  const claudePid = Number(process.env.CLAUDE_PID);
  const nonce = crypto.randomBytes(16).toString('hex');
  const body = JSON.stringify({ v: 1, nonce, input, ...(Number.isInteger(claudePid) && claudePid > 0 ? { claudePid } : {}), ppid: process.ppid });
  const answer = await post(entry, body, nonce, gate ? 0 : INFO_TIMEOUT_MS);
  if (answer === undefined) return fallback();
  // Status events: the answer is not printed (UserPromptSubmit would add stdout to the model's context).
  return gate ? answer : '';
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

// Always exit 0: a hook that fails leaves the CLI's normal flow, which in some modes runs the tool unasked.
main().then(
  (out) => (out ? process.stdout.write(out, () => process.exit(0)) : process.exit(0)),
  () => process.exit(0),
);
