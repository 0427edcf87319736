// How Walkie puts its hooks into a Codex CLI session (measured on 0.171.0: docs/codex.md, "Hooks").
//
// Codex has command hooks only. Walkie passes them as `-c hooks.<Event>=[…]` session flags, each a small
// Node script (written into the session's private folder) that POSTs the hook input to Walkie's per-session
// hook endpoint and prints the answer. Codex runs a hook only once its definition is trusted; hooks from
// session flags are keyed `/<session-flags>/config.toml:<event>:0:0` and trusted by a
// `hooks.state.<key>.trusted_hash` equal to Codex's own hash of the definition (sha256 of the canonical JSON
// `{event_name, hooks:[{async, command, timeout, type}]}`, measured). Walkie trusts exactly its own hooks
// that way. It never uses `--dangerously-bypass-hook-trust`, which would also run every untrusted hook of
// the project (a cloned repository's `.codex/config.toml`) outside the sandbox.
//
// Security (fail closed): Codex lets the tool run when a PreToolUse hook exits with any code but 2, times
// out, cannot be started or prints something it cannot read (all measured). So the script turns EVERY
// failure on a gate event into exit 2 (blocked, stderr shown to the model): host gone, connection reset
// mid-approval, an HTTP error, a bad answer, its own deadline (which ends before Codex's hook timeout).
import crypto from 'node:crypto';

export const CODEX_GATE_EVENTS = ['PreToolUse', 'PermissionRequest'] as const;
export const CODEX_INFO_EVENTS = ['UserPromptSubmit', 'Stop'] as const;

/** Codex's names for events in trust keys and hashes (snake case). */
const EVENT_KEY: Record<string, string> = {
  PreToolUse: 'pre_tool_use',
  PermissionRequest: 'permission_request',
  UserPromptSubmit: 'user_prompt_submit',
  Stop: 'stop',
  SessionStart: 'session_start',
  SessionEnd: 'session_end',
};

/** Codex's snake-case name of a hook event, as used in trust keys (`pre_tool_use`). */
export function codexEventKey(event: string): string {
  return EVENT_KEY[event] ?? event.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Seconds a status hook may take; Walkie answers those at once. */
const INFO_HOOK_TIMEOUT_SEC = 10;
/** Codex's hook timeout is this much longer than the script's own deadline, so the script always answers. */
const CODEX_TIMEOUT_MARGIN_SEC = 15;

export interface CodexHookFiles {
  /** Absolute path of the runtime that runs the script (node, or VS Code's binary as Node). */
  readonly runtime: string;
  /** The script (CODEX_HOOK_SCRIPT) in the session's private folder. */
  readonly script: string;
  /** A 0600 file holding the hook URL (it carries the session secret: never on a command line). */
  readonly urlFile: string;
}

/** Quotes one word for the POSIX shell Codex runs a hook command in. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command line of one hook. `deadlineSec` is when the script gives up and blocks. */
export function codexHookCommand(files: CodexHookFiles, deadlineSec: number): string {
  // ELECTRON_RUN_AS_NODE lets VS Code's own binary run the script; plain Node ignores it.
  return `ELECTRON_RUN_AS_NODE=1 ${shellQuote(files.runtime)} ${shellQuote(files.script)} ${shellQuote(files.urlFile)} ${deadlineSec}`;
}

/** Codex's trust hash of a single-handler hook group without a matcher (measured on 0.171.0). */
export function codexHookTrustHash(event: string, command: string, timeoutSec: number): string {
  const key = codexEventKey(event);
  // Keys in sorted order, as serde_json writes Codex's canonical form.
  const identity = { event_name: key, hooks: [{ async: false, command, timeout: timeoutSec, type: 'command' }] };
  return `sha256:${crypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex')}`;
}

/** A TOML basic string (JSON string escapes are valid TOML). */
function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** The `-c` values (without the `-c`) that install and trust Walkie's hooks for one session. */
export function codexHookOverrides(files: CodexHookFiles, gateTimeoutSec: number): string[] {
  const out: string[] = [];
  const states: string[] = [];
  const add = (event: string, deadlineSec: number) => {
    const command = codexHookCommand(files, deadlineSec);
    const timeout = deadlineSec + CODEX_TIMEOUT_MARGIN_SEC;
    out.push(`hooks.${event}=[{hooks=[{type="command",command=${tomlString(command)},timeout=${timeout}}]}]`);
    states.push(`${tomlString(`/<session-flags>/config.toml:${codexEventKey(event)}:0:0`)}={trusted_hash=${tomlString(codexHookTrustHash(event, command, timeout))}}`);
  };
  for (const e of CODEX_GATE_EVENTS) add(e, gateTimeoutSec);
  for (const e of CODEX_INFO_EVENTS) add(e, INFO_HOOK_TIMEOUT_SEC);
  out.push(`hooks.state={${states.join(',')}}`);
  return out;
}

/**
 * The hook script (CommonJS, node:* only; it starts once per hook call). argv: URL file, deadline seconds.
 * Gate events: prints the host's answer, or exits 2 with a reason on ANY failure. Status events: prints
 * nothing (UserPromptSubmit output would reach the model) and exits 0 whatever happens.
 */
export const CODEX_HOOK_SCRIPT = String.raw`'use strict';
const fs = require('fs');
const http = require('http');
const GATES = new Set(['PreToolUse', 'PermissionRequest']);
const MAX = 8 * 1024 * 1024;
const chunks = [];
let size = 0;
let gate = true;
let finished = false;
function block(why) {
  if (finished) return;
  finished = true;
  if (!gate) process.exit(0);
  process.stderr.write('Walkie blocked this tool call: ' + why, () => process.exit(2));
}
function done(out) {
  if (finished) return;
  finished = true;
  if (!gate || !out) return process.exit(0);
  process.stdout.write(out, () => process.exit(0));
}
const deadline = Math.max(1, Number(process.argv[3]) || 10);
setTimeout(() => block('no decision arrived in time.'), deadline * 1000).unref();
process.on('uncaughtException', () => block('the Walkie hook failed.'));
process.stdin.on('data', (c) => { size += c.length; if (size <= MAX) chunks.push(c); });
process.stdin.on('error', () => block('could not read the tool call.'));
process.stdin.on('end', () => {
  const text = Buffer.concat(chunks).toString('utf8');
  const name = /"hook_event_name"\s*:\s*"(\w{1,64})"/.exec(text.slice(0, 65536));
  gate = !name || GATES.has(name[1]);
  if (size > MAX) return block('the tool call is too large to show.');
  let url;
  try { url = fs.readFileSync(process.argv[2], 'utf8').trim(); } catch { return block('Walkie is not running.'); }
  const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
    const out = [];
    res.on('data', (c) => out.push(c));
    res.on('error', () => block('the connection to Walkie broke.'));
    res.on('end', () => {
      if (res.statusCode !== 200) return block('Walkie could not read this tool call.');
      const body = Buffer.concat(out).toString('utf8');
      let v;
      try { v = JSON.parse(body); } catch { return block('Walkie sent an answer that is not JSON.'); }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return block('Walkie sent an answer that is not an object.');
      done(Object.keys(v).length ? body : '');
    });
  });
  req.on('error', () => block('Walkie is not running or stopped answering.'));
  req.end(text);
});
`;
