import assert from 'node:assert/strict';
import { RolloutReader } from '../../../../../src/node/agents/codex/rolloutReader';

// Record shapes as measured in Codex 0.171.0 rollout files (docs/codex.md, "Rollout files").
const item = (payload: Record<string, unknown>) => JSON.stringify({ timestamp: '2026-11-30T18:13:53.144Z', ordinal: 1, type: 'response_item', payload });
const user = (text: string) => item({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

describe('RolloutReader', () => {
  it('turns prompts and answers into chat, and skips injected context and developer messages', () => {
    const r = new RolloutReader('/p');
    assert.deepEqual(r.feed(user('<environment_context>\n  <cwd>/p</cwd>\n</environment_context>')), []);
    assert.deepEqual(r.feed(item({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex' }] })), []);
    assert.deepEqual(r.feed(user('fix it')), [{ kind: 'user', text: 'fix it' }]);
    assert.deepEqual(r.feed(item({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] })), [{ kind: 'assistant', text: 'Done.' }]);
  });

  it('shows a tool call and its status, never its output', () => {
    const r = new RolloutReader('/p');
    assert.deepEqual(r.feed(item({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"cat secrets.env","workdir":"/p"}', call_id: 'c1' })), [{ kind: 'tool', toolUseId: 'c1', tool: 'Bash', summary: 'Ran `cat secrets.env`', status: 'running' }]);
    const out = r.feed(item({ type: 'function_call_output', call_id: 'c1', output: 'Chunk ID: 1\nProcess exited with code 0\nOutput:\nFILE-CANARY-9931\n' }));
    assert.deepEqual(out, [{ kind: 'tool', toolUseId: 'c1', tool: 'Bash', summary: 'Ran `cat secrets.env`', status: 'ok' }]);
    assert.ok(!JSON.stringify(out).includes('CANARY'));
    r.feed(item({ type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: /p/a.txt\n+x\n*** End Patch', call_id: 'c2' }));
    assert.deepEqual(r.feed(item({ type: 'custom_tool_call_output', call_id: 'c2', output: 'Command blocked by PreToolUse hook: Denied. Command: …' })), [{ kind: 'tool', toolUseId: 'c2', tool: 'apply_patch', summary: 'Create a.txt', status: 'denied' }]);
    r.feed(item({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"false"}', call_id: 'c3' }));
    const [failed] = r.feed(item({ type: 'function_call_output', call_id: 'c3', output: 'Process exited with code 1\nOutput:\n' }));
    assert.ok(failed.kind === 'tool' && failed.status === 'error');
  });

  it('reports an interrupt and ignores junk', () => {
    const r = new RolloutReader('/p');
    assert.deepEqual(r.feed(JSON.stringify({ type: 'event_msg', payload: { type: 'turn_aborted', reason: 'interrupted' } })), [{ kind: 'notice', text: 'Interrupted' }]);
    for (const junk of ['', 'not json', 'null', '[]', '{"type":"response_item","payload":null}', JSON.stringify({ type: 'event_msg', payload: { type: 'item_completed' } })]) assert.deepEqual(r.feed(junk), []);
  });
});
