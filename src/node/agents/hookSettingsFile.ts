// Walkie's command hooks in an agent's JSON hook settings file, the shape Claude Code defined and Codex CLI
// adopted: `{ "hooks": { "<Event>": [ { "matcher"?: …, "hooks": [ { "type": "command", "command": … } ] } ] } }`
// (Claude Code: `.claude/settings.local.json`; Codex: `.codex/hooks.json`). Shared by the attach installers
// of both adapters; what goes into each entry is the adapter's business.
//
// Walkie's entries are the hooks whose command ends with ATTACH_MARKER (a shell comment): install replaces
// exactly those, remove deletes exactly those; every other setting and hook of the user's is kept as it is.
// A file that is not a JSON object (or whose `hooks` have an unexpected shape) is refused and left untouched.
// Writes are atomic (temp file + rename) and keep the file's mode.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AttachEdit } from './agentAdapter';

export type Json = Record<string, unknown>;

export type AttachInstallErrorCode = 'ATTACH_ERR_UNPARSABLE' | 'ATTACH_ERR_SHAPE' | 'ATTACH_ERR_COMMAND';

export class AttachInstallError extends Error {
  constructor(
    readonly code: AttachInstallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AttachInstallError';
  }
}

/** Ends every command Walkie installs; `/bin/sh -c` reads it as a comment. */
export const ATTACH_MARKER = '# walkie-attach';
/**
 * `[VAR=value …] node /abs/hook.js`, each word quoted for /bin/sh when it needs it. `env` prefixes variables,
 * e.g. `{ ELECTRON_RUN_AS_NODE: '1' }` with VS Code's own binary as `nodeBin` when no `node` is on PATH.
 */
export function hookScriptCommand(hookScript: string, nodeBin = 'node', env: Readonly<Record<string, string>> = {}): string {
  if (!path.isAbsolute(hookScript)) throw new AttachInstallError('ATTACH_ERR_COMMAND', 'the hook script path must be absolute');
  const vars = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new AttachInstallError('ATTACH_ERR_COMMAND', `bad variable name ${JSON.stringify(k)}`);
    return `${k}=${shellWord(v)} `;
  });
  return `${vars.join('')}${shellWord(nodeBin)} ${shellWord(hookScript)}`;
}

/** Throws unless `hookCommand` is one line without the marker. Returns it with the marker appended. */
export function markedCommand(hookCommand: string): string {
  // eslint-disable-next-line no-control-regex
  if (!hookCommand.trim() || /[\n\r\x00]/.test(hookCommand) || hookCommand.includes(ATTACH_MARKER)) {
    throw new AttachInstallError('ATTACH_ERR_COMMAND', 'the hook command must be one line without the marker');
  }
  return `${hookCommand} ${ATTACH_MARKER}`;
}

/**
 * Copies the bundled hook script (dist/hook.js, self-contained) to a path that survives extension updates
 * and uninstalls (default ~/.walkie/bin/hook.js) and returns that path. A settings entry pointing into a
 * versioned extension folder would break on the next update; this copy keeps answering ("ask" with no host).
 */
export function installHookScript(bundled: string, dir: string = path.join(os.homedir(), '.walkie', 'bin')): string {
  const target = path.join(dir, 'hook.js');
  const text = fs.readFileSync(bundled);
  try {
    if (fs.readFileSync(target).equals(text)) return target;
  } catch {
    // not there yet
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${target}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' });
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return target;
}

/**
 * Makes Walkie's groups in `file` exactly `wanted` (event → one hook group), keeping everything else.
 * Idempotent. Returns the edit and the hooks as written (or as found, when nothing changed).
 */
export function installHookGroups(file: string, wanted: ReadonlyMap<string, Json>): AttachEdit & { readonly hooks: Json } {
  const { settings, text } = readSettings(file);
  if (installedExactly(settings, wanted)) return { changed: false, file, hooks: settings.hooks as Json };
  const hooks = stripWalkie(settings);
  for (const [event, group] of wanted) hooks[event] = [...((hooks[event] as unknown[] | undefined) ?? []), group];
  settings.hooks = hooks;
  writeAtomic(file, settings, text);
  return { changed: true, file, hooks };
}

/** Removes Walkie's entries only. A missing file, or one without them, is left alone. */
export function removeHookGroups(file: string): AttachEdit {
  const { settings, text } = readSettings(file);
  if (text === undefined || !hasWalkie(settings)) return { changed: false, file };
  const hooks = stripWalkie(settings);
  if (Object.keys(hooks).length) settings.hooks = hooks;
  else delete settings.hooks;
  writeAtomic(file, settings, text);
  return { changed: true, file };
}

/** True if any of Walkie's entries is present. A file that cannot be read counts as not installed. */
export function hasHookGroups(file: string): boolean {
  try {
    return hasWalkie(readSettings(file).settings);
  } catch {
    return false;
  }
}

/** Where Walkie's hook sits in `hooks` (group and handler index per event), for agents that key trust by it. */
export function walkiePositions(hooks: Json): Array<{ event: string; group: number; handler: number }> {
  const out: Array<{ event: string; group: number; handler: number }> = [];
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    groups.forEach((g, group) => groupHooks(g)?.forEach((h, handler) => isWalkieHook(h) && out.push({ event, group, handler })));
  }
  return out;
}

