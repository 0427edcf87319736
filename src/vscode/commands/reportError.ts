import * as vscode from 'vscode';

const OPEN_SETTINGS = 'Open Settings';

/** Shows a command's failure as an error notification (the message only: never a stack or a secret). */
export function reportError(what: string, e: unknown): undefined {
  const message = e instanceof Error ? e.message.replace(/^Walkie:\s*/, '') : String(e);
  const setting = settingAtFault(e);
  if (setting) void showSettingError(`Walkie ${what}: ${message}`, setting);
  else void vscode.window.showErrorMessage(`Walkie ${what}: ${message}`);
  return undefined;
}

/** A bad setting's error, with a button that opens the Settings editor on that setting. */
export async function showSettingError(message: string, setting: string): Promise<void> {
  const pick = await vscode.window.showErrorMessage(message, OPEN_SETTINGS);
  if (pick === OPEN_SETTINGS) await vscode.commands.executeCommand('workbench.action.openSettings', setting);
}

/**
 * The setting a ConfigError names (walkieConfig.ts is not imported here: it loads zod, and this module is
 * loaded at activation, which must stay cheap).
 */
export function settingAtFault(e: unknown): string | undefined {
  const c = e as { name?: unknown; setting?: unknown } | undefined;
  return c?.name === 'ConfigError' && typeof c.setting === 'string' ? c.setting : undefined;
}
