// The approval gate with each real agent CLI (Claude Code and Codex CLI, offline against their scripted
// models): ONE test body per property, run for every agent in GATE_DRIVERS (gateDrivers.ts). Every shell
// command and every edit waits for a decision made here through the ApprovalBroker; a deny stops it and the
// model gets the message; an expired, cancelled or lost approval denies; a bypass mode in the user's own
// configuration changes nothing; every bypass argument is refused before anything is spawned. Then the
// few properties only one agent has (Claude Code's local permission prompt and Esc on a waiting hook).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApprovalBroker } from '../../src/core/approvals/approvalBroker';
import { AuditRecordSchema } from '../../src/core/approvals/auditRecord';
import { systemClock } from '../../src/core/base/clock';
import { nullLogger } from '../../src/core/base/logger';
import { AgentLaunchError } from '../../src/node/agents/agentLaunchError';
import { AgentSession } from '../../src/node/sessions/agentSession';
import { AuditLog } from '../../src/node/sessions/auditLog';
import { HookServer } from '../../src/node/sessions/hookServer';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { nextApproval, startHarness, waitFor, type AgentHarness } from './agentHarness';
import { GATE_DRIVERS, markingWrapper, type GateMock, type GateRun } from './gateDrivers';

const phone = { kind: 'device', name: 'phone' } as const;

