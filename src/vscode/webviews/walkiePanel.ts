// The Walkie panel: a webview that runs the same web UI bundle as the phone (dist/webview), connected to
// the host as one more HostService peer ("VS Code") over postMessage instead of the encrypted channel.
// Webview → extension messages are untrusted: parsed with zod (FromPanelMessageSchema), junk dropped.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PeerConnection } from '../../core/host/hostService';
import { panelPeer } from './panelPeer';
import type { ToPanelMessage } from './panelMessages';
import type { WalkieController } from '../controller/walkieController';

export class WalkiePanel implements vscode.Disposable {
  static readonly viewType = 'walkie.panel';
  private panel: vscode.WebviewPanel | undefined;
  private peer: PeerConnection | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly controller: WalkieController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(
      controller.onDidStartHost(() => this.panel && this.connectPeer()),
      controller.onDidChange(() => void this.postState()),
    );
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  /** The page is connected to the running host as a peer. */
  get connected(): boolean {
    return this.peer !== undefined;
  }

  show(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal();
      return this.panel;
    }
    const webRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(WalkiePanel.viewType, 'Walkie', vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      // Security: the page may load nothing but the bundled web UI.
      localResourceRoots: [webRoot],
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html(panel.webview, webRoot);
    panel.webview.onDidReceiveMessage((data: unknown) => void this.onMessage(data));
    panel.onDidDispose(() => {
      this.peer?.dispose();
      this.peer = undefined;
      this.panel = undefined;
    });
    this.panel = panel;
    return panel;
  }

  private async onMessage(data: unknown): Promise<void> {
    const { parsePanelMessage } = await import('./panelMessages');
    const { runPanelAction } = await import('./panelState');
    const r = parsePanelMessage(data);
    if (!r.ok) {
      this.log.warn(`panel: dropped an invalid message (${r.reason})`);
      return;
    }
    const m = r.value;
    try {
      if (m.type === 'ready') {
        this.connectPeer();
        await this.postState();
      } else if (m.type === 'device') {
        this.peer?.receive(m.message);
      } else {
        await runPanelAction(this.controller, m);
      }
    } catch (e) {
      this.log.error(`panel: ${m.type} failed: ${e instanceof Error ? e.message : 'error'}`);
    }
  }

  /** (Re)connects the panel to the running host: it gets `hello`, then asks `sync` like any device. */
  private connectPeer(): void {
    const host = this.controller.running;
    this.peer?.dispose();
    this.peer = host?.service.connect(panelPeer((message) => this.post(message)));
  }

  private async postState(): Promise<void> {
    if (!this.panel) return;
    const { devicesMessage, pairingMessage } = await import('./panelState');
    this.post(devicesMessage(this.controller));
    this.post(await pairingMessage(this.controller.state().pairing));
  }

  private post(message: ToPanelMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, webRoot: vscode.Uri): string {
    // Security: a fresh nonce per page from crypto randomness; only scripts carrying it may run.
    const nonce = randomBytes(18).toString('base64');
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(webRoot, name)).toString();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('app.css')}">
<title>Walkie</title>
</head>
<body data-host="vscode">
<div id="app"></div>
<script nonce="${nonce}" src="${asset('app.js')}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.peer?.dispose();
    this.panel?.dispose();
  }
}
