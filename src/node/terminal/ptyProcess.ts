// A narrow wrapper around node-pty (the `AgentIO` idea from coder/agentapi): write, output, exit, resize,
// kill, plus the two inputs Walkie injects into an agent's terminal UI — a prompt and an interrupt — through
// the TerminalInput seam (src/node/terminal/terminalInput.ts: sanitiser, bracketed paste, Enter after a pause).
import os from 'node:os';
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
  /** The exit code; a process ended by a signal reports 128 + the signal's number, as a shell does. */
  readonly onExit = this.exitEmitter.event;
  private exitCode: number | undefined;
  private signalName: string | undefined;
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
      // node-pty reports a killed process as exit code 0 plus a signal: never let that read as success.
      if (e.signal) {
        this.signalName = signalName(e.signal);
        this.exitCode = 128 + e.signal;
      } else {
        this.exitCode = e.exitCode;
      }
      this.exitEmitter.fire(this.exitCode);
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

  /** The signal that ended the process (e.g. 'SIGKILL'), once it has exited by one. */
  get exitSignal(): string | undefined {
    return this.signalName;
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

function signalName(signal: number): string {
  const found = Object.entries(os.constants.signals).find(([, n]) => n === signal);
  return found ? found[0] : `signal ${signal}`;
}
