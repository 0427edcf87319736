// Installs (opt-in) and removes the attach hook for a Codex CLI the user starts by hand in a workspace
// (measured on 0.171.0: docs/codex.md, "Attach"). Codex reads command hooks from `<project>/.codex/hooks.json`
// in the JSON shape Claude Code uses, so Walkie's entries go there through ../hookSettingsFile.ts (marked,
// everything else kept). Each runs dist/hook.js with the argument `codex`, the CLI's pid (`$PPID` of the
// shell Codex runs a hook in is Codex itself, measured) and a deadline.
//
// Trust: Codex runs a project hook only once trusted, and keeps that trust in the user's config.toml as
// `[hooks.state."<project>/.codex/hooks.json:<event>:<group>:<handler>"] trusted_hash = "sha256:…"`, the
// same hash as for session flags (codexHooks.ts). Security: Walkie trusts exactly its own handlers, by the
// hash of the command it wrote — never "trust all", which would also trust hooks a cloned repository brings.
// The user asked for this in VS Code's confirmation, which names both files. config.toml is edited as text,
// only in the form Codex itself writes (a `[hooks.state."key"]` table); a file that holds a trust key in
// another form, or `hooks.state` as an inline table, is refused and left untouched.
//
// Security (fail closed): Codex lets the tool run when a hook fails or times out (measured), so the hook
// script blocks (exit 2) on every failure once a host was found, and its deadline ends before Codex's hook
// timeout. With no host running it prints nothing: Codex's own approval policy and sandbox decide, as if
// Walkie were not installed (Codex has no "ask" answer to fall back to: measured, it runs the tool).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_EXPIRY_MS } from '../../../core/approvals/approvalBroker';
import type { AttachEdit, AttachSupport } from '../agentAdapter';
import { AttachInstallError, hasHookGroups, hookScriptCommand, installHookGroups, installHookScript, markedCommand, readSettings, removeHookGroups, walkiePositions, type Json } from '../hookSettingsFile';
import { CODEX_AGENT_PID_ENV, CODEX_ATTACH_ARG, CODEX_ATTACH_GATE_EVENTS } from './codexAttachHook';
import { codexEventKey, codexHookTrustHash } from './codexHooks';

export const CODEX_ATTACH_INFO_EVENTS = ['SessionStart', 'UserPromptSubmit', 'Stop', 'SessionEnd'] as const;
/** Seconds a status hook may take; the host answers those at once. */
const INFO_TIMEOUT_SEC = 10;
/** Codex's hook timeout is this much longer than the script's own deadline, so the script always answers. */
const CODEX_TIMEOUT_MARGIN_SEC = 15;
/**
 * Measured: Codex caps a SessionEnd hook's timeout at 3 s and hashes the CAPPED value for trust, so a larger
 * one would never match. (The hook only reports there; Codex quits regardless.)
 */
const SESSION_END_TIMEOUT_SEC = 3;

export function codexHooksPath(workspace: string): string {
  return path.join(workspace, '.codex', 'hooks.json');
}

/** The config.toml Codex keeps hook trust in: `$CODEX_HOME/config.toml`, default ~/.codex/config.toml. */
export function codexConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.CODEX_HOME || path.join(os.homedir(), '.codex'), 'config.toml');
}

/** `WALKIE_AGENT_PID=$PPID node /abs/hook.js codex`: the deadline is added by install. */
export function codexAttachHookCommand(hookScript: string, nodeBin = 'node', env: Readonly<Record<string, string>> = {}): string {
  return `${CODEX_AGENT_PID_ENV}="$PPID" ${hookScriptCommand(hookScript, nodeBin, env)} ${CODEX_ATTACH_ARG}`;
}

export interface CodexAttachOptions {
  /** The broker's approval expiry; the gate hooks' deadline is set just above it. */
  readonly expiryMs?: number;
}

/** Codex's attach support; `configFile` is where trust goes (default: codexConfigPath() at call time). */
export function codexAttachSupport(configFile?: string): AttachSupport {
  const config = () => configFile ?? codexConfigPath();
  return {
    settingsPath: codexHooksPath,
    events: [...CODEX_ATTACH_GATE_EVENTS, ...CODEX_ATTACH_INFO_EVENTS],
    describe: (workspace, command) => [
      `Walkie adds command hooks to ${codexHooksPath(workspace)} (Codex's project hooks; the command names paths on this machine, so do not commit it) and trusts exactly those hooks in ${config()}, so Codex runs them without asking you to review them.`,
      `They cover ${[...CODEX_ATTACH_GATE_EVENTS, ...CODEX_ATTACH_INFO_EVENTS].join(', ')}, and each runs:\n${command} <seconds>`,
      "While Walkie runs, a Codex you start by hand in this folder appears on your devices from its first prompt on, and its commands and patches wait for approval there. Otherwise Codex's own approval settings apply as usual.",
    ],
    hookCommand: codexAttachHookCommand,
    installHookScript,
    install: (workspace, hookCommand, o) => installCodexAttachHook(workspace, hookCommand, config(), o),
    remove: (workspace) => removeCodexAttachHook(workspace, config()),
    isInstalled: (workspace) => hasHookGroups(codexHooksPath(workspace)),
  };
}

export const CODEX_ATTACH: AttachSupport = codexAttachSupport();

