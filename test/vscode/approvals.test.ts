import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AgentSession } from '../../src/node/sessions/agentSession';
import { AgentSessions } from '../../src/vscode/sessions/agentSessions';
import type { WalkieApi } from '../../src/vscode/extension';
import { DIFF_SCHEME } from '../../src/vscode/approvals/proposedChangeProvider';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { requestShot, untilToasts, walkieApi, waitFor } from './helpers';
import { WalkieDevice, type DeviceLine } from './walkieDevice';
import { describedCall } from '../fixtures/describedCall';

/** The open diff editor's two sides, once one is open. */
function diffTab(): vscode.TabInputTextDiff | undefined {
  const input = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input).find((i) => i instanceof vscode.TabInputTextDiff && i.original.scheme === DIFF_SCHEME);
  return input as vscode.TabInputTextDiff | undefined;
}

async function textOf(uri: vscode.Uri): Promise<string> {
  return (await vscode.workspace.openTextDocument(uri)).getText();
}

describe('Approvals in the editor (the real Claude Code CLI, scripted model)', () => {
  let api: WalkieApi;
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let session: AgentSession;
  let device: WalkieDevice;
  let writeHash: string;
  const config = () => vscode.workspace.getConfiguration('walkie');
  // A stand-in systemd-inhibit first on PATH (walkie.keepAwake): it records how it was called and holds
  // its "lock" until it is ended, as the real one does.
  const inhibitDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-inhibit-'));
  const inhibitLog = path.join(inhibitDir, 'calls.log');
  const savedPath = process.env.PATH;

  before(async () => {
    fs.writeFileSync(path.join(inhibitDir, 'systemd-inhibit'), `#!/bin/sh\necho "$*" >> '${inhibitLog}'\nexec sleep 600\n`, { mode: 0o755 });
    process.env.PATH = `${inhibitDir}${path.delimiter}${savedPath ?? ''}`;
    api = await walkieApi();
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    await config().update('agent.command', claudeBin(), vscode.ConfigurationTarget.Global);
    const pairing = await api.controller.newPairing();
    device = WalkieDevice.pair(pairing.url, 'approval-phone');
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
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    process.env.PATH = savedPath;
    fs.rmSync(inhibitDir, { recursive: true, force: true });
  });

  it('launches no agent in an untrusted workspace', async () => {
    const log = vscode.window.createOutputChannel('Walkie test', { log: true });
    const untrusted = new AgentSessions(api.controller, log, () => false);
    await assert.rejects(untrusted.start({ env: home.env, cwd: project }), (e: Error & { code?: string }) => e.code === 'SESSIONS_ERR_UNTRUSTED');
    log.dispose();
    assert.equal(vscode.window.terminals.some((t) => t.name === 'Claude Code (Walkie)'), false);
    assert.deepEqual(mock.requests, [], 'something reached the model');
  });

  it('starts Claude Code in a VS Code terminal backed by the agent\'s pty and serves it to the device', async () => {
    session = await api.sessions.start({ env: home.env, cwd: project });
    const terminal = await waitFor('the agent terminal', () => vscode.window.terminals.find((t) => t.name === 'Claude Code (Walkie)'));
    assert.ok(terminal);
    await waitFor('the agent to show its prompt box', () => session.info().status === 'idle', 45000);
    await device.wait('the session', (l) => l.type === 'session' && (l.session as { id: string }).id === session.id);
    assert.equal(api.statusBar.state.kind, 'session');
    assert.match(api.statusBar.tooltip, /1 agent session/);
  });

  it('shows a proposed write in the diff editor, and an approval from the editor lets the agent write it', async () => {
    device.send({ type: 'prompt', text: `SCENARIO:write DIR=${project} go` });
    const request = await waitFor('the Write approval', () => api.controller.state().pending[0], 45000);
    assert.equal(request.tool, 'Write');
    await waitFor('the status bar to warn', () => api.statusBar.state.kind === 'approvals');
    assert.match(api.statusBar.text, /Walkie: 1 pending$/);
    // A session waits for an approval and a device is paired: the computer is kept awake, and says so.
    await waitFor('the computer to be kept awake', () => api.controller.state().awake === true);
    assert.match(api.statusBar.tooltip, /Keeping this computer awake/);
    assert.match(fs.readFileSync(inhibitLog, 'utf8'), new RegExp(`--what=sleep:idle .*tail --pid=${process.pid}`));
    // The panel (the phone's UI) shows the same request; the screenshot is for people to look at.
    await vscode.commands.executeCommand('walkie.showPanel');
    await waitFor('the panel to connect', () => api.panel.connected, 30000);
    await requestShot('vscode-panel-approval');
    await api.changes.show(request);
    const diff = await waitFor('the diff editor', diffTab);
    assert.equal(await textOf(diff.original), '', 'the file does not exist yet: the left side must be empty');
    assert.equal(await textOf(diff.modified), 'hello from mock\nline2\n');
    await requestShot('vscode-approval-diff');
    // What the notification's Approve button calls.
    assert.equal(await api.approvals.answer(request, 'allow'), undefined);
    const resolved = await device.wait('resolved', (l) => l.type === 'resolved' && l.id === request.id);
    assert.deepEqual([resolved.resolution, resolved.by], ['allowed', 'VS Code']);
    await waitFor('the "(proposed by the agent)" tab to close after the decision', () => !diffTab());
    await waitFor('the agent to write the file', () => fs.existsSync(path.join(project, 'notes.txt')), 30000);
    assert.equal(fs.readFileSync(path.join(project, 'notes.txt'), 'utf8'), 'hello from mock\nline2\n');
    await device.wait('the agent to finish', (l) => l.type === 'chat' && (l.event as { kind: string; text?: string }).text === 'Done: wrote notes.txt', 30000);
    assert.equal(api.statusBar.state.kind, 'session');
    // The turn is over (idle): the lock is released.
    await waitFor('the keep-awake lock to be released', () => api.controller.state().awake === false, 15000);
    writeHash = request.inputHash;
  });

  it('records the decision in the audit log, which Show Audit Log opens', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('walkie.showAuditLog');
    assert.ok(editor, 'Show Audit Log opened nothing');
    assert.match(editor.document.uri.fsPath, /audit\.jsonl$/);
    const records = editor.document.getText().trim().split('\n').map((l) => JSON.parse(l) as { inputHash: string; resolution: string; by: string; tool: string });
    const record = records.find((r) => r.inputHash === writeHash);
    assert.deepEqual(record && [record.tool, record.resolution, record.by], ['Write', 'allowed', 'VS Code']);
    assert.equal(editor.document.getText().includes('hello from mock'), false, 'the audit log holds a tool input');
  });

  it('takes the notification off the screen when the device answers, and says who answered first when the editor answers after', async () => {
    device.send({ type: 'prompt', text: `SCENARIO:bash DIR=${project} go` });
    const shown: DeviceLine = await device.wait('the Bash approval', (l) => l.type === 'approval' && l.tool === 'Bash', 45000);
    const request = api.controller.state().pending.find((r) => r.id === shown.id)!;
    assert.ok(request);
    const question = (toasts: string[]) => toasts.some((t) => t.includes('Walkie: allow the agent to') && t.includes('echo hi'));
    const toasts = await untilToasts('the approval notification', question);
    assert.ok(toasts.some((t) => question([t]) && /Approve/.test(t) && /Deny/.test(t)), JSON.stringify(toasts));
    device.send({ type: 'decide', id: request.id, decision: 'allow' });
    await device.wait('resolved', (l) => l.type === 'resolved' && l.id === request.id);
    // At once, not when VS Code would hide an unanswered toast by itself (18 s for a warning).
    await untilToasts('the answered notification to leave the screen', (t) => !question(t), 5000);
    assert.deepEqual(api.approvals.onScreen, []);
    const late = await api.approvals.answer(request, 'deny');
    assert.match(late ?? '', /already approved on approval-phone/);
    await waitFor('the agent to run the command', () => fs.existsSync(path.join(project, 'out.txt')), 30000);
  });

  it('shows the change of an Edit against the file as it is on this machine', async () => {
    const file = path.join(project, 'notes.txt');
    const { request, outcome } = api.controller.running!.broker.request(describedCall({ session: 'vscode-test', tool: 'Edit', input: { file_path: file, old_string: 'line2', new_string: 'line two' }, cwd: project }));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.changes.show(request);
    const diff = await waitFor('the diff editor', diffTab);
    assert.equal(await textOf(diff.original), 'hello from mock\nline2\n');
    assert.equal(await textOf(diff.modified), 'hello from mock\nline two\n');
    assert.equal(await api.approvals.answer(request, 'deny'), undefined);
    assert.deepEqual(await outcome, { resolution: 'denied', author: { kind: 'vscode' }, by: 'VS Code' });
    await waitFor('the diff tab to close after the decision', () => !diffTab());
  });

  it('Stop Session ends the agent and closes its terminal; the device sees the session end', async () => {
    const ended = new Promise<number>((resolve) => session.onExit(resolve));
    await vscode.commands.executeCommand('walkie.stopSession');
    await ended;
    await device.wait('the session to end', (l) => l.type === 'session' && (l.session as { status: string }).status === 'ended');
    await waitFor('the agent terminal to close', () => !vscode.window.terminals.some((t) => t.name === 'Claude Code (Walkie)'));
    assert.deepEqual(api.sessions.list(), []);
    assert.deepEqual(api.statusBar.state, { kind: 'session', devices: 1, sessions: 0, route: 'Only this computer can open this link.' });
  });

  it('Turn Off asks first while an agent runs; confirmed, it ends the agent and stops the relay: the device goes offline and the status bar says off', async () => {
    session = await api.sessions.start({ env: home.env, cwd: project });
    await waitFor('the agent to show its prompt box', () => session.info().status === 'idle', 45000);
    const ended = new Promise<number>((resolve) => session.onExit(resolve));
    const turnOff = vscode.commands.executeCommand('walkie.turnOff');
    const question = (t: string) => t.includes('Turn Walkie off? This ends the running agent session');
    const toasts = await untilToasts('the Turn Off question', (ts) => ts.some(question));
    assert.match(toasts.find(question)!, /Turn Off/);
    // Nothing has been ended while the question waits.
    assert.ok(api.controller.running, 'Walkie was turned off before the user confirmed');
    assert.notEqual(session.info().status, 'ended', 'the agent was ended before the user confirmed');
    const shot = await requestShot('vscode-turn-off-confirm', { click: { where: 'toast', text: 'Turn Walkie off?', button: 'Turn Off' } });
    assert.equal(shot.clicked, true, 'no Turn Off button to click');
    await turnOff;
    await ended;
    await device.wait('offline', (l) => l.type === 'status' && l.state === 'offline');
    assert.equal(api.controller.running, undefined);
    assert.deepEqual(api.statusBar.state, { kind: 'off' });
  });
});
