import * as vscode from 'vscode';
import type { AttachEdit } from '../../node/agents/agentAdapter';
import type { AttachedSessions } from '../sessions/attachedSessions';
import { pickWorkspaceFolder } from './pickWorkspaceFolder';
import { reportError } from './reportError';

/** Walkie: Enable for this Workspace — after asking, installs the attach hook so the hand-started agent (walkie.agent.*) reports to Walkie. */
export class EnableWorkspaceCommand {
  static readonly id = 'walkie.enableWorkspace';
  readonly id = EnableWorkspaceCommand.id;

  constructor(private readonly attached: AttachedSessions) {}

  async execute(): Promise<AttachEdit | undefined> {
    try {
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
      if (!folders.length) return void vscode.window.showInformationMessage('Walkie: open a folder first.');
      const enabled = new Set(await this.attached.enabledFolders());
      const folder = await pickWorkspaceFolder(folders, 'Walkie: Enable for this Workspace', (f) => (enabled.has(f.uri.fsPath) ? 'enabled' : ''));
      if (!folder) return undefined;
      const edit = await this.attached.enable(folder.uri.fsPath, { confirm: true });
      if (edit) void vscode.window.showInformationMessage(`Walkie: enabled for "${folder.name}". A ${edit.agent} you start in a terminal there now appears on your devices.`);
      return edit;
    } catch (e) {
      return reportError('could not enable attaching', e);
    }
  }
}