export function readSettings(file: string): { settings: Json; text: string | undefined } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: {}, text: undefined };
    throw e;
  }
  if (!text.trim()) return { settings: {}, text };
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    // Never rewrite a file we cannot read: the user's settings would be lost.
    throw new AttachInstallError('ATTACH_ERR_UNPARSABLE', `${file} is not valid JSON (${e instanceof SyntaxError ? e.message : 'parse error'}); fix it, then try again`);
  }
  if (!isObject(v)) throw new AttachInstallError('ATTACH_ERR_SHAPE', `${file} does not hold a JSON object`);
  if (v.hooks !== undefined) {
    if (!isObject(v.hooks)) throw new AttachInstallError('ATTACH_ERR_SHAPE', `"hooks" in ${file} is not an object`);
    for (const [event, groups] of Object.entries(v.hooks)) {
      if (!Array.isArray(groups)) throw new AttachInstallError('ATTACH_ERR_SHAPE', `"hooks.${event}" in ${file} is not a list`);
    }
  }
  return { settings: v, text };
}

function isWalkieHook(h: unknown): boolean {
  return isObject(h) && typeof h.command === 'string' && h.command.trimEnd().endsWith(ATTACH_MARKER);
}

function groupHooks(group: unknown): unknown[] | undefined {
  return isObject(group) && Array.isArray(group.hooks) ? group.hooks : undefined;
}

function hasWalkie(settings: Json): boolean {
  if (!isObject(settings.hooks)) return false;
  return Object.values(settings.hooks).some((groups) => Array.isArray(groups) && groups.some((g) => groupHooks(g)?.some(isWalkieHook)));
}

/** A copy of `hooks` without Walkie's hook commands (a group left empty by that goes; so does an event). */
function stripWalkie(settings: Json): Json {
  const out: Json = {};
  for (const [event, groups] of Object.entries(isObject(settings.hooks) ? settings.hooks : {})) {
    const kept: unknown[] = [];
    for (const g of groups as unknown[]) {
      const hs = groupHooks(g);
      if (!hs || !hs.some(isWalkieHook)) {
        kept.push(g);
        continue;
      }
      const rest = hs.filter((h) => !isWalkieHook(h));
      if (rest.length) kept.push({ ...(g as Json), hooks: rest });
    }
    if (kept.length || !(groups as unknown[]).some((g) => groupHooks(g)?.some(isWalkieHook))) out[event] = kept;
  }
  return out;
}

/** True if each wanted event holds exactly one Walkie group, equal to the wanted one, and no other event has any. */
function installedExactly(settings: Json, wanted: ReadonlyMap<string, Json>): boolean {
  if (!isObject(settings.hooks)) return false;
  for (const [event, groups] of Object.entries(settings.hooks)) {
    const ours = (groups as unknown[]).filter((g) => groupHooks(g)?.some(isWalkieHook));
    const want = wanted.get(event);
    if (!want) {
      if (ours.length) return false;
      continue;
    }
    if (ours.length !== 1 || JSON.stringify(ours[0]) !== JSON.stringify(want)) return false;
  }
  return [...wanted.keys()].every((e) => Array.isArray((settings.hooks as Json)[e]));
}

export function writeAtomic(file: string, settings: Json, previous: string | undefined): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let mode = 0o644;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    // a new file
  }
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  if (text === previous) return;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { mode, flag: 'wx' });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
