// Walks a process's ancestry, so VS Code can find the terminal a hand-started agent runs in (the terminal's
// shell is an ancestor of the agent's pid). Linux reads /proc/<pid>/stat (no spawn); elsewhere one
// `ps -o ppid= -p <pid>` per level.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** How far up the tree to look: terminals nest a few shells deep, never dozens. */
const MAX_DEPTH = 64;

/** The parent of `pid`, or undefined if the process is gone (or unreadable). */
export function parentPid(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the LAST ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
    } catch {
      return undefined;
    }
  }
  if (process.platform === 'win32') return undefined;
  try {
    const ppid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** The ancestors of `pid`, nearest first (its parent, grandparent, … up to init), without `pid` itself. */
export function ancestorPids(pid: number): number[] {
  const out: number[] = [];
  let current = pid;
  for (let i = 0; i < MAX_DEPTH; i++) {
    const parent = parentPid(current);
    if (parent === undefined || parent === current || out.includes(parent)) break;
    out.push(parent);
    current = parent;
  }
  return out;
}
