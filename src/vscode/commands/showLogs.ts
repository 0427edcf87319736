import type * as vscode from 'vscode';

/** Walkie: Show Logs — Walkie's output channel (what happened; never keys, messages or tool inputs). */
export class ShowLogsCommand {
  static readonly id = 'walkie.showLogs';
  readonly id = ShowLogsCommand.id;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  execute(): void {
    this.log.show(true);
  }
}
