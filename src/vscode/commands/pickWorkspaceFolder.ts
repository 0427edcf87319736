import * as vscode from 'vscode';

/** One of `folders`: the only one, or the user's pick (undefined if there is none or the pick was dismissed). */
export async function pickWorkspaceFolder(folders: readonly vscode.WorkspaceFolder[], title: string, describe: (f: vscode.WorkspaceFolder) => string = () => ''): Promise<vscode.WorkspaceFolder | undefined> {
  if (folders.length <= 1) return folders[0];
  const pick = await vscode.window.showQuickPick(
    folders.map((folder) => ({ label: folder.name, description: describe(folder), detail: folder.uri.fsPath, folder })),
    { title, placeHolder: 'Pick a workspace folder' },
  );
  return pick?.folder;
}
