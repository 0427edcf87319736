// Finds the VS Code terminal a hand-started Claude Code runs in, so an attached session's device prompts and
// interrupts are typed there (src/node/attach/attachedSession.ts, `Typer`). Each terminal's process id is cached as
// soon as VS Code reports it (`processId` is a Thenable); the CLI's terminal is the one whose process is the
// CLI itself or one of its ancestors (the shell it was started from).
import * as vscode from 'vscode';
import type { TerminalTyper, Typer } from '../../node/attach/attachedSession';
import { ancestorPids } from '../../node/terminal/processTree';

/** Between the paste and its Enter, so the CLI sees the paste end before the key (as PtyProcess does). */
const ENTER_DELAY_MS = 50;
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

export class TerminalFinder implements vscode.Disposable {
  private readonly pids = new Map<vscode.Terminal, number>();
  private readonly subs: vscode.Disposable[];

  constructor() {
    for (const t of vscode.window.terminals) this.track(t);
    this.subs = [vscode.window.onDidOpenTerminal((t) => this.track(t)), vscode.window.onDidCloseTerminal((t) => this.pids.delete(t))];
  }

  /** The terminal whose process is `claudePid` or an ancestor of it (the nearest wins). */
  find(claudePid: number): vscode.Terminal | undefined {
    const byPid = new Map<number, vscode.Terminal>();
    for (const [t, pid] of this.pids) if (t.exitStatus === undefined) byPid.set(pid, t);
    if (!byPid.size) return undefined;
    for (const pid of [claudePid, ...ancestorPids(claudePid)]) {
      const t = byPid.get(pid);
      if (t) return t;
    }
    return undefined;
  }

  /** The `Typer` an AttachServer takes. */
  readonly typer: Typer = (claudePid) => {
    const terminal = this.find(claudePid);
    return terminal ? typerFor(terminal) : undefined;
  };

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.pids.clear();
  }

  private track(t: vscode.Terminal): void {
    t.processId.then(
      (pid) => {
        // A terminal closed before its pid arrived is not added back.
        if (pid !== undefined && t.exitStatus === undefined && vscode.window.terminals.includes(t)) this.pids.set(t, pid);
      },
      () => undefined,
    );
  }
}

function typerFor(terminal: vscode.Terminal): TerminalTyper {
  return {
    async paste(text) {
      // Security: a prompt is text, never keystrokes. The session already removed control characters;
      // dropping ESC again here means nothing can end the bracketed paste early and inject keys.
      terminal.sendText(PASTE_START + text.replaceAll('\x1b', '') + PASTE_END, false);
      await new Promise((r) => setTimeout(r, ENTER_DELAY_MS));
      terminal.sendText('\r', false);
    },
    interrupt() {
      terminal.sendText('\x1b', false);
    },
  };
}
