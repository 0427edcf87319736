import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adapterFor, agentKindOf } from '../../../../../src/node/agents/registry/adapterFor';
import { CodexCliAdapter } from '../../../../../src/node/agents/codex/codexCli';
import { describeCodexToolCall } from '../../../../../src/node/agents/codex/codexTools';
import type { HookEvent } from '../../../../../src/node/agents/agentAdapter';

const tool = (eventName: string): HookEvent => ({ kind: 'tool', eventName, phase: eventName === 'PreToolUse' ? 'before' : 'prompt', tool: 'Bash', input: { command: 'ls' }, bypass: false });

describe('CodexCliAdapter', () => {
  const a = new CodexCliAdapter({ bin: '/nowhere/codex', hookRuntime: '/usr/bin/node' });

  it('answers PreToolUse with a deny only (Codex 0.171.0 reports "allow" as a failed hook)', () => {
    assert.deepEqual(a.answer(tool('PreToolUse'), { kind: 'allow', reason: 'ok' }), {});
    assert.deepEqual(a.answer(tool('PreToolUse'), { kind: 'defer' }), {});
    assert.deepEqual(a.answer(tool('PreToolUse'), { kind: 'deny', reason: 'no' }), { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'no' } });
  });

  it('answers a local permission prompt with a decision, never a defer', () => {
    assert.deepEqual(a.answer(tool('PermissionRequest'), { kind: 'allow', reason: 'ok' }), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
    assert.equal((a.answer(tool('PermissionRequest'), { kind: 'defer' }) as { hookSpecificOutput: { decision: { behavior: string } } }).hookSpecificOutput.decision.behavior, 'deny');
  });

  it('denies a gate call it could not read, and gives no body when the event is unknown (the script then blocks)', () => {
    assert.equal((a.answer({ kind: 'invalid', eventName: 'PreToolUse', gate: true, reason: 'x' }, { kind: 'allow', reason: '' }) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision, 'deny');
    assert.equal(a.answer({ kind: 'invalid', gate: true, reason: 'x' }, { kind: 'allow', reason: '' }), undefined);
  });

  it('launches with its own flags first and the hook secret only in a 0600 file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-codex-launch-'));
    try {
      const hookUrl = 'http://127.0.0.1:9/hook/SECRET-abc';
      const plan = a.prepareLaunch('/bin/codex', ['-m', 'gpt-5.5', 'hello'], { hookUrl, hookTimeoutSec: 65, env: { PATH: '/bin' }, privateDir: dir });
      assert.deepEqual(plan.args.slice(0, 8), ['--enable', 'hooks', '--disable', 'unified_exec_tty', '--ask-for-approval', 'on-request', '--sandbox', 'workspace-write']);
      assert.deepEqual(plan.args.slice(-3), ['-m', 'gpt-5.5', 'hello']);
      assert.ok(!plan.args.join(' ').includes('SECRET-abc'), 'the secret is not on the command line');
      const urlFile = path.join(dir, 'walkie-hook-url');
      assert.equal(fs.readFileSync(urlFile, 'utf8'), hookUrl);
      assert.equal(fs.statSync(urlFile).mode & 0o777, 0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is ready at the composer, not while a startup dialog holds the keyboard (screens measured on 0.171.0)', () => {
    const composer = ' >_ OpenAI Codex (v0.171.0) /tmp/cx/p ›Ask Codex to do anything GPT-6-Sol default·/tmp/cx/p←agens · ?forshortcuts';
    assert.equal(a.isReadyScreen(composer), true);
    assert.equal(a.isReadyScreen(' › Ask Codex to do anything ? for shortcuts /tmp/cx/p Trustthisfolder?Codexcanread › 1. Trust and continue enter continue · esc back'), false);
    assert.equal(a.isReadyScreen('Meet GPT-6 Sol 1. Try new model 2.Useexistingmodelenter/esc confirm · ^c quit'), false);
    assert.equal(a.isReadyScreen('Meet GPT-6 Sol enter/esc confirm · ^c quit' + composer), true);
  });

  it('is never ready once the hook review dialog showed (Codex did not take Walkie\'s trust, so its hooks may not run)', () => {
    const fresh = new CodexCliAdapter({ bin: '/nowhere/codex' });
    const composer = ' ›Ask Codex to do anything GPT-6-Sol default·/tmp/cx/p←agens · ?forshortcuts';
    // Measured screen text, with the letter the UI draws by a cursor move missing.
    assert.equal(fresh.isReadyScreen(' › Ask Codex to do anything ? for shortcuts /tmp/cx/pHooks eed review1 hook is new or changed.Hooks can run outside the sandbox after you trust them.› 1. Review hooks 2.Trustallandcontinue3.Continuewithouttrusting(hookswon\'trun)enter confirm · esc skip'), false);
    assert.equal(fresh.isReadyScreen(composer), false, 'after "Continue without trusting" the composer is back, with no hooks');
  });

  it('describes a patch as a write or an edit, and flags one outside the workspace', () => {
    const add = describeCodexToolCall('apply_patch', { command: '*** Begin Patch\n*** Add File: /w/a.txt\n+one\n+two\n*** End Patch' }, '/w', '/w');
    assert.deepEqual(add.detail, { kind: 'write', file: 'a.txt', content: 'one\ntwo' });
    const edit = describeCodexToolCall('apply_patch', { command: '*** Begin Patch\n*** Update File: /w/a.txt\n@@\n one\n-two\n+TWO\n*** End Patch' }, '/w', '/w');
    assert.deepEqual(edit.detail, { kind: 'edit', file: 'a.txt', edits: [{ oldText: 'one\ntwo', newText: 'one\nTWO' }] });
    const outside = describeCodexToolCall('apply_patch', { command: '*** Begin Patch\n*** Add File: /etc/cron.d/x\n+y\n*** End Patch' }, '/w', '/w');
    assert.equal(outside.risk.level, 'high');
    const many = describeCodexToolCall('apply_patch', { command: '*** Begin Patch\n*** Delete File: /w/a\n*** Delete File: /w/b\n*** End Patch' }, '/w', '/w');
    assert.equal(many.detail.kind, 'other');
    assert.equal(describeCodexToolCall('Bash', { command: 'rm -rf /' }, '/w', '/w').risk.level, 'high');
  });
});

describe('adapterFor', () => {
  it('picks Codex for a command named codex, Claude Code otherwise, and obeys an explicit kind', () => {
    assert.equal(agentKindOf('codex'), 'codex');
    assert.equal(agentKindOf('/opt/bin/codex'), 'codex');
    assert.equal(agentKindOf('C:\\tools\\codex.exe'), 'codex');
    assert.equal(agentKindOf('claude'), 'claude-code');
    assert.equal(agentKindOf('codex-wrapper'), 'claude-code');
    assert.equal(adapterFor('codex').id, 'codex');
    assert.equal(adapterFor('claude').id, 'claude-code');
    assert.equal(adapterFor('/usr/local/bin/my-agent', 'codex').id, 'codex');
  });
});
