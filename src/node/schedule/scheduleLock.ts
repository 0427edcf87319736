// Only one process runs the schedules of a state folder: two VS Code windows share the extension's storage,
// and two `walkie host`s may share a --state-dir; both running them would start every run twice. The first
// takes `schedules.lock` (created exclusively, holding its pid); the others keep serving the listing and
// hand run-now requests to the holder through the file, and take the lock over once its process is gone.
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'schedules.lock';

/** Lock files held by this process (two runners in one process must not both run, either). */
const heldHere = new Set<string>();

export class ScheduleLock {
  private readonly file: string;
  private held = false;

  constructor(dir: string) {
    this.file = path.join(dir, LOCK_FILE);
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Takes the lock if it is free or its holder has exited; true when this process holds it. */
  tryAcquire(): boolean {
    if (this.held) return true;
    if (heldHere.has(this.file)) return false;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
        fs.writeFileSync(this.file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        this.held = true;
        heldHere.add(this.file);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
        const holder = Number(readText(this.file)?.trim());
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return false;
        // The holder is gone (or the file is junk): remove it and try once more.
        fs.rmSync(this.file, { force: true });
      }
    }
    return false;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(this.file);
    if (Number(readText(this.file)?.trim()) === process.pid) fs.rmSync(this.file, { force: true });
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