/** Writes Walkie's hooks into `<workspace>/.codex/hooks.json` and trusts exactly them in `configFile`. */
export function installCodexAttachHook(workspace: string, hookCommand: string, configFile: string, o: CodexAttachOptions = {}): AttachEdit {
  const gateDeadline = Math.ceil((o.expiryMs ?? DEFAULT_EXPIRY_MS) / 1000) + 5;
  const handler = (deadline: number, timeout = deadline + CODEX_TIMEOUT_MARGIN_SEC) => ({ type: 'command', command: markedCommand(`${hookCommand} ${deadline}`), timeout });
  // No matcher: measured, a group without one runs for every tool (Bash, apply_patch, MCP tools).
  const wanted = new Map<string, Json>([
    ...CODEX_ATTACH_GATE_EVENTS.map((e): [string, Json] => [e, { hooks: [handler(gateDeadline)] }]),
    ...CODEX_ATTACH_INFO_EVENTS.map((e): [string, Json] => [e, { hooks: [e === 'SessionEnd' ? handler(SESSION_END_TIMEOUT_SEC, SESSION_END_TIMEOUT_SEC) : handler(INFO_TIMEOUT_SEC)] }]),
  ]);
  // Refuse a config.toml Walkie cannot edit BEFORE hooks.json changes: hooks without trust would open
  // Codex's review dialog in every session.
  const source = path.join(realpath(workspace), '.codex', 'hooks.json');
  const text = readTrustFile(configFile);
  const foreign = text.split('\n').find((l) => l.includes(`${source}:`) && !/^\s*\[hooks\.state\."[^"]*"\]\s*$/.test(l));
  if (foreign !== undefined) throw new AttachInstallError('ATTACH_ERR_SHAPE', `${configFile} holds trust for this folder's hooks in a form Walkie cannot edit; remove it, then try again`);
  const file = codexHooksPath(workspace);
  const edit = installHookGroups(file, wanted);
  const trust = walkiePositions(edit.hooks).map(({ event, group, handler: h }) => {
    const entry = (((edit.hooks[event] as Json[])[group].hooks as Json[])[h] ?? {}) as { command?: string; timeout?: number };
    return { key: `${source}:${codexEventKey(event)}:${group}:${h}`, hash: codexHookTrustHash(event, String(entry.command), Number(entry.timeout)) };
  });
  const trusted = setTrust(configFile, trust);
  return { changed: edit.changed || trusted, file };
}

/** Removes Walkie's hooks from `<workspace>/.codex/hooks.json` and their trust entries. */
export function removeCodexAttachHook(workspace: string, configFile: string): AttachEdit {
  const file = codexHooksPath(workspace);
  let keys: string[] = [];
  try {
    const source = path.join(realpath(workspace), '.codex', 'hooks.json');
    const hooks = readSettings(file).settings.hooks;
    if (typeof hooks === 'object' && hooks !== null) keys = walkiePositions(hooks as Json).map((p) => `${source}:${codexEventKey(p.event)}:${p.group}:${p.handler}`);
  } catch {
    // removeHookGroups reports the unreadable file
  }
  const edit = removeHookGroups(file);
  if (keys.length) removeTrust(configFile, keys);
  return edit;
}

/** The header of a trust table exactly as Codex writes it. */
function header(key: string): string {
  return `[hooks.state.${JSON.stringify(key)}]`;
}

function readTrustFile(file: string): string {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // `hooks.state = {…}` (or `state = {…}` under [hooks]) cannot get a `[hooks.state."…"]` table added.
  if (/^\s*(hooks\s*\.\s*)?state\s*=/m.test(text)) {
    throw new AttachInstallError('ATTACH_ERR_SHAPE', `${file} sets hooks.state in a form Walkie cannot edit; trust Walkie's hooks in Codex instead (/hooks)`);
  }
  return text;
}

/** Sets each key's trusted_hash (a table per key, as Codex writes it). Returns whether the file changed. */
function setTrust(file: string, entries: ReadonlyArray<{ key: string; hash: string }>): boolean {
  const before = readTrustFile(file);
  const lines = before.split('\n');
  for (const { key, hash } of entries) {
    const value = `trusted_hash = ${JSON.stringify(hash)}`;
    const at = lines.findIndex((l) => l.trim() === header(key));
    if (at < 0) {
      if (before.includes(JSON.stringify(key)) || before.includes(`'${key}'`)) {
        throw new AttachInstallError('ATTACH_ERR_SHAPE', `${file} holds trust for ${key} in a form Walkie cannot edit; remove it, then try again`);
      }
      if (lines.length && lines[lines.length - 1] !== '') lines.push('');
      lines.push(header(key), value, '');
      continue;
    }
    let end = at + 1;
    while (end < lines.length && !lines[end].trim().startsWith('[')) end++;
    const own = lines.slice(at + 1, end).findIndex((l) => /^\s*trusted_hash\s*=/.test(l));
    if (own >= 0) lines[at + 1 + own] = value;
    else lines.splice(at + 1, 0, value);
  }
  const after = lines.join('\n');
  if (after === before) return false;
  writeText(file, after);
  return true;
}

/** Drops the tables of `keys` (header and body up to the next table). */
function removeTrust(file: string, keys: readonly string[]): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const drop = new Set(keys.map(header));
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('[')) skipping = drop.has(t);
    if (!skipping) out.push(line);
  }
  const after = out.join('\n');
  if (after !== text) writeText(file, after);
}

function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let mode = 0o600;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    // a new file
  }
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode, flag: 'wx' });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
