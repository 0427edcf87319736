import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ATTACH_GATE_EVENTS,
  ATTACH_INFO_EVENTS,
  ATTACH_MARKER,
  AttachInstallError,
  attachHookCommand,
  installAttachHook,
  installHookScript,
  isAttachHookInstalled,
  removeAttachHook,
  settingsLocalPath,
} from '../../../../../src/node/agents/claude/claudeAttachInstaller';

const COMMAND = attachHookCommand('/opt/walkie/dist/hook.js');
type Settings = { hooks?: Record<string, Array<{ matcher?: string; hooks: Array<{ type: string; command: string; timeout?: number; onFailure?: string }> }>>; [k: string]: unknown };

describe('attachInstaller', () => {
  let ws: string;
  let file: string;
  const read = (): Settings => JSON.parse(fs.readFileSync(file, 'utf8')) as Settings;
  const write = (v: unknown) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  };
  const userHooks = {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/lint-bash' }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
  };

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-attach-ws-'));
    file = settingsLocalPath(ws);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('creates .claude/settings.local.json with a command hook per event, marked, with the gate timeout above the expiry', () => {
    const r = installAttachHook(ws, COMMAND, { expiryMs: 120_000 });
    assert.equal(r.changed, true);
    assert.equal(r.file, path.join(ws, '.claude', 'settings.local.json'));
    const s = read();
    assert.deepEqual(Object.keys(s.hooks!).sort(), [...ATTACH_GATE_EVENTS, ...ATTACH_INFO_EVENTS].sort());
    for (const e of ATTACH_GATE_EVENTS) assert.deepEqual(s.hooks![e], [{ matcher: '*', hooks: [{ type: 'command', command: `node /opt/walkie/dist/hook.js ${ATTACH_MARKER}`, timeout: 125, onFailure: 'block' }] }]);
    for (const e of ATTACH_INFO_EVENTS) assert.deepEqual(s.hooks![e], [{ hooks: [{ type: 'command', command: `node /opt/walkie/dist/hook.js ${ATTACH_MARKER}`, timeout: 10 }] }]);
    assert.equal(isAttachHookInstalled(ws), true);
  });

  it('keeps every other setting and hook of the user, and adds its entries after theirs', () => {
    write({ permissions: { allow: ['Bash(npm test)'] }, model: 'opus', hooks: userHooks });
    installAttachHook(ws, COMMAND);
    const s = read();
    assert.deepEqual(s.permissions, { allow: ['Bash(npm test)'] });
    assert.equal(s.model, 'opus');
    assert.deepEqual(s.hooks!.PreToolUse[0], userHooks.PreToolUse[0]);
    assert.ok(s.hooks!.PreToolUse[1].hooks[0].command.endsWith(ATTACH_MARKER));
    assert.deepEqual(s.hooks!.Stop[0], userHooks.Stop[0]);
    assert.equal(s.hooks!.Stop.length, 2);
  });

  it('is idempotent: a second install writes nothing', () => {
    write({ hooks: userHooks });
    installAttachHook(ws, COMMAND);
    const before = fs.readFileSync(file, 'utf8');
    const mtime = fs.statSync(file).mtimeMs;
    const r = installAttachHook(ws, COMMAND);
    assert.equal(r.changed, false);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    assert.equal(fs.statSync(file).mtimeMs, mtime);
  });

  it('replaces its own entries when the hook path changes, never duplicating them', () => {
    installAttachHook(ws, COMMAND);
    const r = installAttachHook(ws, attachHookCommand('/new place/dist/hook.js'));
    assert.equal(r.changed, true);
    const s = read();
    for (const e of [...ATTACH_GATE_EVENTS, ...ATTACH_INFO_EVENTS]) {
      assert.equal(s.hooks![e].length, 1);
      assert.equal(s.hooks![e][0].hooks[0].command, `node '/new place/dist/hook.js' ${ATTACH_MARKER}`);
    }
  });

  it('removes only its own entries, leaving the user hooks and settings as they were', () => {
    write({ permissions: { deny: ['Read(.env)'] }, hooks: userHooks });
    installAttachHook(ws, COMMAND);
    const r = removeAttachHook(ws);
    assert.equal(r.changed, true);
    assert.deepEqual(read(), { permissions: { deny: ['Read(.env)'] }, hooks: userHooks });
    assert.equal(isAttachHookInstalled(ws), false);
    assert.equal(removeAttachHook(ws).changed, false);
  });

  it('keeps a user hook that shares a matcher group with its own', () => {
    write({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }, { type: 'command', command: `node /old/hook.js ${ATTACH_MARKER}` }] }] } });
    removeAttachHook(ws);
    assert.deepEqual(read(), { hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] } });
  });

  it('drops the hooks key it created when removing its entries from a file that had none', () => {
    write({ model: 'opus' });
    installAttachHook(ws, COMMAND);
    removeAttachHook(ws);
    assert.deepEqual(read(), { model: 'opus' });
  });

  it('refuses a file that is not JSON with ATTACH_ERR_UNPARSABLE and leaves it untouched', () => {
    const broken = '{ "permissions": { "allow": ["Bash"] }, // a comment\n}';
    write(broken);
    for (const edit of [() => installAttachHook(ws, COMMAND), () => removeAttachHook(ws)]) {
      assert.throws(edit, (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_UNPARSABLE');
      assert.equal(fs.readFileSync(file, 'utf8'), broken);
    }
    assert.equal(isAttachHookInstalled(ws), false);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['settings.local.json']);
  });

  it('refuses a JSON file of an unexpected shape with ATTACH_ERR_SHAPE and leaves it untouched', () => {
    for (const v of [[1, 2], '"text"', { hooks: [] }, { hooks: { PreToolUse: { matcher: '*' } } }]) {
      const text = JSON.stringify(v);
      write(text);
      assert.throws(() => installAttachHook(ws, COMMAND), (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_SHAPE');
      assert.equal(fs.readFileSync(file, 'utf8'), text);
    }
  });

  it('keeps the file mode when it rewrites the file', () => {
    write({ model: 'opus' });
    fs.chmodSync(file, 0o600);
    installAttachHook(ws, COMMAND);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('refuses a hook command that spans lines or already carries the marker (ATTACH_ERR_COMMAND)', () => {
    for (const c of ['node a.js\nrm -rf /', `node a.js ${ATTACH_MARKER}`, '  ']) {
      assert.throws(() => installAttachHook(ws, c), (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_COMMAND');
    }
    assert.throws(() => attachHookCommand('dist/hook.js'), (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_COMMAND');
    assert.equal(fs.existsSync(file), false);
  });

  it('quotes a hook path for /bin/sh only when it needs it', () => {
    assert.equal(attachHookCommand('/opt/walkie/dist/hook.js'), 'node /opt/walkie/dist/hook.js');
    assert.equal(attachHookCommand("/home/o'brien/my ext/hook.js", '/usr/bin/node'), `/usr/bin/node '/home/o'\\''brien/my ext/hook.js'`);
    assert.equal(attachHookCommand('/x/hook.js', '/opt/VS Code/code', { ELECTRON_RUN_AS_NODE: '1' }), `ELECTRON_RUN_AS_NODE=1 '/opt/VS Code/code' /x/hook.js`);
    assert.throws(() => attachHookCommand('/x/hook.js', 'node', { 'A;rm': '1' }), (e: unknown) => e instanceof AttachInstallError && e.code === 'ATTACH_ERR_COMMAND');
  });

  it('copies the hook script to a stable folder once, and again only when it changed', () => {
    const bundled = path.join(ws, 'hook.js');
    fs.writeFileSync(bundled, 'console.log(1)\n');
    const dir = path.join(ws, 'home', '.walkie', 'bin');
    const target = installHookScript(bundled, dir);
    assert.equal(target, path.join(dir, 'hook.js'));
    assert.equal(fs.readFileSync(target, 'utf8'), 'console.log(1)\n');
    const mtime = fs.statSync(target).mtimeMs;
    assert.equal(installHookScript(bundled, dir), target);
    assert.equal(fs.statSync(target).mtimeMs, mtime);
    fs.writeFileSync(bundled, 'console.log(2)\n');
    installHookScript(bundled, dir);
    assert.equal(fs.readFileSync(target, 'utf8'), 'console.log(2)\n');
    assert.deepEqual(fs.readdirSync(dir), ['hook.js']);
  });
});
