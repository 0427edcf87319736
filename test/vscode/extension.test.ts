import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { WalkieApi } from '../../src/vscode/extension';

const EXTENSION_ID = 'walkie.walkie';

/** Polls `probe` until it returns a value (the workbench updates asynchronously) or the time is up. */
async function waitFor<T>(probe: () => T | undefined, ms = 10000): Promise<T | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const v = probe();
    if (v !== undefined) return v;
  }
  return undefined;
}

describe('Walkie extension (in a real VS Code)', () => {
  it('activates and reports its activation time', async () => {
    const ext = vscode.extensions.getExtension<WalkieApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs > 0);
  });

  it('registers every command it contributes', async () => {
    const ext = vscode.extensions.getExtension<WalkieApi>(EXTENSION_ID);
    await ext!.activate();
    const contributed: { command: string }[] = ext!.packageJSON.contributes.commands;
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of contributed) assert.ok(registered.has(c.command), `${c.command} is contributed but not registered`);
  });

  it('opens the Walkie panel from its command', async () => {
    await vscode.commands.executeCommand('walkie.showPanel');
    const tab = await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Walkie'));
    assert.ok(tab, 'no Walkie tab after walkie.showPanel');
    assert.ok(tab.input instanceof vscode.TabInputWebview);
  });
});

describe('Walkie status bar (seen from the browser)', () => {
  it('is rendered in the workbench while the extension runs', async () => {
    // The harness (scripts/vscode-tests.mjs) looks for the item in the workbench DOM, screenshots it,
    // and drops this file; the host must stay up until then, or the item is gone with it.
    const signal = process.env.WALKIE_STATUSBAR_SEEN;
    assert.ok(signal, 'WALKIE_STATUSBAR_SEEN is not set: run this suite through scripts/vscode-tests.mjs');
    const fs = await import('node:fs');
    const seen = await waitFor(() => (fs.existsSync(signal!) ? fs.readFileSync(signal!, 'utf8') : undefined), 30000);
    assert.ok(seen, 'the harness never saw the Walkie status bar item');
    assert.match(seen, /Walkie/);
  });
});
