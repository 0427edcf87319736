import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { readConfig } from '../../src/vscode/controller/walkieConfig';
import { EXTENSION_ID, walkieApi, waitFor } from './helpers';

describe('Walkie extension (in a real VS Code)', () => {
  it('activates without starting a relay or an agent, and reports its activation time', async () => {
    const api = await walkieApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
    assert.ok(api.activationMs > 0);
    console.log(`      (activated in ${api.activationMs.toFixed(1)} ms)`);
    assert.equal(api.controller.running, undefined, 'activation started the host');
    assert.equal(api.sessions.list().length, 0);
    assert.deepEqual(api.statusBar.state, { kind: 'off' });
    assert.match(api.statusBar.text, /Walkie$/);
    assert.match(api.statusBar.tooltip, /Click to open the Walkie panel/);
  });

  it('registers every command it contributes, all in the Walkie category', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: { command: string; category: string }[] = ext.packageJSON.contributes.commands;
    assert.ok(contributed.length >= 8);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of contributed) {
      assert.ok(registered.has(c.command), `${c.command} is contributed but not registered`);
      assert.equal(c.category, 'Walkie');
    }
  });

  it('documents every setting and ships every walkthrough page', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const props: Record<string, { markdownDescription?: string }> = ext.packageJSON.contributes.configuration.properties;
    for (const [key, p] of Object.entries(props)) assert.ok(p.markdownDescription, `${key} has no description`);
    const steps: { media: { markdown: string } }[] = ext.packageJSON.contributes.walkthroughs[0].steps;
    for (const s of steps) assert.ok(fs.existsSync(path.join(ext.extensionPath, s.media.markdown)), `${s.media.markdown} is missing`);
  });

  it('refuses a bad setting with an error that names it', () => {
    const defaults = vscode.workspace.getConfiguration('walkie');
    const withValue = (key: string, value: unknown) => ({ get: (k: string) => (k === key ? value : defaults.get(k)) }) as vscode.WorkspaceConfiguration;
    assert.equal(readConfig(defaults).relayMode, 'auto');
    const cases: [string, unknown][] = [['relay.port', 70000], ['relay.mode', 'cloud'], ['approvals.expiryMinutes', -1], ['approvals.routedTools', 'Bash']];
    for (const [key, value] of cases) {
      assert.throws(() => readConfig(withValue(key, value)), (e: Error & { code?: string; setting?: string }) => e.code === 'CONFIG_ERR_INVALID' && e.setting === `walkie.${key}` && e.message.includes(`walkie.${key}`));
    }
    const external = { get: (k: string) => (k === 'relay.mode' ? 'external' : k === 'relay.url' ? 'ftp://x' : defaults.get(k)) } as vscode.WorkspaceConfiguration;
    assert.throws(() => readConfig(external), (e: Error & { setting?: string }) => e.setting === 'walkie.relay.url');
  });
});

describe('Walkie status bar (seen from the browser)', () => {
  it('is rendered in the workbench while the extension runs', async () => {
    // The harness (scripts/vscode-tests.mjs) looks for the item in the workbench DOM, screenshots it,
    // and drops this file; the host must stay up until then, or the item is gone with it.
    const signal = process.env.WALKIE_STATUSBAR_SEEN;
    assert.ok(signal, 'WALKIE_STATUSBAR_SEEN is not set: run this suite through scripts/vscode-tests.mjs');
    const seen = await waitFor('the harness to see the status bar item', () => (fs.existsSync(signal!) ? fs.readFileSync(signal!, 'utf8') : undefined), 30000);
    assert.match(seen, /Walkie/);
  });
});
