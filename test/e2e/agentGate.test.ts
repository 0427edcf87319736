// The real Claude Code CLI, gated at its hooks: every routed tool call waits for a decision made here
// through the ApprovalBroker, and every way around the gate fails closed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditRecordSchema } from '../../src/core/approvals/auditRecord';
import { AuditLog } from '../../src/node/sessions/auditLog';
import { HookServer } from '../../src/node/sessions/hookServer';
import { startMockAnthropic, toolResults, type MockAnthropic } from '../fixtures/mockAnthropic';
import { nextApproval, startHarness, waitFor, type AgentHarness } from './agentHarness';

describe('AgentSession with the real Claude Code CLI: the approval gate', function () {
  // Typically 5–15 s each; the margin is for a loaded machine.
  this.timeout(45_000);
  let mock: MockAnthropic;
  let h: AgentHarness | undefined;

  before(async () => {
    mock = await startMockAnthropic();
  });
  after(async () => {
    await mock.close();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('runs an allowed Bash call (the file appears) and writes the decision to the audit log', async () => {
    const auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-audit-')), 'audit.jsonl');
    const audit = AuditLog.open(auditFile);
    h = await startHarness({ mockUrl: mock.url, audit });
    const harness = h;
    const prompted = harness.session.prompt(`SCENARIO:bash DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    assert.equal(request.tool, 'Bash');
    assert.equal(request.detail.kind, 'command');
    assert.equal(harness.session.info().status, 'waiting');
    assert.deepEqual(harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    await prompted;
    await waitFor('out.txt', () => fs.existsSync(path.join(harness.project, 'out.txt')));
    assert.equal(fs.readFileSync(path.join(harness.project, 'out.txt'), 'utf8'), 'hi\n');
    await waitFor('idle after Stop', () => harness.session.info().status === 'idle');
    await waitFor('the final answer in the chat', () => harness.chatEvents().some((e) => e.kind === 'assistant' && e.text.includes('Done: wrote out.txt')));
    audit.close();
    const lines = fs.readFileSync(auditFile, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const record = AuditRecordSchema.parse(JSON.parse(lines[0]));
    assert.equal(record.resolution, 'allowed');
    assert.equal(record.inputHash, request.inputHash);
    assert.equal(fs.statSync(auditFile).mode & 0o777, 0o600);
  });

  it('blocks a denied Write and the model receives the message from the device', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    await harness.session.prompt(`SCENARIO:write DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    assert.equal(request.tool, 'Write');
    assert.equal(request.detail.kind, 'write');
    harness.broker.decide(request.id, request.inputHash, 'deny', { kind: 'device', name: 'phone' }, 'Not now, use a README instead');
    await waitFor('the denial in a tool result', () => toolResults(mock.requests).find((r) => r.content.includes('Not now, use a README instead')));
    await waitFor('idle', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'notes.txt')), false);
  });

  it('denies a call nobody decides before the expiry', async () => {
    h = await startHarness({ mockUrl: mock.url, expiryMs: 1500 });
    const harness = h;
    await harness.session.prompt(`SCENARIO:bash DIR=${harness.project} go`);
    await nextApproval(harness);
    const { outcome } = await waitFor('the expiry', () => harness.outcomes[0]);
    assert.equal(outcome.resolution, 'expired');
    await waitFor('the expiry reason in a tool result', () => toolResults(mock.requests).find((r) => r.content.includes('No answer from Walkie within 2 seconds')));
    await waitFor('idle', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false);
  });

  it('blocks the tool when the hook server dies mid-approval (onFailure: block)', async () => {
    const server = await HookServer.listen();
    h = await startHarness({ mockUrl: mock.url, hookServer: server });
    const harness = h;
    await harness.session.prompt(`SCENARIO:bash DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    await server.close();
    // The CLI saw its hook fail; the request can no longer be answered and must not run the tool.
    await waitFor('the cancelled approval', () => harness.outcomes[0]);
    harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' });
    await waitFor('a blocked tool result', () => toolResults(mock.requests).find((r) => r.is_error === true), 20_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false);
  });

  it('answers the local permission prompt with the decision already made, so nothing waits unseen', async () => {
    // The user's own "ask" rule makes Claude Code prompt even after a hook allow (PermissionRequest fires).
    h = await startHarness({ mockUrl: mock.url, userSettings: { permissions: { ask: ['Bash'] } } });
    const harness = h;
    await harness.session.prompt(`SCENARIO:bash DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' });
    await waitFor('out.txt', () => fs.existsSync(path.join(harness.project, 'out.txt')));
    assert.equal(harness.approvals.length, 1);
  });

  it('neutralises defaultMode bypassPermissions in the user settings: edits are still routed', async () => {
    h = await startHarness({ mockUrl: mock.url, userSettings: { permissions: { defaultMode: 'bypassPermissions' } } });
    const harness = h;
    await harness.session.prompt(`SCENARIO:write DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    assert.equal(request.tool, 'Write');
    assert.equal(harness.session.bypassDetected, false);
    harness.broker.decide(request.id, request.inputHash, 'deny', { kind: 'device', name: 'phone' });
    await waitFor('idle', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'notes.txt')), false);
  });

  it('cancels the pending approval when Esc kills the waiting hook, and the tool does not run', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    await harness.session.prompt(`SCENARIO:bash DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    harness.session.interrupt();
    const { outcome } = await waitFor('the cancellation', () => harness.outcomes[0]);
    assert.equal(outcome.resolution, 'cancelled');
    const late = harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' });
    assert.equal(late.ok, false);
    await waitFor('idle after the interrupt', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false);
  });
});
