// The one status bar item that tells the whole story: off, session without device, QR waiting,
// devices connected, approvals pending. Clicking it opens the Walkie panel.
import * as vscode from 'vscode';

export type StatusBarState =
  | { readonly kind: 'off' }
  | { readonly kind: 'session'; readonly devices: number }
  | { readonly kind: 'pairing'; readonly secondsLeft: number }
  | { readonly kind: 'approvals'; readonly pending: number };

export class WalkieStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(commandId: string) {
    this.item = vscode.window.createStatusBarItem('walkie.status', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Walkie';
    this.item.command = commandId;
    this.update({ kind: 'off' });
    this.item.show();
  }

  update(state: StatusBarState): void {
    const item = this.item;
    item.backgroundColor = undefined;
    switch (state.kind) {
      case 'off':
        item.text = '$(broadcast) Walkie';
        item.tooltip = 'Walkie: no agent session is running. Click to open the Walkie panel and pair a phone.';
        break;
      case 'session':
        item.text = state.devices === 0 ? '$(broadcast) Walkie: no device' : `$(device-mobile) Walkie: ${state.devices}`;
        item.tooltip = state.devices === 0
          ? 'Walkie: a session is running but no device is connected. Click to pair a phone.'
          : `Walkie: ${state.devices} device(s) connected. Click to open the Walkie panel.`;
        break;
      case 'pairing': {
        const m = Math.floor(state.secondsLeft / 60);
        const s = String(state.secondsLeft % 60).padStart(2, '0');
        item.text = `$(shield) Walkie: pair ${m}:${s}`;
        item.tooltip = 'Walkie: a pairing code is waiting to be scanned. Click to show the QR code.';
        break;
      }
      case 'approvals':
        item.text = `$(warning) Walkie: ${state.pending} pending`;
        item.tooltip = `Walkie: ${state.pending} approval(s) waiting. Click to review them.`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
