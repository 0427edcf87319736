// Attaching a Claude Code started BY HAND, inside the real VS Code: Enable / Disable for this Workspace edit
// the workspace folder's .claude/settings.local.json (and only Walkie's entries in it), a window whose folder
// has the hook starts Walkie by itself, and the real CLI started in a VS Code terminal (offline, scripted
// model) shows up on a paired `walkie device`, takes a prompt typed into that terminal, and waits for the
// device to approve its Bash call.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { settingsLocalPath } from '../../src/node/agents/claude/claudeAttachInstaller';
import { attachFile, defaultAttachDir } from '../../src/node/attach/attachRegistry';
import { AttachedSessions } from '../../src/vscode/sessions/attachedSessions';
import type { WalkieApi } from '../../src/vscode/extension';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { extensionRoot, requestShot, walkieApi, waitFor } from './helpers';
import { WalkieDevice, type DeviceLine } from './walkieDevice';

type Settings = { hooks?: Record<string, Array<{ matcher?: string; hooks: Array<{ type: string; command: string }> }>>; [k: string]: unknown };

const MARKER = '# walkie-attach';
const EVENTS = ['PreToolUse', 'PermissionRequest', 'SessionStart', 'UserPromptSubmit', 'Stop', 'SessionEnd', 'Notification'];

