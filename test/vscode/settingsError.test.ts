// A bad Walkie setting is reported with a way to fix it: the error toast has an "Open Settings" button that
// opens the Settings editor on that setting. Clicked in the workbench, as a user would.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { requestShot, untilToasts, walkieApi, waitFor } from './helpers';

describe('A bad setting', () => {
  const config = () => vscode.workspace.getConfiguration('walkie');

  before(async () => {
    await walkieApi();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('relay.port', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows an error naming the setting, with an Open Settings button that opens it', async () => {
    await config().update('relay.port', 99999, vscode.ConfigurationTarget.Global);
    const named = (t: string) => t.includes('"walkie.relay.port"');
    const toasts = await untilToasts('the error about walkie.relay.port', (ts) => ts.some(named));
    assert.match(toasts.find(named)!, /Open Settings/);
    const shot = await requestShot('vscode-setting-error', { click: { where: 'toast', text: 'walkie.relay.port', button: 'Open Settings' } });
    assert.equal(shot.clicked, true, 'no Open Settings button to click');
    await waitFor('the Settings editor', () => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Settings', 20000);
  });
});
