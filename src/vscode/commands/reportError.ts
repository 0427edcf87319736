import * as vscode from 'vscode';

/** Shows a command's failure as an error notification (the message only: never a stack or a secret). */
export function reportError(what: string, e: unknown): undefined {
  const message = e instanceof Error ? e.message.replace(/^Walkie:\s*/, '') : String(e);
  void vscode.window.showErrorMessage(`Walkie ${what}: ${message}`);
  return undefined;
}
