// A VS Code terminal backed by the agent's own pty (AgentSession): the user sees and types into Claude
// Code's real terminal UI inside the editor, while devices watch and steer the same session.
import * as vscode from 'vscode';
import type { AgentSession } from '../../node/sessions/agentSession';

export class AgentTerminal implements vscode.Pseudoterminal, vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** Output that arrived before VS Code opened the terminal. */
  private backlog: string[] | undefined = [];
  private readonly subs: { dispose(): void }[];
  private ended = false;
  private stopping = false;

  constructor(private readonly session: AgentSession) {
    this.subs = [
      session.onOutput((data) => (this.backlog ? this.backlog.push(data) : this.writeEmitter.fire(data))),
      session.onExit((code) => {
        this.ended = true;
        // A stop Walkie or the user asked for is not a failure; an unexpected exit shows its code.
        this.closeEmitter.fire(this.stopping || code === 0 ? undefined : code);
      }),
    ];
  }

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    if (dimensions) this.session.resize(dimensions.columns, dimensions.rows);
    for (const data of this.backlog ?? []) this.writeEmitter.fire(data);
    this.backlog = undefined;
  }

  handleInput(data: string): void {
    this.session.write(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.session.resize(dimensions.columns, dimensions.rows);
  }

  /** The agent is being stopped on purpose (Stop Session, or the terminal was closed). */
  markStopping(): void {
    this.stopping = true;
  }

  /** The user closed the terminal: the agent ends with it. */
  close(): void {
    this.stopping = true;
    if (!this.ended) void this.session.stop();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