describe('Attaching a Claude Code started by hand (Enable for this Workspace)', function () {
  this.timeout(60_000);
  let api: WalkieApi;
  let folder: string;
  let file: string;
  const cleanups: Array<() => unknown> = [];

  const read = (): Settings => JSON.parse(fs.readFileSync(file, 'utf8')) as Settings;
  const walkieCommands = (s: Settings) => Object.values(s.hooks ?? {}).flat().flatMap((g) => g.hooks).filter((h) => h.command.endsWith(MARKER));

  before(async () => {
    api = await walkieApi();
    folder = fs.realpathSync(vscode.workspace.workspaceFolders![0]!.uri.fsPath);
    file = settingsLocalPath(folder);
  });

  after(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await api.attach.disable(folder);
    fs.rmSync(path.join(folder, '.claude'), { recursive: true, force: true });
    fs.rmSync(path.join(folder, 'out.txt'), { force: true });
    await api.controller.stopHost();
  });

  it('installs nothing in an untrusted workspace or in a folder this window does not have open', async () => {
    const log = vscode.window.createOutputChannel('Walkie attach test', { log: true });
    const untrusted = new AttachedSessions(api.controller, log, extensionRoot(), () => false);
    try {
      await assert.rejects(untrusted.enable(folder, { confirm: false }), (e: Error & { code?: string }) => e.code === 'ATTACHED_ERR_UNTRUSTED');
      await assert.rejects(api.attach.enable(os.tmpdir(), { confirm: false }), (e: Error & { code?: string }) => e.code === 'ATTACHED_ERR_NOT_A_FOLDER');
    } finally {
      untrusted.dispose();
      log.dispose();
    }
    assert.equal(fs.existsSync(file), false, 'a settings file was written');
    assert.equal(api.controller.running, undefined, 'Walkie started');
  });

  it('refuses a settings file it cannot parse, and leaves it as it was', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const broken = '{ "permissions": { "allow": ["Bash(ls)"] }, // a comment\n}';
    fs.writeFileSync(file, broken);
    await assert.rejects(api.attach.enable(folder, { confirm: false }), (e: Error & { code?: string }) => e.code === 'ATTACH_ERR_UNPARSABLE' && e.message.includes(file));
    await assert.rejects(api.attach.disable(folder), (e: Error & { code?: string }) => e.code === 'ATTACH_ERR_UNPARSABLE');
    assert.equal(fs.readFileSync(file, 'utf8'), broken);
    fs.rmSync(file);
  });

  it('Enable adds command hooks for every event and keeps the user\'s; a second Enable changes nothing; Disable removes only Walkie\'s', async () => {
    const mine: Settings = { permissions: { allow: ['Bash(ls)'] }, hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'echo user-hook' }] }] } };
    fs.writeFileSync(file, JSON.stringify(mine, null, 2));

    const first = await api.attach.enable(folder, { confirm: false });
    assert.deepEqual(first, { changed: true, file, agent: 'Claude Code' });
    const enabled = read();
    assert.deepEqual(enabled.permissions, mine.permissions);
    assert.deepEqual(Object.keys(enabled.hooks ?? {}).sort(), [...EVENTS].sort());
    assert.deepEqual(enabled.hooks!.PreToolUse![0], mine.hooks!.PreToolUse![0], 'the user\'s hook was changed');
    const ours = walkieCommands(enabled);
    assert.equal(ours.length, EVENTS.length);
    for (const h of ours) {
      assert.equal(h.type, 'command');
      assert.match(h.command, /\.walkie\/bin\/hook\.js # walkie-attach$/);
    }
    // The hook script was copied out of the extension folder, and this window takes the folder's sessions.
    assert.equal(fs.readFileSync(path.join(os.homedir(), '.walkie', 'bin', 'hook.js'), 'utf8'), fs.readFileSync(path.join(extensionRoot(), 'dist', 'hook.js'), 'utf8'));
    assert.ok(api.controller.running, 'Enable did not start Walkie');
    assert.deepEqual(api.attach.folders(), [folder]);
    assert.ok(fs.existsSync(attachFile(defaultAttachDir(), folder)), 'no registry file for the folder');

    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual(await api.attach.enable(folder, { confirm: false }), { changed: false, file, agent: 'Claude Code' });
    assert.equal(fs.readFileSync(file, 'utf8'), text);

    assert.deepEqual(await api.attach.disable(folder), { changed: true, file });
    assert.deepEqual(read(), mine);
    assert.deepEqual(api.attach.folders(), []);
    assert.equal(fs.existsSync(attachFile(defaultAttachDir(), folder)), false, 'the registry file outlived Disable');
    assert.deepEqual(await api.attach.disable(folder), { changed: false, file });
    fs.rmSync(file);
  });

  it('starts Walkie by itself when a workspace folder has the hook (what activation schedules)', async () => {
    await api.attach.enable(folder, { confirm: false });
    await api.controller.stopHost();
    assert.deepEqual(api.attach.folders(), []);
    assert.equal(fs.existsSync(attachFile(defaultAttachDir(), folder)), false, 'the registry file outlived the host');
    assert.equal(await api.attach.startIfEnabled(), true);
    assert.ok(api.controller.running);
    assert.deepEqual(api.attach.folders(), [folder]);
  });

  describe('with the real Claude Code CLI started in a VS Code terminal', () => {
    let mock: MockAnthropic;
    let home: ClaudeHome;
    let device: WalkieDevice;
    let terminal: vscode.Terminal | undefined;

    before(async () => {
      mock = await startMockAnthropic();
      home = seedClaudeHome(mock.url);
      // The CLI trusts the test's workspace folder, and finds the host's registry where this host writes
      // it: the hook looks under the CLI's HOME, which for a real user is the editor's HOME too.
      const config = JSON.parse(fs.readFileSync(path.join(home.home, '.claude.json'), 'utf8')) as { projects: Record<string, unknown> };
      config.projects[folder] = { hasTrustDialogAccepted: true };
      fs.writeFileSync(path.join(home.home, '.claude.json'), JSON.stringify(config));
      fs.symlinkSync(path.join(os.homedir(), '.walkie'), path.join(home.home, '.walkie'));
      const pairing = await api.controller.newPairing();
      device = WalkieDevice.pair(pairing.url, 'attach-phone');
      await device.wait('online', (l) => l.type === 'status' && l.state === 'online');
    });

    after(async () => {
      terminal?.dispose();
      await device?.stop();
      device?.removeState();
      const host = api.controller.running;
      for (const d of host?.pairedDevices() ?? []) host!.revoke(d.id);
      await mock?.close();
      home?.dispose();
    });

    it('shows the session on the device, types its prompt into the terminal and routes its Bash approval to the device; Esc from the device cancels the next one', async () => {
      const t0 = Date.now();
      await api.attach.enable(folder, { confirm: false });
      const host = api.controller.running!;
      terminal = vscode.window.createTerminal({
        name: 'claude (by hand)',
        shellPath: claudeBin(),
        shellArgs: ['--permission-mode', 'default'],
        cwd: folder,
        env: { ...home.env, CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: '1' },
        strictEnv: true,
      });
      terminal.show();
      const claudePid = await terminal.processId;
      assert.ok(claudePid);

      // SessionStart attached it.
      const info = await waitFor('the attached session', () => host.service.sessionInfos().find((s) => s.title === `${path.basename(folder)} (terminal)`), 30_000);
      const attached = api.attach.list().find((s) => s.id === info.id);
      assert.equal(attached?.claudePid, claudePid);
      await device.wait('the attached session', (l) => l.type === 'session' && (l.session as { id: string }).id === info.id);
      await waitFor('the status bar to count it', () => api.controller.state().sessions === 1);
      const attachedAt = Date.now();

      device.send({ type: 'prompt', session: info.id, text: `SCENARIO:bash DIR=${folder} go` });
      // Typed into the terminal, and confirmed by the CLI's UserPromptSubmit: the device sees it in the chat.
      await device.wait('the prompt in the chat', (l) => l.type === 'chat' && l.session === info.id && (l.event as { kind: string; source?: string }).kind === 'user' && (l.event as { source?: string }).source === 'device', 30_000);
      const approval: DeviceLine = await device.wait('the Bash approval', (l) => l.type === 'approval' && l.session === info.id && l.tool === 'Bash', 30_000);
      const approvalAt = Date.now();
      assert.equal((approval.detail as { command?: string }).command, 'echo hi > out.txt');
      assert.equal(fs.existsSync(path.join(folder, 'out.txt')), false, 'the command ran before it was approved');
      // For people to look at: the hand-started CLI in its terminal, waiting for the device.
      await requestShot('vscode-attach-terminal');
      device.send({ type: 'decide', id: approval.id, decision: 'allow' });
      const resolved = await device.wait('resolved', (l) => l.type === 'resolved' && l.id === approval.id);
      assert.deepEqual([resolved.resolution, resolved.by], ['allowed', 'attach-phone']);
      // The shell creates the file (`>`) a moment before `echo` writes into it: wait for what it writes.
      const out = path.join(folder, 'out.txt');
      await waitFor('the CLI to run the command', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8') === 'hi\n', 30_000);
      console.log(`      (attached ${attachedAt - t0} ms after Enable; prompt → approval on the device ${approvalAt - attachedAt} ms; total ${Date.now() - t0} ms)`);

      // Esc from the device, typed into the terminal while a second Bash call waits: the approval is
      // cancelled and the command never runs.
      const status = () => [...device.lines].reverse().find((l) => l.type === 'session' && (l.session as { id: string }).id === info.id)?.session as { status: string } | undefined;
      await waitFor('the turn to end', () => status()?.status === 'idle', 30_000);
      fs.rmSync(path.join(folder, 'out.txt'));
      device.send({ type: 'prompt', session: info.id, text: `SCENARIO:bash DIR=${folder} again` });
      const second = await device.wait('the second Bash approval', (l) => l.type === 'approval' && l.session === info.id && l.id !== approval.id, 30_000);
      device.send({ type: 'interrupt', session: info.id });
      const cancelled = await device.wait('the cancellation', (l) => l.type === 'resolved' && l.id === second.id, 15_000);
      assert.equal(cancelled.resolution, 'cancelled');
      await waitFor('the session to be idle again', () => status()?.status === 'idle', 15_000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(fs.existsSync(path.join(folder, 'out.txt')), false, 'the interrupted command ran');

      // Closing the terminal ends the CLI: the device sees the session end, and the count drops.
      terminal.dispose();
      terminal = undefined;
      await device.wait('the session to end', (l) => l.type === 'session' && (l.session as { id: string; status: string }).id === info.id && (l.session as { status: string }).status === 'ended', 15_000);
      await waitFor('the count to drop', () => api.controller.state().sessions === 0);
      assert.deepEqual(api.attach.list(), []);
    });
  });
});
