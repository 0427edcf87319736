// Scheduled sessions inside the real extension host: a schedule saved in the extension's storage runs, on
// "run now", as a fresh Claude Code session (the real CLI, scripted model) gated by the window's host; its
// Bash call waits for an approval, and the run is recorded with the agent's last message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { WalkieApi } from '../../src/vscode/extension';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { walkieApi, waitFor } from './helpers';

describe('Scheduled sessions in the editor (the real Claude Code CLI, scripted model)', () => {
  let api: WalkieApi;
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scheduleId: string | undefined;
  const config = () => vscode.workspace.getConfiguration('walkie');

  before(async () => {
    api = await walkieApi();
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    await config().update('agent.command', claudeBin(), vscode.ConfigurationTarget.Global);
    api.scheduling.agentEnv = home.env;
  });

  after(async () => {
    if (scheduleId) api.scheduling.book.remove(scheduleId);
    api.scheduling.agentEnv = undefined;
    await api.controller.stopHost();
    await config().update('agent.command', undefined, vscode.ConfigurationTarget.Global);
    await mock?.close();
    home?.dispose();
  });

  it('runs a schedule now as a fresh gated session and records the result', async () => {
    const saved = api.scheduling.book.save({ dir: project, prompt: `SCENARIO:bash DIR=${project} from a schedule`, cadence: { kind: 'weekly', day: 0, time: '03:00' }, timeZone: 'UTC', enabled: true, missed: 'skip' });
    assert.ok(saved.ok, saved.ok ? '' : saved.message);
    scheduleId = saved.schedule.id;
    const schedules = await api.scheduling.ensureRunning();
    const sessionsBefore = (await api.controller.ensureHost()).sessions.list().length;
    const r = schedules.runNow(scheduleId);
    assert.ok(r.ok);
    const host = await api.controller.ensureHost();
    const request = await waitFor('the Bash approval', () => host.broker.pending().find((p) => p.tool === 'Bash'), 60000);
    assert.equal(host.sessions.list().length, sessionsBefore + 1, 'a fresh session');
    assert.equal(request.cwd, project);
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false, 'the command waits for the approval');
    const listed = schedules.listing();
    assert.equal(listed.schedules.find((s) => s.id === scheduleId)?.running, true);
    assert.equal(listed.runs.at(-1)?.approvals, 1);
    host.broker.decide(request.id, request.inputHash, 'allow', { kind: 'vscode' });
    const run = await waitFor('the run to finish', () => api.scheduling.book.store.load().runs.find((x) => x.schedule === scheduleId && x.status !== 'running'), 60000);
    assert.equal(run.status, 'done');
    assert.equal(run.result, 'Done: wrote out.txt');
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
  });
});
