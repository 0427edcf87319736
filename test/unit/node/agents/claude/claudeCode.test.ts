import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentLaunchError, checkArgs, ClaudeCodeAdapter, claudeSettings, compareVersions } from '../../../../../src/node/agents/claude/claudeCode';
import { unwrapPastes } from '../../../../../src/node/agents/claude/claudeHookInput';

const HOOK_URL = 'http://127.0.0.1:4567/hook/secret';
const common = { session_id: 'e4965442-2f84', transcript_path: '/home/dev/.claude/projects/-p/e4965442.jsonl', cwd: '/home/dev/p', permission_mode: 'default' };
const preToolUse = { ...common, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'echo hi > out.txt', description: 'd' }, tool_use_id: 'toolu_1', effort: { level: 'medium' } };
const permissionRequest = { ...common, hook_event_name: 'PermissionRequest', tool_name: 'Write', tool_input: { file_path: '/p/a', content: 'x' }, permission_suggestions: [] };

const refused = (argv: string[], code: string) => assert.throws(() => checkArgs(argv), (e: unknown) => e instanceof AgentLaunchError && e.code === code);

describe('ClaudeCodeAdapter: launch', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-cc-unit-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses every bypass flag and mode, in both spellings', () => {
    refused(['--dangerously-skip-permissions'], 'AGENT_ERR_BYPASS');
    refused(['--allow-dangerously-skip-permissions'], 'AGENT_ERR_BYPASS');
    refused(['--permission-mode', 'bypassPermissions'], 'AGENT_ERR_BYPASS');
    refused(['--permission-mode=bypassPermissions'], 'AGENT_ERR_BYPASS');
    refused(['--permission-mode'], 'AGENT_ERR_BYPASS');
    refused(['hello', '--dangerously-skip-permissions'], 'AGENT_ERR_BYPASS');
  });

  it("refuses a bare '--', after which the CLI would read Walkie's own flags as prompt text", () => {
    refused(['--'], 'AGENT_ERR_ARGS');
    refused(['--', 'fix the failing test'], 'AGENT_ERR_ARGS');
    refused(['--model', 'opus', '--', 'fix it'], 'AGENT_ERR_ARGS');
  });

  it('refuses the flags that change which settings layers load', () => {
    refused(['--managed-settings', 'x.json'], 'AGENT_ERR_SETTINGS');
    refused(['--setting-sources=user'], 'AGENT_ERR_SETTINGS');
  });

  it('refuses the flags that switch hooks off and a --settings of the user', () => {
    refused(['--bare'], 'AGENT_ERR_HOOKS_OFF');
    refused(['--safe-mode'], 'AGENT_ERR_HOOKS_OFF');
    refused(['--settings', 'x.json'], 'AGENT_ERR_SETTINGS');
    refused(['--settings={"disableAllHooks":true}'], 'AGENT_ERR_SETTINGS');
  });

  it('replaces permission modes that skip prompts by default, with a notice each', () => {
    for (const mode of ['acceptEdits', 'auto', 'dontAsk', 'plan']) {
      const r = checkArgs(['--model', 'opus', '--permission-mode', mode, 'fix it']);
      assert.deepEqual(r.args, ['--model', 'opus', 'fix it']);
      assert.equal(r.notices.length, 1);
      assert.match(r.notices[0], new RegExp(`"${mode}" was replaced by "default"`));
    }
    assert.deepEqual(checkArgs(['--permission-mode=default']).args, []);
  });

  it('adds a 0600 settings layer with blocking gate hooks, bypass disabled and a stripped environment', () => {
    const adapter = new ClaudeCodeAdapter();
    const env = { PATH: '/bin', HOME: '/h', CLAUDE_CODE_SIMPLE: '1', CLAUDE_CODE_SAFE_MODE: '1', IS_SANDBOX: '1' };
    const plan = adapter.prepareLaunch('/bin/claude', ['--model', 'opus'], { hookUrl: HOOK_URL, hookTimeoutSec: 65, env, privateDir: dir });
    assert.equal(plan.command, '/bin/claude');
    const file = plan.args[3]!;
    // Walkie's flags come first, so nothing the user passes can push them behind a prompt.
    assert.deepEqual(plan.args, ['--permission-mode', 'default', '--settings', file, '--model', 'opus']);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), claudeSettings(HOOK_URL, 65));
    assert.deepEqual(plan.env, { PATH: '/bin', HOME: '/h' });
    assert.equal(env.CLAUDE_CODE_SIMPLE, '1');
  });

  it('writes settings that gate with onFailure block and keep every hook on', () => {
    const s = claudeSettings(HOOK_URL, 1805) as {
      hooks: Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>>;
      permissions: Record<string, unknown>;
      disableAllHooks: boolean;
      env: Record<string, string>;
    };
    for (const gate of ['PreToolUse', 'PermissionRequest']) {
      assert.equal(s.hooks[gate][0].matcher, '*');
      assert.deepEqual(s.hooks[gate][0].hooks, [{ type: 'http', url: HOOK_URL, timeout: 1805, onFailure: 'block' }]);
    }
    for (const info of ['UserPromptSubmit', 'Stop', 'SessionEnd']) assert.equal(s.hooks[info][0].hooks[0].onFailure, undefined);
    assert.deepEqual(s.permissions, { disableBypassPermissionsMode: 'disable', defaultMode: 'default' });
    assert.equal(s.disableAllHooks, false);
    assert.deepEqual(s.env, { CLAUDE_CODE_SIMPLE: '0', CLAUDE_CODE_SAFE_MODE: '0' });
  });

  it('reads the CLI version and refuses one older than 2.1.330', async () => {
    const bin = path.join(dir, 'claude');
    const adapter = new ClaudeCodeAdapter({ bin });
    fs.writeFileSync(bin, "#!/bin/sh\necho '2.1.331 (Claude Code)'\n", { mode: 0o755 });
    assert.equal(await adapter.checkVersion(bin, { PATH: '/usr/bin:/bin' }), '2.1.331');
    fs.writeFileSync(bin, "#!/bin/sh\necho '2.0.99 (Claude Code)'\n", { mode: 0o755 });
    await assert.rejects(adapter.checkVersion(bin, { PATH: '/usr/bin:/bin' }), (e: unknown) => e instanceof AgentLaunchError && e.code === 'AGENT_ERR_VERSION');
    fs.writeFileSync(bin, '#!/bin/sh\necho nonsense\n', { mode: 0o755 });
    await assert.rejects(adapter.checkVersion(bin, { PATH: '/usr/bin:/bin' }), (e: unknown) => e instanceof AgentLaunchError && e.code === 'AGENT_ERR_VERSION');
    assert.throws(() => new ClaudeCodeAdapter({ bin: path.join(dir, 'nope') }).resolveBinary({ PATH: '' }), (e: unknown) => e instanceof AgentLaunchError && e.code === 'AGENT_ERR_NOT_FOUND');
  });

  it('compares versions numerically', () => {
    assert.ok(compareVersions('2.1.330', '2.1.330') === 0);
    assert.ok(compareVersions('2.1.1000', '2.1.330') > 0);
    assert.ok(compareVersions('2.0.999', '2.1.330') < 0);
    assert.ok(compareVersions('10.0.0', '9.9.9') > 0);
  });
});

