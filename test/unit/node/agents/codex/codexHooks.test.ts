import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CODEX_HOOK_SCRIPT, codexHookCommand, codexHookOverrides, codexHookTrustHash, shellQuote } from '../../../../../src/node/agents/codex/codexHooks';

const PRE = JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'echo hi' } });
const STOP = JSON.stringify({ session_id: 's', hook_event_name: 'Stop' });

/** Runs the hook script as Codex would (stdin = the hook input) and returns its exit code and output. */
function runHook(dir: string, url: string, input: string, deadlineSec = 10): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = path.join(dir, 'hook.js');
  const urlFile = path.join(dir, 'url');
  fs.writeFileSync(script, CODEX_HOOK_SCRIPT);
  fs.writeFileSync(urlFile, url);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [script, urlFile, String(deadlineSec)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

async function server(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook/x`, close: () => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); }) };
}

describe('Codex hooks', () => {
  it("computes Codex's own trust hash (the value Codex 0.171.0 stored after \"Trust all\")", () => {
    assert.equal(codexHookTrustHash('PreToolUse', '/tmp/cx/hook.sh', 600), 'sha256:edf92581ffca3d7f9860c86e297c59e2ed31bb9a18998fd600f34b43abee14d0');
  });

  it('installs the four hooks as session flags and trusts exactly those', () => {
    const o = codexHookOverrides({ runtime: '/usr/bin/node', script: '/p/hook.js', urlFile: '/p/url' }, 1805);
    assert.deepEqual(o.slice(0, 4).map((x) => x.split('=')[0]), ['hooks.PreToolUse', 'hooks.PermissionRequest', 'hooks.UserPromptSubmit', 'hooks.Stop']);
    const state = o[4];
    for (const k of ['pre_tool_use', 'permission_request', 'user_prompt_submit', 'stop']) assert.ok(state.includes(`"/<session-flags>/config.toml:${k}:0:0"={trusted_hash="sha256:`), k);
    // The gate hook's own deadline is the session's hook timeout; Codex waits longer, so the script answers.
    assert.ok(o[0].includes(`command=${JSON.stringify(codexHookCommand({ runtime: '/usr/bin/node', script: '/p/hook.js', urlFile: '/p/url' }, 1805))},timeout=1820`));
  });

  it('quotes paths for the shell', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "walkie q'x "));
    try {
      const r = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(dir)}`], { encoding: 'utf8' });
      assert.equal(r.stdout, dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the hook script', function () {
    this.timeout(10_000);
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-codex-hook-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('blocks a gate call (exit 2) when no host answers', async () => {
      const s = await server(() => undefined);
      const url = s.url;
      await s.close();
      const r = await runHook(dir, url, PRE);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Walkie blocked this tool call/);
    });

    it('blocks a gate call when the host errs or answers junk', async () => {
      for (const [status, body] of [[400, ''], [500, '{}'], [200, 'not json'], [200, '[1]']] as const) {
        const s = await server((_q, res) => res.writeHead(status).end(body));
        try {
          assert.equal((await runHook(dir, s.url, PRE)).code, 2, `${status} ${body}`);
        } finally {
          await s.close();
        }
      }
    });

    it('blocks a gate call when the connection drops mid-approval', async () => {
      const s = await server((req) => setTimeout(() => req.socket.destroy(), 200));
      try {
        assert.equal((await runHook(dir, s.url, PRE)).code, 2);
      } finally {
        await s.close();
      }
    });

    it('blocks a gate call at its own deadline', async () => {
      const s = await server(() => undefined);
      try {
        const r = await runHook(dir, s.url, PRE, 1);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /in time/);
      } finally {
        await s.close();
      }
    });

    it('prints the host answer for a gate call, and nothing for an empty one', async () => {
      const deny = JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'no' } });
      let answer = deny;
      let got = '';
      const s = await server((req, res) => {
        req.on('data', (d: Buffer) => (got += d));
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
      });
      try {
        assert.deepEqual(await runHook(dir, s.url, PRE), { code: 0, stdout: deny, stderr: '' });
        assert.equal(got, PRE, 'the hook input is posted as is');
        answer = '{}';
        assert.deepEqual(await runHook(dir, s.url, PRE), { code: 0, stdout: '', stderr: '' });
      } finally {
        await s.close();
      }
    });

    it('never blocks or prints for a status event, even with no host', async () => {
      const r = await runHook(dir, 'http://127.0.0.1:1/hook/x', STOP);
      assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    });
  });
});
