import assert from 'node:assert/strict';
import { isRouted } from '../../../../src/core/approvals/toolPolicy';
import { CLAUDE_READ_ONLY_TOOLS as READ_ONLY_TOOLS } from '../../../../src/node/agents/claude/claudeTools';

// The policy with Claude Code's read-only list, as its adapter gives it to the gate.
const readOnly = (t: string) => READ_ONLY_TOOLS.has(t);

describe('toolPolicy with Claude Code\'s read-only tools', () => {
  it('routes the tools that change things', () => {
    for (const t of ['Bash', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit']) assert.equal(isRouted(t, undefined, readOnly), true, t);
  });

  it('routes MCP, web and unknown tools (fail closed)', () => {
    for (const t of ['mcp__github__create_issue', 'WebFetch', 'WebSearch', 'Task', 'KillShell', 'SomeFutureTool', '', 'read']) {
      assert.equal(isRouted(t, undefined, readOnly), true, t);
    }
  });

  it('leaves the read-only tools alone', () => {
    for (const t of ['Read', 'Glob', 'Grep', 'LS', 'TodoWrite', 'NotebookRead', 'BashOutput']) {
      assert.ok(READ_ONLY_TOOLS.has(t), t);
      assert.equal(isRouted(t, undefined, readOnly), false, t);
    }
  });

  it('applies configured overrides, exact or by prefix', () => {
    const policy = { unrouted: ['mcp__github__get_*', 'WebSearch'], routed: ['Read'] };
    assert.equal(isRouted('mcp__github__get_issue', policy, readOnly), false);
    assert.equal(isRouted('mcp__github__create_issue', policy, readOnly), true);
    assert.equal(isRouted('WebSearch', policy, readOnly), false);
    assert.equal(isRouted('Read', policy, readOnly), true);
    assert.equal(isRouted('Glob', policy, readOnly), false);
  });

  it('lets routed win when a tool is in both lists', () => {
    assert.equal(isRouted('WebFetch', { routed: ['WebFetch'], unrouted: ['WebFetch'] }, readOnly), true);
    assert.equal(isRouted('Bash', { routed: ['*'], unrouted: ['Bash'] }, readOnly), true);
  });

  it('ignores empty patterns', () => {
    assert.equal(isRouted('Bash', { unrouted: [''] }, readOnly), true);
  });
});