describe('ClaudeCodeAdapter: hooks', () => {
  const adapter = new ClaudeCodeAdapter();

  it('parses PreToolUse and PermissionRequest into gate events', () => {
    const a = adapter.parseHookInput(preToolUse);
    assert.ok(a.kind === 'tool');
    assert.deepEqual([a.phase, a.tool, a.toolUseId, a.bypass, a.transcriptPath], ['before', 'Bash', 'toolu_1', false, common.transcript_path]);
    assert.deepEqual(a.input, preToolUse.tool_input);
    const b = adapter.parseHookInput(permissionRequest);
    assert.ok(b.kind === 'tool' && b.phase === 'prompt' && b.tool === 'Write');
  });

  it('answers gates the way Claude Code reads them', () => {
    const pre = adapter.parseHookInput(preToolUse);
    const req = adapter.parseHookInput(permissionRequest);
    assert.deepEqual(adapter.answer(pre, { kind: 'allow', reason: 'ok' }), { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', permissionDecisionReason: 'ok' } });
    assert.deepEqual(adapter.answer(pre, { kind: 'deny', reason: 'no' }), { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'no' } });
    assert.deepEqual(adapter.answer(pre, { kind: 'defer' }), {});
    assert.deepEqual(adapter.answer(req, { kind: 'allow', reason: 'ok' }), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
    assert.deepEqual(adapter.answer(req, { kind: 'deny', reason: 'no' }), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'no' } } });
    // A local prompt is never left open: "no opinion" there is a deny.
    const deferred = adapter.answer(req, { kind: 'defer' }) as { hookSpecificOutput: { decision: { behavior: string } } };
    assert.equal(deferred.hookSpecificOutput.decision.behavior, 'deny');
  });

  it('denies a gate call that does not parse, whatever the answer asked for', () => {
    const junk: unknown[] = [
      { ...preToolUse, tool_input: 'rm -rf /' },
      { ...preToolUse, tool_name: '' },
      { ...preToolUse, session_id: 42 },
      { ...permissionRequest, tool_input: null },
    ];
    for (const body of junk) {
      const ev = adapter.parseHookInput(body);
      assert.equal(ev.kind, 'invalid');
      const answer = JSON.stringify(adapter.answer(ev, { kind: 'allow', reason: 'x' }));
      assert.match(answer, /"permissionDecision":"deny"|"behavior":"deny"/);
      assert.equal(JSON.stringify(ev).includes('rm -rf'), false);
    }
  });

  it('gives no answer body for a call with no usable event name (the server then fails it and the gate blocks)', () => {
    for (const body of [null, 7, 'x', [], {}, { hook_event_name: 5 }]) {
      const ev = adapter.parseHookInput(body);
      assert.ok(ev.kind === 'invalid' && ev.gate);
      assert.equal(adapter.answer(ev, { kind: 'allow', reason: 'x' }), undefined);
    }
  });

  it('acknowledges a malformed non-gate event with an empty answer', () => {
    const ev = adapter.parseHookInput({ ...common, hook_event_name: 'UserPromptSubmit', prompt: 42 });
    assert.ok(ev.kind === 'invalid' && !ev.gate);
    assert.deepEqual(adapter.answer(ev, { kind: 'defer' }), {});
  });

  it('flags bypassPermissions in any event', () => {
    for (const body of [preToolUse, permissionRequest, { ...common, hook_event_name: 'Stop' }, { ...common, hook_event_name: 'UserPromptSubmit', prompt: 'hi' }]) {
      const ev = adapter.parseHookInput({ ...body, permission_mode: 'bypassPermissions' });
      assert.equal(ev.kind === 'invalid' ? 'invalid' : ev.bypass, true, String((body as { hook_event_name: string }).hook_event_name));
    }
  });

  it('reads prompts (unwrapping pasted blocks), Stop and SessionEnd', () => {
    const p = adapter.parseHookInput({ ...common, hook_event_name: 'UserPromptSubmit', prompt: '\n\n<pasted_content id="8c0d">\nline 1\nline 2\n</pasted_content id="8c0d">\n' });
    assert.ok(p.kind === 'prompt');
    assert.equal(p.prompt, 'line 1\nline 2');
    assert.equal(adapter.parseHookInput({ ...common, hook_event_name: 'Stop', last_assistant_message: 'x' }).kind, 'stop');
    const end = adapter.parseHookInput({ ...common, hook_event_name: 'SessionEnd', reason: 'other' });
    assert.ok(end.kind === 'end' && end.reason === 'other');
    assert.equal(adapter.parseHookInput({ ...common, hook_event_name: 'Notification', message: 'm' }).kind, 'other');
    assert.equal(unwrapPastes('plain <pasted_content id="1">'), 'plain <pasted_content id="1">');
  });

  it('knows its ready screen and its interrupt records', () => {
    assert.equal(adapter.isReadyScreen('⏸ manual mode on · ? for shortcuts · ← for agents'), true);
    assert.equal(adapter.isReadyScreen('Make auto mode your default permission mode?'), false);
    assert.equal(adapter.isInterruptRecord(JSON.stringify({ type: 'user', message: { content: [{ type: 'text', text: '[Request interrupted by user]' }] } })), true);
    assert.equal(adapter.isInterruptRecord(JSON.stringify({ type: 'user', message: { content: '[Request interrupted by user for tool use]' } })), true);
    assert.equal(adapter.isInterruptRecord(JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: '[Request interrupted by user]' }] } })), false);
    assert.equal(adapter.isInterruptRecord('{"type":"user","message":{"content":"say [Request interrupted by user]"}}'), false);
    assert.equal(adapter.isInterruptRecord('[Request interrupted by user'), false);
  });
});
