import fs from 'node:fs';
import * as vscode from 'vscode';

/** Walkie: Show Audit Log — every approval decision (who, what, the input's hash), opened read-only. */
export class ShowAuditLogCommand {
  static readonly id = 'walkie.showAuditLog';
  readonly id = ShowAuditLogCommand.id;

  constructor(private readonly file: string) {}

  async execute(): Promise<vscode.TextEditor | undefined> {
    if (!fs.existsSync(this.file)) {
      void vscode.window.showInformationMessage('Walkie: no approval has been recorded yet.');
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(this.file));
    const editor = await vscode.window.showTextDocument(doc, { preview: true });
    // The log is append-only: the editor must not offer to change it.
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
    return editor;
  }
}
