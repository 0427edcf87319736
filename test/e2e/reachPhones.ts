// The two "phones" of the reach tests (relayTls, vethPair): `walkie device` and Chromium at a phone viewport,
// each pairing with a pairing URL and approving one Bash call of the real Claude Code CLI (scripted model).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { eventually, PHONE } from '../browser/webuiHarness';
import { CliProcess } from './cliProcess';

/** Pairs `walkie device` with the URL and approves one Bash call; returns the device, still connected. */
export async function pairDeviceAndApprove(url: string, stateDir: string, env: NodeJS.ProcessEnv, project: string, o: { name?: string; prefix?: string[]; onSpawn?: (p: CliProcess) => void } = {}): Promise<CliProcess> {
  const device = new CliProcess(['device', url, '--json', '--state-dir', stateDir, '--name', o.name ?? 'tls phone'], { env, prefix: o.prefix });
  o.onSpawn?.(device);
  await device.line('paired');
  await device.line('session');
  const from = device.lines.length;
  device.send({ type: 'prompt', text: `SCENARIO:bash DIR=${project} go` });
  const approval = await device.line('approval', (l) => l.tool === 'Bash', from);
  assert.equal(fs.existsSync(path.join(project, 'out.txt')), false, 'the command ran before it was approved');
  device.send({ type: 'decide', id: approval.id, decision: 'allow' });
  await device.line('resolved', (l) => l.id === approval.id && l.resolution === 'allowed', from);
  await device.waitFor('out.txt', () => fs.existsSync(path.join(project, 'out.txt')));
  fs.rmSync(path.join(project, 'out.txt'));
  return device;
}

/** Chromium pairs at `url` (at a phone viewport) and approves one Bash call. */
export async function pairChromiumAndApprove(browser: Browser, url: string, project: string, host: CliProcess, o: { secure?: boolean } = {}): Promise<void> {
  const context = await browser.newContext(PHONE);
  try {
    const page = await context.newPage();
    await page.goto(url);
    assert.equal(await page.evaluate(() => window.isSecureContext), o.secure ?? true, 'secure context');
    await page.getByLabel('Name this device').fill('Chromium');
    await page.getByTestId('pair').tap();
    const words = await page.getByTestId('sas').innerText();
    await host.waitFor('the host to show the same words', () => host.stderr.includes(words));
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.getByTestId('session-select').waitFor();
    await page.getByLabel('Message the agent').fill(`SCENARIO:bash DIR=${project} go`);
    await page.getByTestId('send').tap();
    const card = page.getByTestId('approval');
    await card.waitFor({ timeout: 45_000 });
    await eventually(async () => (await card.innerText()).includes('echo hi > out.txt'), 20_000);
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
    await eventually(() => page.getByTestId('approve').isEnabled());
    await page.getByTestId('approve').tap();
    await page.getByText('Done: wrote out.txt').waitFor({ timeout: 30_000 });
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
    fs.rmSync(path.join(project, 'out.txt'));
  } finally {
    await context.close().catch(() => {});
  }
}

