// Finds the VS Code terminal a hand-started Claude Code runs in, so an attached session's device prompts and
// interrupts are typed there (src/node/attach/attachedSession.ts, `Typer`). Each terminal's process id is cached as
// soon as VS Code reports it (`processId` is a Thenable); the CLI's terminal is the one whose process is the
// CLI itself or one of its ancestors (the shell it was started from). What is typed there comes from the
// same TerminalInput as a pty's (src/node/terminal/terminalInput.ts): sanitised bracketed paste, then Enter.
import * as vscode from 'vscode';
import type { Clock } from '../../core/base/clock';
import type { Typer } from '../../node/attach/attachedSession';
import { ancestorPids } from '../../node/terminal/processTree';
import { bracketedPasteInput, type TerminalInput } from '../../node/terminal/terminalInput';

export class TerminalFinder implements vscode.Disposable {
  private readonly pids = new Map<vscode.Terminal, number>();
  private readonly subs: vscode.Disposable[];

  /** `clock` times the pause between a paste and its Enter. */
  constructor(private readonly clock: Clock) {
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
    return terminal ? terminalInput(terminal, this.clock) : undefined;
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

/** Types into a VS Code terminal: its sendText, unchanged (no added newline), carries the raw input. */
function terminalInput(terminal: vscode.Terminal, clock: Clock): TerminalInput {
  // Security: bracketedPasteInput sanitises the text (no ESC can end the paste early and inject keys).
  return bracketedPasteInput((data) => terminal.sendText(data, false), clock);
}
