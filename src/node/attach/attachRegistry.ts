// The attach registry: how the attach hook (dist/hook.js, run by a Claude Code the user started by hand)
// finds the running Walkie host of its workspace. One small JSON file per workspace:
//
//   ~/.walkie/attach/<sha256 hex of the workspace's real path>.json = { v: 1, url, secret, pid }
//
// `url` is the host's hook route (http://127.0.0.1:PORT/hook/ROUTE-SECRET); `secret` is a second key the host
// signs its answers with, so a process that grabbed the port after the host died cannot answer "allow";
// `pid` is the host's process, so a file left behind by a crash is ignored. Security: the folder is 0700
// and the file 0600, both owned by the user; a reader ignores anything else (another local user who could
// write there could otherwise point the hook at their own server). Written atomically (temp + rename).
// node:* only: the hook bundles this file and must start fast.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface AttachEntry {
  /** The host's hook route. Holds a secret: never log it. */
  readonly url: string;
  /** The key the host signs its answers with (base64url, 32 bytes). */
  readonly secret: string;
  readonly pid: number;
}

/** How many folders the hook walks up from the project folder looking for a registered workspace. */
const MAX_DEPTH = 32;

/** ~/.walkie/attach (the hook runs with the user's HOME, like the host). */
export function defaultAttachDir(home: string = os.homedir()): string {
  return path.join(home, '.walkie', 'attach');
}

/** The registry file of a workspace: keyed by its real path, so a symlinked path finds the same host. */
export function attachFile(dir: string, workspace: string): string {
  return path.join(dir, `${crypto.createHash('sha256').update(realpath(workspace), 'utf8').digest('hex')}.json`);
}

/** Writes the entry for `workspace` (0600 in a 0700 folder, atomically) and returns the file. */
export function writeAttachEntry(dir: string, workspace: string, entry: AttachEntry): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
  // Security: the folder must be ours and private before a secret goes into it.
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  const file = attachFile(dir, workspace);
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify({ v: 1, url: entry.url, secret: entry.secret, pid: entry.pid }), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return file;
}

/** Removes the entry of `workspace` if it still names `url` (another window may have taken it over). */
export function removeAttachEntry(dir: string, workspace: string, url: string): boolean {
  const file = attachFile(dir, workspace);
  const current = readEntryFile(file, false);
  if (!current || current.url !== url) return false;
  fs.rmSync(file, { force: true });
  return true;
}

/** The live entry of `workspace`, or undefined (none, unreadable, unsafe, malformed, or its host is dead). */
export function readAttachEntry(dir: string, workspace: string): AttachEntry | undefined {
  return readEntryFile(attachFile(dir, workspace), true);
}

/** The live entry of `start` or of its nearest registered parent folder. */
export function findAttachEntry(dir: string, start: string): AttachEntry | undefined {
  if (!privateFolder(dir)) return undefined;
  let folder = realpath(start);
  for (let i = 0; i < MAX_DEPTH; i++) {
    const entry = readEntryFile(attachFile(dir, folder), true);
    if (entry) return entry;
    const parent = path.dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return undefined;
}

/** True if `pid` is a live process of this user (EPERM means another user's: a reused pid, not our host). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readEntryFile(file: string, checkLive: boolean): AttachEntry | undefined {
  let text: string;
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || !ownedAndPrivate(st)) return undefined;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { url, secret, pid } = v as Record<string, unknown>;
  if (typeof url !== 'string' || typeof secret !== 'string' || typeof pid !== 'number') return undefined;
  // Security: the hook sends tool inputs to this URL, so only a loopback http URL is accepted.
  if (!/^http:\/\/127\.0\.0\.1:\d{1,5}\/[\w/-]{1,200}$/.test(url) || !/^[\w-]{43}$/.test(secret)) return undefined;
  if (checkLive && !isAlive(pid)) return undefined;
  return { url, secret, pid };
}

function privateFolder(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && ownedAndPrivate(st);
  } catch {
    return false;
  }
}

function ownedAndPrivate(st: fs.Stats): boolean {
  if (typeof process.getuid !== 'function') return true; // Windows: the profile folder's ACL protects it
  return st.uid === process.getuid() && (st.mode & 0o077) === 0;
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
