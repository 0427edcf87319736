import * as vscode from 'vscode';
import type { AttachEdit } from '../../node/agents/agentAdapter';
import type { AttachedSessions } from '../sessions/attachedSessions';
import { pickWorkspaceFolder } from './pickWorkspaceFolder';
import { reportError } from './reportError';

/** Walkie: Disable for this Workspace — removes Walkie's attach hook entries (only those) from the folder's settings. */
export class DisableWorkspaceCommand {
  static readonly id = 'walkie.disableWorkspace';
  readonly id = DisableWorkspaceCommand.id;

  constructor(private readonly attached: AttachedSessions) {}

  async execute(): Promise<AttachEdit | undefined> {
    try {
      const enabled = new Set(await this.attached.enabledFolders());
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => enabled.has(f.uri.fsPath));
      if (!folders.length) return void vscode.window.showInformationMessage('Walkie: not enabled in this workspace.');
      const folder = await pickWorkspaceFolder(folders, 'Walkie: Disable for this Workspace');
      if (!folder) return undefined;
      const edit = await this.attached.disable(folder.uri.fsPath);
      void vscode.window.showInformationMessage(`Walkie: disabled for "${folder.name}". Agent sessions started there by hand no longer report to Walkie.`);
      return edit;
    } catch (e) {
      return reportError('could not disable attaching', e);
    }
  }
}
