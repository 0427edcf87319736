// The pairing view's page: the QR code, the link with a copy button, the expiry countdown and "New code";
// the short authentication string after a pairing; paired devices with last seen and Revoke; sessions.
// Its own small script (nonce'd, no innerHTML: every host string goes through textContent) and theme
// colours from VS Code's --vscode-* variables.

export function devicesViewHtml(nonce: string, cspSource: string): string {
  const csp = ["default-src 'none'", `img-src ${cspSource} data:`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Walkie: Pair a Device</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 12px 20px; max-width: 640px; }
  h1 { font-size: 1.4em; font-weight: 600; margin: 0.4em 0 0.6em; }
  h2 { font-size: 1.05em; font-weight: 600; margin: 1.4em 0 0.5em; border-bottom: 1px solid var(--vscode-panel-border, transparent); padding-bottom: 4px; }
  .muted { color: var(--vscode-descriptionForeground); }
  .warning { color: var(--vscode-editorWarning-foreground); }
  .qr { background: #fff; padding: 8px; width: 256px; height: 256px; image-rendering: pixelated; border-radius: 4px; display: block; }
  .row { display: flex; gap: 6px; align-items: center; margin: 8px 0; }
  input { flex: 1; min-width: 0; background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 4px 6px; font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 5px 12px; cursor: pointer; border-radius: 2px; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
  button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
  .sas { border: 1px solid var(--vscode-focusBorder); padding: 8px 10px; margin: 10px 0; border-radius: 3px; }
  .sas b { font-family: var(--vscode-editor-font-family); font-size: 1.15em; letter-spacing: 0.04em; }
  ul { list-style: none; padding: 0; margin: 0; }
  li { display: flex; align-items: center; gap: 10px; padding: 6px 0; border-bottom: 1px solid var(--vscode-widget-border, transparent); }
  li .name { flex: 1; }
  .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--vscode-disabledForeground); display: inline-block; }
  .dot.on { background: var(--vscode-testing-iconPassed, #3fb950); }
  #left { font-variant-numeric: tabular-nums; font-weight: 600; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<h1>Pair a device</h1>
<section id="pair" hidden>
  <img id="qr" class="qr" alt="Pairing QR code" data-testid="walkie-qr">
  <p>Scan this code with your phone's camera. It works once and expires in <span id="left">–:––</span>.</p>
  <p id="route" data-testid="walkie-route"></p>
  <p id="route-warning" class="warning" data-testid="walkie-route-warning" hidden></p>
  <p id="route-fix" hidden><button id="choose-route" class="secondary" data-testid="walkie-choose-route">Choose how the phone connects…</button></p>
  <div class="row"><input id="link" readonly aria-label="Pairing link"><button id="copy" class="secondary">Copy link</button></div>
  <div class="row"><button id="new">New code</button><button id="cancel" class="secondary">Cancel</button></div>
</section>
<section id="nopair">
  <p class="muted" id="nopair-text">No pairing code is active.</p>
  <button id="new2">Show a pairing code</button>
</section>
<div id="sas" class="sas" hidden role="status"></div>
<h2>Paired devices</h2>
<ul id="devices"></ul>
<p id="nodevices" class="muted">No device is paired yet.</p>
<h2>Sessions</h2>
<ul id="sessions"></ul>
<p id="nosessions" class="muted">No agent session is running. Run “Walkie: Start Claude Code Session” or “Walkie: Start Codex Session”.</p>
<p><button id="panel" class="secondary">Open the Walkie panel</button></p>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  let expiresAt = 0;
  const send = (type, extra) => vscode.postMessage(Object.assign({ type }, extra || {}));
  const ago = (t) => {
    const s = Math.max(0, Math.round((Date.now() - t) / 1000));
    if (s < 60) return 'just now';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return new Date(t).toLocaleDateString();
  };
  const tick = () => {
    if (!expiresAt) return;
    const left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
    $('left').textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
  };
  setInterval(tick, 1000);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'pairing') {
      const p = m.pairing;
      $('pair').hidden = !p;
      $('nopair').hidden = !!p;
      if (p && typeof p.qrSvg === 'string' && typeof p.url === 'string') {
        $('qr').src = 'data:image/svg+xml;base64,' + btoa(p.qrSvg);
        $('link').value = p.url;
        $('route').textContent = p.route && typeof p.route.label === 'string' ? p.route.label : '';
        const warn = p.route && typeof p.route.warning === 'string' ? p.route.warning : '';
        $('route-warning').textContent = warn;
        $('route-warning').hidden = !warn;
        $('route-fix').hidden = !warn;
        expiresAt = Number(p.expiresAt) || 0;
        tick();
      } else {
        expiresAt = 0;
      }
    } else if (m.type === 'paired') {
      const box = $('sas');
      box.dataset.device = String(m.device && m.device.id);
      box.replaceChildren(el('span', '', 'Paired “' + String(m.device && m.device.name) + '”. Check that the device shows the same words: '), el('b', '', String(m.sas)));
      box.hidden = false;
    } else if (m.type === 'devices') {
      const list = $('devices');
      list.replaceChildren(...(m.devices || []).map((d) => {
        const li = el('li');
        li.append(el('span', d.connected ? 'dot on' : 'dot'), el('span', 'name', String(d.name)),
          el('span', 'muted', d.connected ? 'connected' : 'last seen ' + ago(Number(d.lastSeen))));
        const b = el('button', 'secondary', 'Revoke');
        b.addEventListener('click', () => send('revoke', { deviceId: String(d.id) }));
        li.append(b);
        return li;
      }));
      $('nodevices').hidden = list.children.length > 0;
      // The words only matter while that device is still paired.
      if (!(m.devices || []).some((d) => d.id === $('sas').dataset.device)) $('sas').hidden = true;
      const sessions = $('sessions');
      sessions.replaceChildren(...(m.sessions || []).map((s) => { const li = el('li'); li.append(el('span', 'name', String(s.title)), el('span', 'muted', String(s.status))); return li; }));
      $('nosessions').hidden = sessions.children.length > 0;
      $('nopair-text').textContent = m.running ? 'No pairing code is active.' : 'Walkie is not running.';
    }
  });
  $('copy').addEventListener('click', () => send('copyLink'));
  $('new').addEventListener('click', () => send('newPairing'));
  $('new2').addEventListener('click', () => send('newPairing'));
  $('cancel').addEventListener('click', () => send('cancelPairing'));
  $('panel').addEventListener('click', () => send('showPanel'));
  $('choose-route').addEventListener('click', () => send('chooseRoute'));
  send('ready');
})();
</script>
</body>
</html>`;
}
