// Tunnels through stand-in executables on PATH (test/fixtures/tunnels/standins.ts) that speak each tool's
// documented interface: none of the real services can be reached from here.
import assert from 'node:assert/strict';
import { systemClock } from '../../../../src/core/base/clock';
import { nullLogger } from '../../../../src/core/base/logger';
import { tunnelProvider, type TunnelName } from '../../../../src/node/reach/tunnelProvider';
import { TunnelSupervisor, type TunnelState } from '../../../../src/node/reach/tunnelSupervisor';
import { installStandIns, type StandIns } from '../../../fixtures/tunnels/standins';

async function until<T>(what: string, check: () => T | undefined | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('TunnelSupervisor with stand-in tunnel tools', function () {
  this.timeout(20_000);
  let standIns: StandIns;
  let sup: TunnelSupervisor | undefined;
  const states: TunnelState[] = [];

  const start = (name: TunnelName, env = standIns.env) => {
    sup = new TunnelSupervisor({ provider: tunnelProvider(name, env), port: 4321, env, clock: systemClock, logger: nullLogger, backoff: { baseMs: 50, capMs: 200 }, pollMs: 50 });
    sup.onState((s) => states.push(s));
    sup.start();
    return sup;
  };

  beforeEach(() => {
    standIns = installStandIns();
    states.length = 0;
  });
  afterEach(async () => {
    await sup?.stop();
    sup = undefined;
    standIns.dispose();
  });

  it('reads a cloudflared quick tunnel URL from its metrics server, and learns the new one after the tool dies', async () => {
    const s = start('cloudflared');
    const first = await until('the first URL', () => s.url);
    assert.match(first, /^https:\/\/standin-[0-9a-f]{8}\.trycloudflare\.com$/);
    const run = standIns.records().find((r) => r.tool === 'cloudflared' && r.event === 'up')!;
    assert.deepEqual(run.argv.slice(0, 4), ['tunnel', '--no-autoupdate', '--url', 'http://127.0.0.1:4321']);
    process.kill(run.pid, 'SIGKILL');
    await until('a restart', () => states.some((x) => x.state === 'restarting'));
    const second = await until('the next URL', () => s.url !== first && s.url);
    assert.match(second, /trycloudflare\.com$/);
    assert.equal(standIns.records().filter((r) => r.tool === 'cloudflared' && r.event === 'up').length, 2);
  });

  it("reads ngrok's URL for this port from the API its log names", async () => {
    const s = start('ngrok');
    assert.match(await until('the URL', () => s.url), /^https:\/\/standin-[0-9a-f]{8}\.ngrok-free\.app$/);
  });

  it('reads the tailnet name from `tailscale status --json` for serve, and says funnel is public', async () => {
    const s = start('tailscale');
    assert.equal(await until('the URL', () => s.url), 'https://laptop.tail1234.ts.net');
    assert.deepEqual(standIns.records().find((r) => r.event === 'up')!.argv, ['serve', '4321']);
    assert.equal(tunnelProvider('tailscale').publicInternet, false);
    assert.equal(tunnelProvider('tailscale-funnel').publicInternet, true);
  });

  it('stops the tool with Walkie and does not restart it', async () => {
    const s = start('cloudflared');
    await until('the URL', () => s.url);
    const pid = standIns.records().find((r) => r.event === 'up')!.pid;
    await s.stop();
    assert.equal(alive(pid), false);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(standIns.records().filter((r) => r.event === 'up').length, 1);
    assert.equal(s.state.state, 'stopped');
  });

  it('says so when the tool is not installed, and does not retry', async () => {
    const empty = installStandIns([]);
    try {
      const s = start('ngrok', empty.env);
      const stopped = await until('stopped', () => (s.state.state === 'stopped' ? s.state : undefined));
      assert.equal(stopped.reason, 'ngrok is not installed (not found on PATH)');
    } finally {
      empty.dispose();
    }
  });
});
