// The phone with a Codex session, end to end: `walkie relay`, `walkie host -- codex` (the REAL Codex CLI
// against the scripted Responses API, offline) and Chromium at a phone viewport. The phone names the agent
// the session runs (Codex, never Claude), and a command Codex wants to run waits on the phone's approval card.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CliProcess } from '../e2e/cliProcess';
import { codexBin, seedCodexHome, type CodexHome } from '../fixtures/codexEnv';
import { startMockOpenAI, type MockOpenAI } from '../fixtures/mockOpenAI';
import { launchBrowser } from './browser';
import { freePort, scanTerminalQr } from './phoneStack';
import { eventually, PHONE, screenshot } from './webuiHarness';

describe('the phone with a Codex session (walkie relay, walkie host -- codex, real Codex CLI, Chromium)', function () {
  this.timeout(120_000);
  let mock: MockOpenAI;
  let home: CodexHome;
  let project: string;
  let scratch: string;
  let relay: CliProcess;
  let host: CliProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mock = await startMockOpenAI();
    home = seedCodexHome(mock.url);
    project = home.projects[0]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-phone-codex-'));
    const port = await freePort();
    relay = new CliProcess(['relay', '--port', String(port), '--bind', '127.0.0.1']);
    await relay.waitFor('the relay to listen', () => relay.stdout.includes('listening on'));
    host = new CliProcess(
      ['host', '--relay', `http://127.0.0.1:${port}`, '--pair-file', path.join(scratch, 'pair.txt'), '--state-dir', path.join(scratch, 'host'), '--name', 'codex e2e', '--', codexBin()],
      { cwd: project, env: home.env },
    );
    browser = await launchBrowser();
    const url = await host.waitFor('the terminal QR code', () => (host.stderr.includes('█') ? scanTerminalQr(host.stderr) : undefined));
    page = await (await browser.newContext(PHONE)).newPage();
    await page.goto(url);
    await page.getByLabel('Name this device').fill('Test phone');
    await page.getByTestId('pair').tap();
    const words = await page.getByTestId('sas').innerText();
    await host.waitFor('the host to show the same words', () => host.stderr.includes(words));
    await page.getByRole('button', { name: 'They match' }).tap();
    await page.getByTestId('session-select').waitFor();
  });

  after(async () => {
    await page?.context().close().catch(() => {});
    await browser?.close();
    await host?.kill();
    await relay?.kill();
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('names the agent of the session Codex, and nothing on the screen says Claude', async () => {
    const agent = page.getByTestId('session-agent');
    await eventually(async () => (await agent.innerText()).includes('Codex'), 20_000);
    assert.equal((await agent.innerText()).replace(/[·\s]+/g, ' ').trim(), 'Codex');
    await screenshot(page, 'e2e-codex-session');
    assert.doesNotMatch(await page.locator('body').innerText(), /Claude/);
  });

  it("holds Codex's command on the phone's approval card until it is approved there, then the answer streams in", async () => {
    await page.getByLabel('Message the agent').fill(`SCENARIO:shell DIR=${project} from the phone`);
    await page.getByTestId('send').tap();
    const card = page.getByTestId('approval');
    await card.waitFor({ timeout: 45_000 });
    await eventually(async () => (await card.innerText()).includes('echo hi > out.txt'), 20_000);
    assert.equal(fs.existsSync(path.join(project, 'out.txt')), false);
    assert.doesNotMatch(await page.locator('body').innerText(), /Claude/);
    await eventually(() => page.getByTestId('approve').isEnabled());
    await page.getByTestId('approve').tap();
    await card.waitFor({ state: 'detached' });
    await page.getByText('Done: ran the command.').waitFor({ timeout: 30_000 });
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8').trim(), 'hi');
  });
});
