import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { AuditRecordSchema } from '../../../../src/core/approvals/auditRecord';
import { ManualClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import type { ToolUseEvent } from '../../../../src/node/agents/agentAdapter';
import { AuditLog } from '../../../../src/node/sessions/auditLog';
import { ClaudeCodeAdapter } from '../../../../src/node/agents/claude/claudeCode';
import { BYPASS_REASON, ToolGate } from '../../../../src/node/sessions/toolGate';

const CWD = '/home/dev/proj';
const call = (tool: string, input: Record<string, unknown>, o: Partial<ToolUseEvent> = {}): ToolUseEvent => ({
  kind: 'tool',
  phase: 'before',
  eventName: 'PreToolUse',
  tool,
  input,
  toolUseId: 'toolu_1',
  cwd: CWD,
  bypass: false,
  ...o,
});
const bash = (command = 'npm test', o: Partial<ToolUseEvent> = {}) => call('Bash', { command }, o);
const tick = () => new Promise((r) => setImmediate(r));

describe('ToolGate', () => {
  let clock: ManualClock;
  let broker: ApprovalBroker;
  let gate: ToolGate;
  let bypassFlags: number;
  let signal: AbortController;

  beforeEach(() => {
    clock = new ManualClock();
    broker = new ApprovalBroker({ clock, expiryMs: 60_000 });
    bypassFlags = 0;
    signal = new AbortController();
    gate = new ToolGate({ session: 's1', adapter: new ClaudeCodeAdapter(), broker, clock, logger: nullLogger, cwd: CWD, onBypass: () => bypassFlags++ });
  });

  it('leaves read-only tools to the agent’s own rules', async () => {
    assert.deepEqual(await gate.decide(call('Read', { file_path: '/etc/passwd' }), signal.signal), { kind: 'defer' });
    assert.equal(broker.pending().length, 0);
  });

  it('routes a Bash call and allows it once the device allows that exact input', async () => {
    const answer = gate.decide(bash(), signal.signal);
    await tick();
    const [req] = broker.pending('s1');
    assert.equal(req.tool, 'Bash');
    assert.equal(broker.decide(req.id, req.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    assert.equal((await answer).kind, 'allow');
  });

  it('passes the device’s deny message to the model', async () => {
    const answer = gate.decide(bash(), signal.signal);
    await tick();
    const [req] = broker.pending('s1');
    broker.decide(req.id, req.inputHash, 'deny', { kind: 'device', name: 'phone' }, 'use npm run test:unit');
    assert.deepEqual(await answer, { kind: 'deny', reason: 'use npm run test:unit' });
  });

  it('denies when nobody decides before the expiry', async () => {
    const answer = gate.decide(bash(), signal.signal);
    await tick();
    clock.advance(60_000);
    const a = await answer;
    assert.equal(a.kind, 'deny');
    assert.match(a.kind === 'deny' ? a.reason : '', /No answer from Walkie/);
  });

  it('cancels the approval when the agent hangs up (Esc) and denies', async () => {
    const answer = gate.decide(bash(), signal.signal);
    await tick();
    const [req] = broker.pending('s1');
    signal.abort();
    assert.equal((await answer).kind, 'deny');
    assert.equal(broker.pending().length, 0);
    assert.equal(broker.decide(req.id, req.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, false);
  });

  it('denies every call, even a read, while the agent reports bypassPermissions, and flags it', async () => {
    assert.deepEqual(await gate.decide(call('Read', { file_path: '/x' }, { bypass: true }), signal.signal), { kind: 'deny', reason: BYPASS_REASON });
    assert.deepEqual(await gate.decide(bash('ls', { bypass: true }), signal.signal), { kind: 'deny', reason: BYPASS_REASON });
    assert.equal(bypassFlags, 2);
    assert.equal(broker.pending().length, 0);
  });

  it('answers the local prompt that follows a decision with that decision, once', async () => {
    const first = gate.decide(bash('rm -rf build'), signal.signal);
    await tick();
    const [req] = broker.pending('s1');
    broker.decide(req.id, req.inputHash, 'allow', { kind: 'device', name: 'phone' });
    await first;
    const prompt = bash('rm -rf build', { phase: 'prompt', eventName: 'PermissionRequest', toolUseId: undefined });
    assert.equal((await gate.decide(prompt, signal.signal)).kind, 'allow');
    assert.equal(broker.pending().length, 0);
    // The same input prompting again is a new question for the device.
    const again = gate.decide(prompt, signal.signal);
    await tick();
    assert.equal(broker.pending('s1').length, 1);
    broker.cancelSession('s1', { kind: 'agent' });
    assert.equal((await again).kind, 'deny');
  });

  it('routes a local prompt with no matching decision (other input, other tool, or too old)', async () => {
    const first = gate.decide(bash('make'), signal.signal);
    await tick();
    const [req] = broker.pending('s1');
    broker.decide(req.id, req.inputHash, 'allow', { kind: 'device', name: 'phone' });
    await first;
    for (const ev of [bash('make install', { phase: 'prompt' }), call('Write', { command: 'make' }, { phase: 'prompt' })]) {
      const p = gate.decide(ev, signal.signal);
      await tick();
      assert.equal(broker.pending('s1').length, 1);
      broker.cancelSession('s1', { kind: 'agent' });
      assert.equal((await p).kind, 'deny');
    }
    clock.advance(5 * 60_000 + 1);
    const stale = gate.decide(bash('make', { phase: 'prompt' }), signal.signal);
    await tick();
    assert.equal(broker.pending('s1').length, 1);
    broker.cancelSession('s1', { kind: 'agent' });
    await stale;
  });

  it('routes an unknown tool and every MCP tool', async () => {
    for (const tool of ['mcp__github__create_issue', 'SomeFutureTool']) {
      const p = gate.decide(call(tool, {}), signal.signal);
      await tick();
      assert.equal(broker.pending('s1')[0]?.tool, tool);
      broker.cancelSession('s1', { kind: 'agent' });
      assert.equal((await p).kind, 'deny');
    }
  });

  it('denies when the broker fails', async () => {
    broker.dispose();
    const failing = new ToolGate({
      adapter: new ClaudeCodeAdapter(),
      session: 's1',
      broker: { request: () => { throw new Error('down'); } } as unknown as ApprovalBroker,
      clock,
      logger: nullLogger,
      cwd: CWD,
      onBypass: () => undefined,
    });
    assert.equal((await failing.decide(bash(), signal.signal)).kind, 'deny');
  });

  it('writes one audit record per decision, without the input', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-gate-audit-'));
    const audit = AuditLog.open(path.join(dir, 'audit.jsonl'));
    const audited = new ToolGate({ session: 's1', adapter: new ClaudeCodeAdapter(), broker, clock, logger: nullLogger, cwd: CWD, audit, onBypass: () => undefined });
    const p = audited.decide(bash('echo SECRET-INPUT'), signal.signal);
    await tick();
    const [req] = broker.pending('s1');
    broker.decide(req.id, req.inputHash, 'deny', { kind: 'device', name: 'phone' });
    await p;
    audit.close();
    const text = fs.readFileSync(audit.file, 'utf8');
    assert.equal(text.includes('SECRET-INPUT'), false);
    const rec = AuditRecordSchema.parse(JSON.parse(text));
    assert.deepEqual([rec.tool, rec.resolution, rec.by, rec.inputHash], ['Bash', 'denied', 'phone', req.inputHash]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
