// Walkie's composition root: builds every service once and hands each to context.subscriptions.
// Activation is lazy (onStartupFinished) and kept cheap: nothing here starts a relay or an agent.
import * as vscode from 'vscode';
import { ShowPanelCommand } from './commands/showPanel';
import { WalkiePanel } from './walkiePanel';
import { WalkieStatusBar } from './statusBar';

/** What the extension exports to other extensions and to its own in-editor tests. */
export interface WalkieApi {
  /** Milliseconds from this bundle starting to load to the end of activate(). */
  readonly activationMs: number;
  readonly statusBar: WalkieStatusBar;
}

const loadStart = performance.now();

interface Command {
  readonly id: string;
  execute(...args: unknown[]): unknown;
}

export function activate(context: vscode.ExtensionContext): WalkieApi {
  const log = vscode.window.createOutputChannel('Walkie', { log: true });
  context.subscriptions.push(log);

  const panel = new WalkiePanel(context.extensionUri);
  const statusBar = new WalkieStatusBar(ShowPanelCommand.id);
  context.subscriptions.push(panel, statusBar);

  const commands: Command[] = [new ShowPanelCommand(panel)];
  for (const command of commands) {
    context.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: unknown[]) => command.execute(...args)));
  }

  const activationMs = performance.now() - loadStart;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, statusBar };
}

export function deactivate(): void {}
