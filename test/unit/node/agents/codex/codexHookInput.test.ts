import assert from 'node:assert/strict';
import { parseCodexHookInput } from '../../../../../src/node/agents/codex/codexHookInput';

// As measured on Codex 0.171.0 (docs/codex.md, "What its hooks send").
const common = { session_id: '01a22da9-b2bf-7870-9e35-aebffec2043a', turn_id: 't1', transcript_path: '/h/.codex/sessions/2026/11/30/rollout-x.jsonl', cwd: '/p', model: 'gpt-6-sol', permission_mode: 'default' };

describe('parseCodexHookInput', () => {
  it('reads a shell command and a patch as gate events', () => {
    const bash = parseCodexHookInput({ ...common, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'echo hi > out.txt' }, tool_use_id: 'call_1' });
    assert.deepEqual(bash, { eventName: 'PreToolUse', agentSessionId: common.session_id, transcriptPath: common.transcript_path, cwd: '/p', bypass: false, kind: 'tool', phase: 'before', tool: 'Bash', input: { command: 'echo hi > out.txt' }, toolUseId: 'call_1' });
    const patch = parseCodexHookInput({ ...common, hook_event_name: 'PermissionRequest', tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** End Patch' } });
    assert.equal(patch.kind === 'tool' && patch.phase, 'prompt');
  });

  it("drops only the model's justification from a local prompt's command, so it matches the decision just made", () => {
    const ev = parseCodexHookInput({ ...common, hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'echo esc > esc.txt', description: 'Walkie test' } });
    assert.deepEqual(ev.kind === 'tool' && ev.input, { command: 'echo esc > esc.txt' });
    const other = parseCodexHookInput({ ...common, hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'ls', description: 'x', workdir: '/' } });
    assert.deepEqual(other.kind === 'tool' && other.input, { command: 'ls', description: 'x', workdir: '/' });
  });

  it("gates a sub-agent's tool call but keeps its rollout and its task out of the session's chat", () => {
    const sub = { ...common, agent_id: '01a22e1f-95e3', agent_type: 'default', transcript_path: '/h/.codex/sessions/rollout-sub.jsonl' };
    const tool = parseCodexHookInput({ ...sub, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } });
    assert.equal(tool.kind, 'tool');
    assert.equal(tool.kind === 'tool' && tool.transcriptPath, undefined);
    const task = parseCodexHookInput({ ...sub, hook_event_name: 'UserPromptSubmit', prompt: 'SCENARIO:shell' });
    assert.equal(task.kind, 'other');
    assert.equal(parseCodexHookInput({ ...common, hook_event_name: 'SessionEnd' }).kind, 'end');
  });

  it('flags bypassPermissions (what -a never reports)', () => {
    const ev = parseCodexHookInput({ ...common, permission_mode: 'bypassPermissions', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } });
    assert.equal(ev.bypass, true);
  });

  it('reads prompts and stops', () => {
    assert.deepEqual(parseCodexHookInput({ ...common, hook_event_name: 'UserPromptSubmit', prompt: 'hello' }).kind, 'prompt');
    assert.deepEqual(parseCodexHookInput({ ...common, hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'x' }).kind, 'stop');
    assert.deepEqual(parseCodexHookInput({ ...common, hook_event_name: 'SessionStart', source: 'startup' }).kind, 'other');
  });

  it('marks junk as invalid, as a gate when it could be one, and never echoes the body', () => {
    for (const body of [null, 'x', [], {}, { hook_event_name: 'PreToolUse', session_id: 's', tool_name: 'Bash', tool_input: 'SECRET-CANARY' }]) {
      const ev = parseCodexHookInput(body);
      assert.equal(ev.kind, 'invalid');
      assert.equal(ev.kind === 'invalid' && ev.gate, true);
      assert.ok(!JSON.stringify(ev).includes('SECRET-CANARY'));
    }
    const info = parseCodexHookInput({ hook_event_name: 'Stop' });
    assert.equal(info.kind === 'invalid' && info.gate, false);
  });
});
