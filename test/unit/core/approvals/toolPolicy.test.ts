import assert from 'node:assert/strict';
import { isRouted, READ_ONLY_TOOLS } from '../../../../src/core/approvals/toolPolicy';

describe('toolPolicy', () => {
  it('routes the tools that change things', () => {
    for (const t of ['Bash', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit']) assert.equal(isRouted(t), true, t);
  });

  it('routes MCP, web and unknown tools (fail closed)', () => {
    for (const t of ['mcp__github__create_issue', 'WebFetch', 'WebSearch', 'Task', 'KillShell', 'SomeFutureTool', '', 'read']) {
      assert.equal(isRouted(t), true, t);
    }
  });

  it('leaves the read-only tools alone', () => {
    for (const t of ['Read', 'Glob', 'Grep', 'LS', 'TodoWrite', 'NotebookRead', 'BashOutput']) {
      assert.ok(READ_ONLY_TOOLS.has(t), t);
      assert.equal(isRouted(t), false, t);
    }
  });

  it('applies configured overrides, exact or by prefix', () => {
    const policy = { unrouted: ['mcp__github__get_*', 'WebSearch'], routed: ['Read'] };
    assert.equal(isRouted('mcp__github__get_issue', policy), false);
    assert.equal(isRouted('mcp__github__create_issue', policy), true);
    assert.equal(isRouted('WebSearch', policy), false);
    assert.equal(isRouted('Read', policy), true);
    assert.equal(isRouted('Glob', policy), false);
  });

  it('lets routed win when a tool is in both lists', () => {
    assert.equal(isRouted('WebFetch', { routed: ['WebFetch'], unrouted: ['WebFetch'] }), true);
    assert.equal(isRouted('Bash', { routed: ['*'], unrouted: ['Bash'] }), true);
  });

  it('ignores empty patterns', () => {
    assert.equal(isRouted('Bash', { unrouted: [''] }), true);
  });
});
