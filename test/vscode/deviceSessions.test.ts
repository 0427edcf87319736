// A session started from a device in VS Code (feature `sessions`): it opens as a VS Code terminal backed by
// the agent's pty, its first prompt reaches the model, and a folder outside the window's folders is refused.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { WalkieApi } from '../../src/vscode/extension';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { walkieApi, waitFor } from './helpers';
import { WalkieDevice } from './walkieDevice';

describe('Sessions started from a device (the real Claude Code CLI, scripted model)', () => {
  let api: WalkieApi;
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let outside: string;
  let device: WalkieDevice;
  const config = () => vscode.workspace.getConfiguration('walkie');

  before(async () => {
    api = await walkieApi();
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url, { projects: 2 });
    [project, outside] = home.projects as [string, string];
    await config().update('agent.command', claudeBin(), vscode.ConfigurationTarget.Global);
    const host = await api.controller.ensureHost();
    await api.sessions.serveDeviceSessions(host, { env: home.env, folders: [project] });
    const pairing = await api.controller.newPairing();
    device = WalkieDevice.pair(pairing.url, 'sessions-phone');
    await device.wait('online', (l) => l.type === 'status' && l.state === 'online');
  });

  after(async () => {
    await device?.stop();
    device?.removeState();
    const host = await api.controller.ensureHost();
    for (const d of host.pairedDevices()) host.revoke(d.id);
    await api.sessions.stop();
    await api.controller.stopHost();
    await config().update('agent.command', undefined, vscode.ConfigurationTarget.Global);
    await mock?.close();
    home?.dispose();
  });

  it('tells the device which folders it may start sessions in', async () => {
    const list = await device.wait('the session list', (l) => l.type === 'sessionList');
    assert.deepEqual(list.folders, [project]);
  });

  it('refuses a folder outside them, with the reason', async () => {
    device.send({ type: 'start', folder: outside, prompt: 'SCENARIO:text never' });
    const error = await device.wait('the refusal', (l) => l.type === 'error' && l.code === 'HOST_ERR_FOLDER_REFUSED');
    assert.match(String(error.message), /outside the folders/);
    assert.equal(vscode.window.terminals.some((t) => t.name === 'Claude Code (Walkie)'), false);
  });

  it('starts a session there as a VS Code terminal; its first prompt reaches the model', async () => {
    device.send({ type: 'start', folder: project, prompt: 'SCENARIO:text started from the phone in VS Code' });
    const started = await device.wait('sessionStarted', (l) => l.type === 'sessionStarted', 45000);
    const id = (started.session as { id: string }).id;
    await waitFor('the agent terminal', () => vscode.window.terminals.find((t) => t.name === 'Claude Code (Walkie)'));
    assert.deepEqual(api.sessions.list().map((s) => s.id), [id]);
    await device.wait(
      'the answer',
      (l) => l.type === 'chat' && l.session === id && String((l.event as { text?: string }).text).includes('Hello from the mock model'),
      45000,
    );
    assert.ok(JSON.stringify(mock.requests).includes('started from the phone in VS Code'));
  });
});