for (const driver of GATE_DRIVERS) {
  describe(`The approval gate with the real ${driver.name} CLI`, function () {
    // Typically 1–3 s each; the margin is for a loaded machine.
    this.timeout(60_000);
    let mock: GateMock;
    let run: GateRun | undefined;

    before(async () => {
      mock = await driver.startMock();
    });
    after(async () => {
      await mock.close();
    });
    afterEach(async () => {
      await run?.close();
      run = undefined;
    });

    const file = (name: string) => path.join(run?.project ?? '', name);

    it('holds every command and every edit of a turn until it is allowed, then runs each; the prompt reaches the model once; the decisions are audited', async () => {
      const auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-gate-audit-')), 'audit.jsonl');
      const audit = AuditLog.open(auditFile);
      const r = (run = await driver.start(mock, { audit }));
      const marker = `full-${Date.now()}`;
      const prompted = r.session.prompt(driver.prompt('full', r.project, marker), 'client-full');
      const expected = [
        { kind: 'command', before: () => assert.equal(fs.existsSync(file('out.txt')), false, 'nothing runs before the decision') },
        { kind: 'write', before: () => assert.equal(fs.existsSync(file('notes.txt')), false, 'nothing is written before the decision') },
        { kind: 'edit', before: () => assert.equal(fs.readFileSync(file('notes.txt'), 'utf8'), 'hello from mock\nline2\n', 'nothing is edited before the decision') },
      ];
      for (const [i, step] of expected.entries()) {
        const request = await waitFor(`approval #${i + 1}`, () => r.approvals[i]);
        assert.equal(request.detail.kind, step.kind);
        if (request.detail.kind === 'command') assert.equal(request.detail.command, 'echo hi > out.txt');
        assert.equal(r.session.info().status, 'waiting');
        step.before();
        assert.equal(r.broker.decide(request.id, request.inputHash, 'allow', phone).ok, true);
      }
      await prompted;
      await waitFor('the final answer in chat', () => r.chatEvents().some((e) => e.kind === 'assistant' && e.text.includes('All done. Final answer from mock.')));
      await waitFor('idle', () => r.session.info().status === 'idle');
      assert.equal(r.approvals.length, 3, 'one approval per command or edit');
      assert.equal(fs.readFileSync(file('out.txt'), 'utf8'), 'hi\n');
      assert.equal(fs.readFileSync(file('notes.txt'), 'utf8'), 'hello from mock\nline2 edited\n');
      assert.equal(r.session.info().agent, driver.agent);
      assert.equal(mock.promptsWith(marker), 1, 'the model got the prompt once');
      assert.equal(r.chatEvents().filter((e) => e.kind === 'user' && e.text.includes(marker)).length, 1, 'the prompt shows once in chat');
      audit.close();
      const records = fs.readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => AuditRecordSchema.parse(JSON.parse(l)));
      assert.deepEqual(records.map((x) => x.resolution), ['allowed', 'allowed', 'allowed']);
      assert.deepEqual(records.map((x) => x.inputHash), r.approvals.map((x) => x.inputHash));
      assert.equal(fs.statSync(auditFile).mode & 0o777, 0o600);
    });

    it('blocks a denied new file (nothing is written) and the model gets the message from the device', async () => {
      const r = (run = await driver.start(mock));
      void r.session.prompt(driver.prompt('create', r.project));
      const request = await waitFor('the approval', () => r.approvals[0]);
      assert.equal(request.tool, driver.createTool);
      assert.equal(request.detail.kind, 'write');
      assert.equal(r.broker.decide(request.id, request.inputHash, 'deny', phone, 'NOPE-7731 use a README instead').ok, true);
      await waitFor('the deny reason at the model', () => mock.toolOutputs().some((o) => o.includes('NOPE-7731 use a README instead')));
      await waitFor('idle', () => r.session.info().status === 'idle');
      assert.equal(fs.existsSync(file('notes.txt')), false);
    });

    it('denies a command nobody decides in time, and one whose approval Walkie cancels', async () => {
      const r = (run = await driver.start(mock, { expiryMs: 1500 }));
      void r.session.prompt(driver.prompt('shell', r.project, 'expiry'));
      await waitFor('the first approval', () => r.approvals[0]);
      await waitFor('the expiry at the model', () => mock.toolOutputs().some((o) => o.includes('No answer from Walkie within 2 seconds')));
      assert.equal(r.outcomes[0]?.outcome.resolution, 'expired');
      await waitFor('idle', () => r.session.info().status === 'idle');
      assert.equal(fs.existsSync(file('out.txt')), false);

      void r.session.prompt(driver.prompt('shell', r.project, 'cancelled'));
      const second = await waitFor('the second approval', () => r.approvals[1]);
      r.broker.cancel(second.id, { kind: 'walkie' }, 'CANCEL-5120 the session was revoked');
      await waitFor('the cancel reason at the model', () => mock.toolOutputs().some((o) => o.includes('CANCEL-5120')));
      await waitFor('idle', () => r.session.info().status === 'idle');
      assert.equal(r.outcomes[1]?.outcome.resolution, 'cancelled');
      assert.equal(fs.existsSync(file('out.txt')), false);
    });

    it('blocks the command when the host dies while its approval is pending (fail closed)', async () => {
      const hookServer = await HookServer.listen();
      const r = (run = await driver.start(mock, { hookServer }));
      const before = mock.toolOutputs().length;
      void r.session.prompt(driver.prompt('shell', r.project, 'host-dies'));
      const request = await waitFor('the approval', () => r.approvals[0]);
      // Every connection drops and the port stops answering: what a killed host looks like to the hook.
      await hookServer.close();
      await waitFor('a blocked tool result at the model', () => mock.toolOutputs().length > before, 20_000);
      // Even a late "allow" changes nothing.
      r.broker.decide(request.id, request.inputHash, 'allow', phone);
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(fs.existsSync(file('out.txt')), false, 'the command did not run');
    });

    it('still holds an edit when the user\'s own configuration asks for no approvals', async () => {
      const r = (run = await driver.start(mock, { userBypass: true }));
      void r.session.prompt(driver.prompt('create', r.project));
      const request = await waitFor('the approval', () => r.approvals[0]);
      assert.equal(request.tool, driver.createTool);
      assert.equal(r.session.bypassDetected, false);
      assert.equal(r.broker.decide(request.id, request.inputHash, 'deny', phone).ok, true);
      await waitFor('idle', () => r.session.info().status === 'idle');
      assert.equal(fs.existsSync(file('notes.txt')), false);
    });

    it('refuses every argument that would switch the gate off, before anything is spawned', async () => {
      const wrapper = markingWrapper(driver.bin());
      const broker = new ApprovalBroker({ clock: systemClock });
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-gate-refuse-'));
      const calls = mock.calls();
      try {
        for (const argv of driver.bypassRoutes) {
          await assert.rejects(
            AgentSession.start({ adapter: driver.adapter(wrapper.bin), argv, cwd, broker, clock: systemClock, logger: nullLogger, env: { PATH: process.env.PATH } }),
            (e: unknown) => e instanceof AgentLaunchError && /^AGENT_ERR_(BYPASS|HOOKS_OFF|SETTINGS|ARGS)$/.test(e.code),
            argv.join(' '),
          );
        }
        assert.equal(wrapper.spawned(), false, 'the CLI was run');
        assert.equal(mock.calls(), calls, 'a CLI reached the model');
      } finally {
        broker.dispose();
        wrapper.dispose();
        fs.rmSync(cwd, { recursive: true, force: true });
      }
    });
  });
}

describe('The approval gate with the real Claude Code CLI: its local permission prompt and Esc', function () {
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

  it('answers the local permission prompt with the decision already made, so nothing waits unseen', async () => {
    // The user's own "ask" rule makes Claude Code prompt even after a hook allow (PermissionRequest fires).
    h = await startHarness({ mockUrl: mock.url, userSettings: { permissions: { ask: ['Bash'] } } });
    const harness = h;
    await harness.session.prompt(`SCENARIO:bash DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    harness.broker.decide(request.id, request.inputHash, 'allow', phone);
    await waitFor('out.txt', () => fs.existsSync(path.join(harness.project, 'out.txt')));
    assert.equal(harness.approvals.length, 1);
  });

  it('cancels the pending approval when Esc kills the waiting hook, and the tool does not run', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    await harness.session.prompt(`SCENARIO:bash DIR=${harness.project} go`);
    const request = await nextApproval(harness);
    harness.session.interrupt();
    const { outcome } = await waitFor('the cancellation', () => harness.outcomes[0]);
    assert.equal(outcome.resolution, 'cancelled');
    const late = harness.broker.decide(request.id, request.inputHash, 'allow', phone);
    assert.equal(late.ok, false);
    await waitFor('idle after the interrupt', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'out.txt')), false);
  });
});
