import type { WalkiePanel } from '../walkiePanel';

/** Walkie: Show Panel. */
export class ShowPanelCommand {
  static readonly id = 'walkie.showPanel';
  readonly id = ShowPanelCommand.id;

  constructor(private readonly panel: WalkiePanel) {}

  execute(): void {
    this.panel.show();
  }
}
