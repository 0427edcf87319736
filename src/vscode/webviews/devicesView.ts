// The pairing view ("Walkie: Pair a Device"): a small webview of its own, beside the Walkie panel, with
// the pairing QR code, link, countdown and "New code", the short authentication string after pairing,
// paired devices (last seen, Revoke) and sessions. The phone's web UI has no pairing screen for the
// panel yet; this view speaks the same messages (panelMessages.ts) so the panel can take them over.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { devicesViewHtml } from './devicesViewHtml';
import type { PanelPairing, ToPanelMessage } from './panelMessages';
import type { WalkieController } from '../controller/walkieController';

export class DevicesView implements vscode.Disposable {
  static readonly viewType = 'walkie.devices';
  private panel: vscode.WebviewPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private shownPairing: PanelPairing | null = null;

  constructor(
    private readonly controller: WalkieController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(
      controller.onDidChange(() => void this.postState()),
      controller.onDidPair(({ device, sas }) => this.post({ type: 'paired', device: { id: device.id, name: device.name }, sas })),
    );
  }

  /** The pairing code this view was last sent (for tests: its QR is what the user scans). */
  get lastPairing(): PanelPairing | null {
    return this.shownPairing;
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      void this.postState();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DevicesView.viewType, 'Walkie: Pair a Device', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      // Security: the page loads nothing at all; the QR code arrives as data in a message.
      localResourceRoots: [],
    });
    panel.webview.html = devicesViewHtml(randomBytes(18).toString('base64'), panel.webview.cspSource);
    panel.webview.onDidReceiveMessage((data: unknown) => void this.onMessage(data));
    panel.onDidDispose(() => (this.panel = undefined));
    this.panel = panel;
  }

  private async onMessage(data: unknown): Promise<void> {
    const { parsePanelMessage } = await import('./panelMessages');
    const { runPanelAction } = await import('./panelState');
    const r = parsePanelMessage(data);
    if (!r.ok) {
      this.log.warn(`pairing view: dropped an invalid message (${r.reason})`);
      return;
    }
    try {
      if (r.value.type === 'ready') {
        await this.postState();
        const last = this.controller.state().lastPaired;
        if (last) this.post({ type: 'paired', device: { id: last.device.id, name: last.device.name }, sas: last.sas });
      } else if (r.value.type !== 'device') {
        await runPanelAction(this.controller, r.value);
      }
    } catch (e) {
      this.log.error(`pairing view: ${r.value.type} failed: ${e instanceof Error ? e.message : 'error'}`);
      void vscode.window.showErrorMessage(`Walkie: ${e instanceof Error ? e.message : 'the action failed'}`);
    }
  }

  private async postState(): Promise<void> {
    if (!this.panel) return;
    const { devicesMessage, pairingMessage } = await import('./panelState');
    this.post(devicesMessage(this.controller));
    const pairing = await pairingMessage(this.controller.state().pairing);
    if (pairing.type === 'pairing') this.shownPairing = pairing.pairing;
    this.post(pairing);
  }

  private post(message: ToPanelMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.panel?.dispose();
  }
}
