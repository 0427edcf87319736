// `walkie host --tunnel …` with a stand-in cloudflared on PATH (test/fixtures/tunnels/standins.ts speaks the
// documented interface; the real service cannot be reached from here): the pairing URL carries the tunnel's
// public address, the host says so in plain words, and the tool stops with the host.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { installStandIns, type StandIns } from '../fixtures/tunnels/standins';
import { CliProcess } from './cliProcess';

describe('walkie host --tunnel (stand-in tunnel tools, real Claude Code CLI)', function () {
  this.timeout(60_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let standIns: StandIns;
  let scratch: string;
  const procs: CliProcess[] = [];

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    standIns = installStandIns(['cloudflared']);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-tunnel-'));
  });
  after(async () => {
    for (const p of procs) await p.kill();
    await mock.close();
    home.dispose();
    standIns.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const host = (args: string[], env: NodeJS.ProcessEnv) => {
    const p = new CliProcess(['host', '--state-dir', path.join(scratch, 'host'), ...args, '--', claudeBin()], { cwd: home.projects[0], env });
    procs.push(p);
    return p;
  };

  it('pairs through the tunnel address, says where the phone can be, and stops the tool with the host', async () => {
    const pairFile = path.join(scratch, 'pair.txt');
    const env = { ...home.env, PATH: `${standIns.dir}:${home.env.PATH}`, STANDIN_LOG: standIns.env.STANDIN_LOG };
    const h = host(['--tunnel', 'cloudflared', '--pair-file', pairFile], env);
    const url = await h.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());
    assert.match(url, /^https:\/\/standin-[0-9a-f]{8}\.trycloudflare\.com\/#[A-Za-z0-9_-]+$/);
    await h.waitFor('the route line', () => /walkie: Reachable from anywhere through Cloudflare Tunnel: https:\/\/standin-[0-9a-f]{8}\.trycloudflare\.com/.test(h.stderr));
    const run = standIns.records().find((r) => r.tool === 'cloudflared' && r.event === 'up');
    assert.ok(run, 'the stand-in ran');
    assert.match(run.argv.join(' '), /^tunnel --no-autoupdate --url http:\/\/127\.0\.0\.1:\d+ --metrics 127\.0\.0\.1:\d+$/);
    await h.kill();
    const stopped = () => {
      try {
        process.kill(run.pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 100 && !stopped(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(stopped(), true, 'the tunnel tool stopped with the host');
  });

  it('refuses an unknown tunnel, and says so when the tool is not installed', async () => {
    const bad = host(['--tunnel', 'carrier-pigeon'], home.env);
    await bad.waitFor('exit', () => bad.exitCode !== undefined);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--tunnel takes one of tailscale, tailscale-funnel, cloudflared, ngrok/);
    const missing = host(['--tunnel', 'ngrok'], { ...home.env, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` });
    await missing.waitFor('exit', () => missing.exitCode !== undefined);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /ngrok is not available: ngrok is not installed \(not found on PATH\)/);
  });
});
