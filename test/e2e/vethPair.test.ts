// Pairing over a real network path: two network namespaces joined by a veth pair (198.18.0.1/30 ⇄
// 198.18.0.2/30, the RFC 2544 benchmarking range, addresses that exist only inside these namespaces), made
// and removed by this test. `walkie host -- claude` (the real Claude Code CLI against the scripted model) runs
// in namespace A with no route options — the default choice must be the LAN address — and a `walkie device`
// and Chromium in namespace B pair with the link the host printed and approve a command. Each namespace has
// its own loopback, so nothing can work through 127.0.0.1 between host and phone.
// Needs root (`ip netns add`); CI runs as root. The model is reached from A through a Unix socket (the
// namespaces share the filesystem): that is the host's link to its model, not the phone's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser/browser';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { CliProcess } from './cliProcess';
import { pairChromiumAndApprove, pairDeviceAndApprove } from './reachPhones';
import { bridgeModelInto, createVethPair, HOST_ADDRESS, IP, type VethPair } from './vethNetns';

describe('pairing over a veth pair between two network namespaces (default route choice, real Claude Code CLI)', function () {
  this.timeout(150_000);
  let veth: VethPair | undefined;
  let mock: MockAnthropic;
  let model: { url: string; close(): Promise<void> } | undefined;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let host: CliProcess;
  let browser: Browser | undefined;
  const procs: CliProcess[] = [];

  const startHost = (pairFile: string) => {
    fs.rmSync(pairFile, { force: true });
    // No --bind, --lan, --relay or --tunnel: the default route choice.
    host = new CliProcess(['host', '--pair-file', pairFile, '--state-dir', path.join(scratch, 'host'), '--name', 'veth box', '--', claudeBin()], {
      cwd: project,
      env: { ...home.env, ANTHROPIC_BASE_URL: model!.url },
      prefix: veth!.prefix(veth!.a),
    });
    procs.push(host);
    return host;
  };
  const pairingUrl = (pairFile: string) => host.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-reach-veth-'));
    veth = createVethPair('veth');
    mock = await startMockAnthropic();
    model = await bridgeModelInto(veth.a, mock.url, scratch);
    home = seedClaudeHome(model.url);
    project = home.projects[0]!;
  });

  after(async () => {
    await browser?.close().catch(() => {});
    for (const p of procs.reverse()) await p.kill();
    await model?.close();
    await mock?.close();
    home?.dispose();
    veth?.remove();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the phone side cannot reach the host through its own 127.0.0.1 (the namespaces are really apart)', async () => {
    const probe = (ns: string, hostAddr: string, port: number) =>
      new Promise<string>((resolve) => {
        const c = spawn(IP, ['netns', 'exec', ns, process.execPath, '-e', `require('net').connect(${port},'${hostAddr}').on('connect',()=>{console.log('open');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', () => resolve(out.trim()));
      });
    const pairFile = path.join(scratch, 'pair1.txt');
    startHost(pairFile);
    const url = await pairingUrl(pairFile);
    const port = Number(new URL(url).port);
    assert.equal(await probe(veth!.b, HOST_ADDRESS, port), 'open');
    assert.equal(await probe(veth!.b, '127.0.0.1', port), 'ECONNREFUSED');
  });

  it("picks the LAN address by default and says so; walkie device in the other namespace pairs and approves", async () => {
    const url = await pairingUrl(path.join(scratch, 'pair1.txt'));
    assert.match(url, new RegExp(`^http://${HOST_ADDRESS.replace(/\./g, '\\.')}:\\d+/#[A-Za-z0-9_-]+$`));
    await host.waitFor('the route line', () => host.stderr.includes(`walkie: Phone must be on the same Wi-Fi as ${HOST_ADDRESS}.`));
    await pairDeviceAndApprove(url, path.join(scratch, 'device'), process.env, project, { name: 'veth phone', prefix: veth!.prefix(veth!.b), onSpawn: (p) => procs.push(p) });
  });

  it('on a machine with no LAN address it falls back to loopback and says a phone cannot open the link', async () => {
    const pairFile = path.join(scratch, 'pair-offline.txt');
    const lonely = new CliProcess(['host', '--pair-file', pairFile, '--state-dir', path.join(scratch, 'host-offline'), '--', claudeBin()], {
      cwd: project,
      env: { ...home.env, ANTHROPIC_BASE_URL: model!.url },
      prefix: veth!.prefix(veth!.offline),
    });
    procs.push(lonely);
    const url = await lonely.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#/);
    await lonely.waitFor('the warning', () => /walkie: Only this computer can open this link\.\nwalkie: A phone cannot open this link/.test(lonely.stderr));
    await lonely.kill();
  });

  it('after a host restart the device is back by itself; Chromium in the other namespace pairs with the new link and approves', async () => {
    const device = procs.find((p) => p.child.spawnargs.includes('veth phone'))!;
    await host.kill();
    await device.line('status', (l) => l.state === 'offline');
    const from = device.lines.length;
    const pairFile = path.join(scratch, 'pair2.txt');
    startHost(pairFile);
    const url = await pairingUrl(pairFile);
    await device.line('session', () => true, from, 30_000);
    assert.equal(device.lines.slice(from).some((l) => l.type === 'paired'), false, 'the device had to pair again');
    // Chromium runs inside namespace B: its executable is a wrapper that enters the namespace first.
    const wrapper = path.join(scratch, 'chromium-in-b');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${veth!.prefix(veth!.b).join(' ')} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
    browser = await chromium.launch({ executablePath: wrapper, headless: true, args: CHROMIUM_ARGS });
    // Plain http on a LAN address is not a secure context (the route's warning says so); pairing still works.
    await pairChromiumAndApprove(browser, url, project, host, { secure: false });
  });
});
