import * as vscode from 'vscode';
import type { WalkieController } from '../controller/walkieController';
import type { WalkiePanel } from '../webviews/walkiePanel';
import { reportError } from './reportError';

/** Walkie: Show Panel — starts Walkie if needed and opens the panel (the phone's UI inside VS Code). */
export class ShowPanelCommand {
  static readonly id = 'walkie.showPanel';
  readonly id = ShowPanelCommand.id;

  constructor(
    private readonly controller: WalkieController,
    private readonly panel: WalkiePanel,
  ) {}

  async execute(): Promise<vscode.WebviewPanel | undefined> {
    try {
      await this.controller.ensureHost();
    } catch (e) {
      return reportError('could not start', e);
    }
    return this.panel.show();
  }
}
