import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AttachInstallError } from '../../../../../src/node/agents/hookSettingsFile';
import { codexUiPid } from '../../../../../src/node/agents/codex/codexAttachHook';
import { codexAttachHookCommand, codexAttachSupport, codexHooksPath } from '../../../../../src/node/agents/codex/codexAttachInstaller';
import { codexHookTrustHash } from '../../../../../src/node/agents/codex/codexHooks';

type Hooks = Record<string, Array<{ hooks: Array<{ type: string; command: string; timeout: number }> }>>;

describe('codexAttachInstaller', () => {
  let dir: string;
  let ws: string;
  let config: string;
  const attach = () => codexAttachSupport(config);
  const command = codexAttachHookCommand('/opt/walkie/hook.js', '/usr/bin/node');
  const hooks = (): Hooks => (JSON.parse(fs.readFileSync(codexHooksPath(ws), 'utf8')) as { hooks: Hooks }).hooks;
  const toml = () => fs.readFileSync(config, 'utf8');
  const key = (event: string, group = 0) => `[hooks.state.${JSON.stringify(`${fs.realpathSync(ws)}/.codex/hooks.json:${event}:${group}:0`)}]`;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-codex-attach-unit-'));
    ws = path.join(dir, 'ws');
    fs.mkdirSync(ws);
    config = path.join(dir, 'codex-home', 'config.toml');
    fs.mkdirSync(path.dirname(config));
    fs.writeFileSync(config, 'model = "gpt-5.5"\n\n[projects."/x"]\ntrust_level = "trusted"\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes one marked hook per event and trusts exactly those handlers by their hash, keeping the config', () => {
    const edit = attach().install(ws, command, { expiryMs: 60_000 });
    assert.equal(edit.changed, true);
    assert.equal(edit.file, codexHooksPath(ws));
    const h = hooks();
    assert.deepEqual(Object.keys(h), ['PreToolUse', 'PermissionRequest', 'SessionStart', 'UserPromptSubmit', 'Stop', 'SessionEnd']);
    const pre = h.PreToolUse[0].hooks[0];
    assert.equal(pre.command, `WALKIE_AGENT_PID="$PPID" /usr/bin/node /opt/walkie/hook.js codex 65 # walkie-attach`);
    assert.equal(pre.timeout, 80, "Codex's timeout ends after the script's own deadline");
    assert.equal(h.SessionEnd[0].hooks[0].timeout, 3, 'Codex caps SessionEnd at 3 s and hashes the capped value');
    const text = toml();
    assert.ok(text.startsWith('model = "gpt-5.5"\n\n[projects."/x"]\ntrust_level = "trusted"\n'));
    for (const [event, name] of [['PreToolUse', 'pre_tool_use'], ['SessionEnd', 'session_end']] as const) {
      const handler = h[event][0].hooks[0];
      assert.ok(text.includes(`${key(name)}\ntrusted_hash = "${codexHookTrustHash(event, handler.command, handler.timeout)}"`), event);
    }
    assert.equal(text.match(/^\[hooks\.state\./gm)?.length, 6);
    assert.deepEqual(attach().install(ws, command, { expiryMs: 60_000 }), { changed: false, file: codexHooksPath(ws) });
  });

  it("keeps the user's own hooks (Walkie's group comes after them, and its trust key says so) and updates a changed command's trust in place", () => {
    fs.mkdirSync(path.join(ws, '.codex'));
    fs.writeFileSync(codexHooksPath(ws), JSON.stringify({ hooks: { PreToolUse: [{ hooks: [{ type: 'command', command: 'mine.sh' }] }] } }));
    attach().install(ws, command);
    assert.equal(hooks().PreToolUse[0].hooks[0].command, 'mine.sh');
    assert.ok(toml().includes(key('pre_tool_use', 1)));
    assert.ok(!toml().includes(key('pre_tool_use', 0)), "the user's own hook is not trusted by Walkie");
    const other = codexAttachHookCommand('/elsewhere/hook.js');
    attach().install(ws, other);
    const pre = hooks().PreToolUse[1].hooks[0];
    assert.equal(toml().split(key('pre_tool_use', 1)).length, 2, 'one table per key');
    assert.ok(toml().includes(`${key('pre_tool_use', 1)}\ntrusted_hash = "${codexHookTrustHash('PreToolUse', pre.command, pre.timeout)}"`));
  });

  it("removes exactly Walkie's hooks and their trust", () => {
    fs.mkdirSync(path.join(ws, '.codex'));
    fs.writeFileSync(codexHooksPath(ws), JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'mine.sh' }] }] } }));
    attach().install(ws, command);
    assert.equal(attach().isInstalled(ws), true);
    assert.equal(attach().remove(ws).changed, true);
    assert.equal(attach().isInstalled(ws), false);
    assert.deepEqual(hooks(), { Stop: [{ hooks: [{ type: 'command', command: 'mine.sh' }] }] });
    assert.equal(toml(), 'model = "gpt-5.5"\n\n[projects."/x"]\ntrust_level = "trusted"\n');
    assert.equal(attach().remove(ws).changed, false);
  });

  it('refuses a config.toml whose hook trust it cannot edit, and changes nothing', () => {
    for (const text of ['hooks.state = {}\n', '[hooks]\nstate = { }\n', `[hooks.state]\n${JSON.stringify(`${fs.realpathSync(ws)}/.codex/hooks.json:pre_tool_use:0:0`)} = { trusted_hash = "sha256:00" }\n`]) {
      fs.writeFileSync(config, text);
      assert.throws(() => attach().install(ws, command), (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_SHAPE', text);
      assert.equal(toml(), text);
    }
    assert.equal(fs.existsSync(codexHooksPath(ws)), false, 'no untrusted hooks were left behind');
  });

  it('refuses an unreadable hooks.json and a command with a line break', () => {
    fs.mkdirSync(path.join(ws, '.codex'));
    fs.writeFileSync(codexHooksPath(ws), '{ not json');
    assert.throws(() => attach().install(ws, command), (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_UNPARSABLE');
    fs.rmSync(codexHooksPath(ws));
    assert.throws(() => attach().install(ws, `${command}\nrm -rf /`), (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_COMMAND');
  });
});

describe('codexUiPid', () => {
  // 10: a shell; 20: the codex UI; 30: its app-server daemon (a copy of codex), which runs the hooks.
  const parents: Record<number, number> = { 30: 20, 20: 10, 10: 1 };
  const exes: Record<number, string> = { 30: '/home/u/.codex/packages/app-server-daemon/releases/0.171.0/bin/codex', 20: '/usr/lib/node_modules/@openai/codex/vendor/bin/codex', 10: '/bin/bash' };
  const parentOf = (p: number) => parents[p];
  const exeOf = (p: number) => exes[p];

  it('walks from the process that ran the hook up to the codex the user started', () => {
    assert.equal(codexUiPid(30, parentOf, exeOf), 20);
    assert.equal(codexUiPid(20, parentOf, exeOf), 20);
  });

  it('keeps the pid when it cannot tell (no /proc, or not a codex)', () => {
    assert.equal(codexUiPid(30, parentOf, () => undefined), 30);
    assert.equal(codexUiPid(10, parentOf, exeOf), 10);
  });
});
