import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { WalkieApi } from '../../src/vscode/extension';
import { parsePanelMessage } from '../../src/vscode/webviews/panelMessages';
import { requestShot, walkieApi, waitFor } from './helpers';

describe('Walkie panel (the web UI in a webview)', () => {
  let api: WalkieApi;

  before(async () => {
    api = await walkieApi();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.controller.stopHost();
  });

  it('starts Walkie, opens the panel and connects it to the host as the "VS Code" peer', async () => {
    await vscode.commands.executeCommand('walkie.showPanel');
    const tab = await waitFor('the Walkie tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Walkie'));
    assert.ok(tab.input instanceof vscode.TabInputWebview);
    assert.ok(api.controller.running, 'Show Panel did not start the host');
    // The page sends `ready` once its transport listens; the extension then connects it as a peer.
    await waitFor('the panel to connect as a peer', () => api.panel.connected, 30000);
    assert.equal(api.controller.running!.service.peerCount, 1);
    const shot = await requestShot('vscode-panel');
    assert.equal(shot.ok, true);
  });

  it('drops webview messages that are not in the panel protocol', () => {
    const junk: unknown[] = [
      null,
      'ready',
      { type: 'ready', extra: 1 },
      { type: 'device', message: { type: 'decide', id: 'a', inputHash: 'not-a-hash', decision: 'allow' } },
      { type: 'device', message: { type: 'prompt', session: 's', text: '', clientId: 'c' } },
      { type: 'revoke', deviceId: '../../etc' },
      { type: 'host', message: { type: 'hello' } },
    ];
    for (const m of junk) assert.equal(parsePanelMessage(m).ok, false, JSON.stringify(m));
    assert.equal(parsePanelMessage({ type: 'device', message: { type: 'sync', session: 's', after: 0 } }).ok, true);
  });
});
