// A narrow wrapper around node-pty (the `AgentIO` idea from coder/agentapi): write, output, exit, resize,
// kill, plus the two inputs Walkie injects into an agent's terminal UI — a prompt and an interrupt — through
// the TerminalInput seam (src/node/terminal/terminalInput.ts: sanitiser, bracketed paste, Enter after a pause).
import * as pty from 'node-pty';
import { systemClock, type Clock } from '../../core/base/clock';
import { Emitter, type Event } from '../../core/base/event';
import { bracketedPasteInput, type TerminalInput } from './terminalInput';

// Kept importable from here for existing callers; the one implementation lives in terminalInput.ts.
export { sanitizePrompt } from './terminalInput';

export interface AgentIO {
  write(data: string): void;
  readonly onData: Event<string>;
  readonly onExit: Event<number>;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
}

export interface PtySpawnOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cols?: number;
  readonly rows?: number;
  /** Times the pause between a paste and its Enter. Default: the system clock. */
  readonly clock?: Clock;
}

export class PtyProcess implements AgentIO, TerminalInput {
  private readonly dataEmitter = new Emitter<string>();
  private readonly exitEmitter = new Emitter<number>();
  readonly onData = this.dataEmitter.event;
  readonly onExit = this.exitEmitter.event;
  private exitCode: number | undefined;
  private readonly proc: pty.IPty;
  private readonly input: TerminalInput;

  constructor(o: PtySpawnOptions) {
    this.proc = pty.spawn(o.command, [...o.args], {
      name: 'xterm-256color',
      cols: o.cols ?? 120,
      rows: o.rows ?? 40,
      cwd: o.cwd,
      env: o.env as Record<string, string>,
    });
    this.proc.onData((d) => this.dataEmitter.fire(d));
    this.proc.onExit((e) => {
      this.exitCode = e.exitCode;
      this.exitEmitter.fire(e.exitCode);
    });
    this.input = bracketedPasteInput((d) => this.write(d), o.clock ?? systemClock);
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** The exit code once the process has exited. */
  get exited(): number | undefined {
    return this.exitCode;
  }

  write(data: string): void {
    if (this.exitCode === undefined) this.proc.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.exitCode !== undefined) return;
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 2 || rows < 2 || cols > 1000 || rows > 1000) return;
    this.proc.resize(cols, rows);
  }

  kill(signal?: string): void {
    if (this.exitCode !== undefined) return;
    try {
      this.proc.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Types a prompt: bracketed paste (sanitised), a short pause, then Enter. Resolves once Enter was written. */
  paste(text: string): Promise<void> {
    return this.input.paste(text);
  }

  /** A lone Esc: the agent interrupts its turn (and a hook it is waiting on). */
  interrupt(): void {
    this.input.interrupt();
  }

  dispose(): void {
    this.kill();
    this.dataEmitter.dispose();
    this.exitEmitter.dispose();
  }
}
