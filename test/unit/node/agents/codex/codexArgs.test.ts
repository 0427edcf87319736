import assert from 'node:assert/strict';
import { AgentLaunchError } from '../../../../../src/node/agents/agentLaunchError';
import { checkCodexArgs } from '../../../../../src/node/agents/codex/codexArgs';

function refused(argv: string[], code: string): void {
  assert.throws(() => checkCodexArgs(argv), (e: unknown) => e instanceof AgentLaunchError && e.code === code, argv.join(' '));
}

describe('checkCodexArgs', () => {
  it('refuses the flags that run tools without approval', () => {
    for (const f of ['--dangerously-bypass-approvals-and-sandbox', '--yolo', '--approve-for-me']) refused([f], 'AGENT_ERR_BYPASS');
    refused(['-a', 'never'], 'AGENT_ERR_BYPASS');
    refused(['--ask-for-approval=never'], 'AGENT_ERR_BYPASS');
    refused(['--sandbox', 'danger-full-access'], 'AGENT_ERR_BYPASS');
    refused(['-s', 'danger-full-access'], 'AGENT_ERR_BYPASS');
    refused(['--enable', 'unified_exec_tty'], 'AGENT_ERR_BYPASS');
    refused(['-c', 'features.unified_exec_tty=true'], 'AGENT_ERR_SETTINGS');
  });

  it('refuses hook trust bypass, hooks switched off and a remote app server', () => {
    refused(['--dangerously-bypass-hook-trust'], 'AGENT_ERR_HOOKS_OFF');
    refused(['--disable', 'hooks'], 'AGENT_ERR_HOOKS_OFF');
    refused(['--disable=hooks'], 'AGENT_ERR_HOOKS_OFF');
    refused(['--remote', 'ws://127.0.0.1:4500'], 'AGENT_ERR_SETTINGS');
  });

  it('refuses -c overrides of hooks, their trust, the approval policy and the sandbox, however the key is spelled', () => {
    for (const kv of ['hooks.PreToolUse=[]', 'hooks.state={}', 'features.hooks=false', 'features={hooks=false}', '"features".hooks=false', ' approval_policy = "never"', 'sandbox_mode="danger-full-access"', 'bypass_hook_trust=true', 'approvals_reviewer="auto"']) {
      refused(['-c', kv], 'AGENT_ERR_SETTINGS');
      refused([`--config=${kv}`], 'AGENT_ERR_SETTINGS');
    }
    refused([`-capproval_policy="never"`], 'AGENT_ERR_SETTINGS');
  });

  it('refuses subcommands and a bare --, but not prompt words', () => {
    refused(['exec', 'do it'], 'AGENT_ERR_ARGS');
    refused(['resume', '--last'], 'AGENT_ERR_ARGS');
    refused(['--', '--yolo'], 'AGENT_ERR_ARGS');
    assert.deepEqual(checkCodexArgs(['fix the build', 'exec']).args, ['fix the build', 'exec']);
  });

  it('keeps ordinary arguments, drops -a on-request (Walkie sets it) and keeps a stricter read-only sandbox', () => {
    const r = checkCodexArgs(['-m', 'gpt-5.5', '-c', 'model_reasoning_effort="high"', '--enable', 'web_search', '-a', 'on-request', '-s', 'read-only', 'hello']);
    assert.deepEqual(r.args, ['-m', 'gpt-5.5', '-c', 'model_reasoning_effort="high"', '--enable', 'web_search', 'hello']);
    assert.equal(r.sandbox, 'read-only');
    assert.equal(checkCodexArgs([]).sandbox, 'workspace-write');
  });
});
