// The Walkie panel: a webview that runs the same web UI bundle as the phone (dist/webview), talking to
// the extension over postMessage instead of the encrypted relay channel.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export class WalkiePanel implements vscode.Disposable {
  static readonly viewType = 'walkie.panel';
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

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
    panel.onDidDispose(() => (this.panel = undefined));
    this.panel = panel;
    return panel;
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
    this.panel?.dispose();
  }
}
