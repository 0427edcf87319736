// The one status bar item that tells the whole story: off, running with no device, QR waiting (with a
// mm:ss countdown), N devices connected, K approvals pending (warning colours). A click opens the Walkie
// panel (or, while a QR code waits, the pairing view); the tooltip says what is going on and what a click does.
import * as vscode from 'vscode';
import type { ControllerState, WalkieController } from './walkieController';

export type StatusBarState =
  | { readonly kind: 'off' }
  | { readonly kind: 'session'; readonly devices: number; readonly sessions: number; readonly route?: string; readonly awake?: boolean }
  | { readonly kind: 'approvals'; readonly pending: number; readonly awake?: boolean }
  | { readonly kind: 'pairing'; readonly secondsLeft: number }


/** Which state wins: approvals waiting, then a QR waiting, then the device count. */
export function statusBarState(s: ControllerState, now: number): StatusBarState {
  if (!s.running) return { kind: 'off' };
  if (s.pending.length > 0) return { kind: 'approvals', pending: s.pending.length, ...(s.awake ? { awake: true } : {}) };
  if (s.pairing) return { kind: 'pairing', secondsLeft: Math.max(0, Math.ceil((s.pairing.expiresAt - now) / 1000)) };
  return { kind: 'session', devices: s.connected.length, sessions: s.sessions, ...(s.route ? { route: s.route } : {}), ...(s.awake ? { awake: true } : {}) };
}

export function countdown(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Said in the tooltip while walkie.keepAwake holds the computer awake. */
const AWAKE = ' Keeping this computer awake while the agent works.';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export class WalkieStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private current: StatusBarState = { kind: 'off' };

  constructor(
    private readonly controller: WalkieController,
    private readonly commands: { readonly panel: string; readonly pairing: string },
  ) {
    this.item = vscode.window.createStatusBarItem('walkie.status', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Walkie';
    this.subs.push(controller.onDidChange(() => this.refresh()));
    this.refresh();
    this.item.show();
  }

  /** What the item shows now (for tests). */
  get state(): StatusBarState {
    return this.current;
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? '');
  }

  refresh(): void {
    const state = statusBarState(this.controller.state(), Date.now());
    // The countdown ticks only while a QR code waits.
    if (state.kind === 'pairing' && !this.ticker) this.ticker = setInterval(() => this.refresh(), 1000);
    if (state.kind !== 'pairing' && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    this.update(state);
  }

  private update(state: StatusBarState): void {
    this.current = state;
    const item = this.item;
    item.backgroundColor = undefined;
    item.color = undefined;
    item.command = this.commands.panel;
    switch (state.kind) {
      case 'off':
        item.text = '$(broadcast) Walkie';
        item.tooltip = 'Walkie is off: no agent session and no device. Click to open the Walkie panel (this starts Walkie on this machine).';
        break;
      case 'session':
        item.text = state.devices === 0 ? '$(broadcast) Walkie: no device' : `$(device-mobile) Walkie: ${plural(state.devices, 'device')}`;
        item.tooltip = `Walkie is running ${state.sessions ? `with ${plural(state.sessions, 'agent session')}` : 'without an agent session'}; ${state.devices === 0 ? 'no device is connected' : `${plural(state.devices, 'device')} connected`}.${state.route ? ` ${state.route}` : ''}${state.awake ? AWAKE : ''} Click to open the Walkie panel.`;
        break;
      case 'pairing':
        item.text = `$(shield) Walkie: pair ${countdown(state.secondsLeft)}`;
        item.tooltip = `Walkie: a pairing QR code waits to be scanned (expires in ${countdown(state.secondsLeft)}). Click to show it.`;
        item.command = this.commands.pairing;
        break;
      case 'approvals':
        item.text = `$(warning) Walkie: ${state.pending} pending`;
        item.tooltip = `Walkie: ${plural(state.pending, 'approval')} waiting for an answer (here or on a device).${state.awake ? AWAKE : ''} Click to review in the Walkie panel.`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        item.color = new vscode.ThemeColor('statusBarItem.warningForeground');
        break;
    }
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
