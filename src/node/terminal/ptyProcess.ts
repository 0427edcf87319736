// A narrow wrapper around node-pty (the `AgentIO` idea from coder/agentapi): write, output, exit, resize,
// kill, plus the two inputs Walkie injects into an agent's terminal UI — a prompt (as a bracketed paste,
// then Enter on its own, because a long write with a trailing "\r" is taken as a paste and the "\r" becomes
// a newline) and an interrupt (a lone Esc).
import * as pty from 'node-pty';
import { Emitter, type Event } from '../../core/base/event';

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
}

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';
/** Time between the end of a paste and Enter, so the UI has taken the paste in. */
const ENTER_DELAY_MS = 50;

export class PtyProcess implements AgentIO {
  private readonly dataEmitter = new Emitter<string>();
  private readonly exitEmitter = new Emitter<number>();
  readonly onData = this.dataEmitter.event;
  readonly onExit = this.exitEmitter.event;
  private exitCode: number | undefined;
  private readonly proc: pty.IPty;

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

  /** Types a prompt: bracketed paste, a short pause, then Enter. Resolves once Enter was written. */
  async typePrompt(text: string): Promise<void> {
    this.write(PASTE_START + sanitizePrompt(text) + PASTE_END);
    await new Promise((r) => setTimeout(r, ENTER_DELAY_MS));
    this.write('\r');
  }

  /** A lone Esc: the agent interrupts its turn (and a hook it is waiting on). */
  interrupt(): void {
    this.write('\x1b');
  }

  dispose(): void {
    this.kill();
    this.dataEmitter.dispose();
    this.exitEmitter.dispose();
  }
}

/**
 * Security: a prompt is text, never keystrokes. Control characters (above all ESC, which could end the
 * paste early and inject keys) are removed; newlines and tabs stay. CRLF/CR become LF. Invisible format
 * characters (Unicode Cf: zero-width space, bidi overrides…) go too: they can hide what a prompt says, and
 * Claude Code holds a prompt that has them for review instead of sending it.
 */
export function sanitizePrompt(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]|\p{Cf}/gu, '');
}
