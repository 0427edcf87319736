// Runs `walkie` (dist/cli.js) as a child process the way a user or a script would, and reads its output:
// JSON lines on stdout (`walkie device --json`) and free text on stderr (`walkie host`).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../../../dist/cli.js');

export type JsonLine = Record<string, unknown> & { type: string };

export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: JsonLine[] = [];
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined;
  private readonly waiters = new Set<() => void>();

  /** `prefix` runs the CLI through another command, e.g. `['ip', 'netns', 'exec', NAME]`; `cli` is another dist/cli.js. */
  constructor(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; prefix?: string[]; cli?: string } = {}) {
    const argv = [...(o.prefix ?? []), process.execPath, o.cli ?? CLI, ...args];
    this.child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env: o.env ?? process.env, stdio: 'pipe' });
    let partial = '';
    this.child.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString('utf8');
      partial += d.toString('utf8');
      for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as JsonLine);
        } catch {
          /* human text */
        }
      }
      this.wake();
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString('utf8');
      this.wake();
    });
    this.child.on('exit', (code) => {
      this.exitCode = code;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits until `probe` returns something (checked on every output), or fails after `ms`. */
  waitFor<T>(what: string, probe: () => T | undefined | false, ms = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v !== undefined && v !== false) {
          cleanup();
          resolve(v);
        } else if (this.exitCode !== undefined) {
          cleanup();
          reject(new Error(`process exited (${this.exitCode}) while waiting for ${what}\nstderr: ${this.stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}\nstdout: ${this.stdout.slice(-1500)}\nstderr: ${this.stderr.slice(-1500)}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the first JSON line of `type` after index `from` that matches `where`. */
  line(type: string, where: (l: JsonLine) => boolean = () => true, from = 0, ms?: number): Promise<JsonLine> {
    return this.waitFor(`a "${type}" line`, () => this.lines.slice(from).find((l) => l.type === type && where(l)), ms);
  }

  send(obj: unknown): void {
    this.child.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exitCode !== undefined) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
