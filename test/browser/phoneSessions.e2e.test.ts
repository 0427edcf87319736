// The phone's session list against `walkie serve` (the REAL Claude Code CLI against a scripted model,
// offline) in Chromium at a phone viewport: start a session in an allowed folder with a first prompt, see a
// badge when another session waits for an approval, switch with one tap, end a session (with a confirm), and
// resume a past one with its chat.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CliProcess } from '../e2e/cliProcess';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { launchBrowser } from './browser';
import { eventually, PHONE, screenshot } from './webuiHarness';

describe('the phone starts, switches, ends and resumes sessions on walkie serve (real Claude Code, Chromium)', function () {
  this.timeout(120_000);
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let serve: CliProcess;
  let browser: Browser;
  let page: Page;

  const openSheet = async () => {
    await page.getByTestId('sessions-button').tap();
    await page.getByTestId('sessions-sheet').waitFor();
  };
  const startFromPhone = async (prompt: string) => {
    await openSheet();
    assert.equal(await page.getByTestId('new-folder').inputValue(), project);
    await page.getByTestId('new-prompt').fill(prompt);
    await page.getByTestId('start-session').tap();
    await page.getByTestId('sessions-sheet').waitFor({ state: 'detached' });
  };

  before(async () => {
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-sessions-phone-'));
    const pairFile = path.join(scratch, 'pair.txt');
    serve = new CliProcess(['serve', '--bind', '127.0.0.1', '--allow-dir', project, '--agent', claudeBin(), '--pair-file', pairFile, '--state-dir', path.join(scratch, 'host'), '--name', 'serve phone'], {
      cwd: scratch,
      env: home.env,
    });
    await serve.waitFor('serve to be ready', () => serve.stderr.includes('walkie: ready'));
    browser = await launchBrowser();
    page = await (await browser.newContext(PHONE)).newPage();
    await page.goto(fs.readFileSync(pairFile, 'utf8').trim());
    await page.getByLabel('Name this device').fill('Test phone');
    await page.getByTestId('pair').tap();
    await page.getByRole('button', { name: 'They match' }).tap();
  });

  after(async () => {
    await page?.context().close().catch(() => {});
    await browser?.close();
    await serve?.kill();
    await mock?.close();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('starts a session in the allowed folder with its first prompt, which reaches the model', async () => {
    await page.getByText('No session yet. Start one from the ☰ Sessions list.').waitFor();
    await startFromPhone('SCENARIO:text hello from the phone sheet');
    await page.getByText('Hello from the mock model').waitFor({ timeout: 60_000 });
    assert.ok(JSON.stringify(mock.requests).includes('hello from the phone sheet'));
    await eventually(async () => (await page.getByTestId('session-status').innerText()).includes(project));
    await screenshot(page, 'sessions-started');
  });

  it('shows a badge when another session waits for an approval, and switches there with one tap', async () => {
    await startFromPhone(`SCENARIO:bash DIR=${project} go`);
    await page.getByTestId('approval').waitFor({ timeout: 60_000 });
    // Switch to the first session: the approval now waits elsewhere.
    await openSheet();
    await page.getByTestId('session-row').filter({ hasText: 'hello from the phone sheet' }).tap();
    await page.getByTestId('other-waiting').waitFor();
    assert.equal(await page.getByTestId('other-waiting').innerText(), '1');
    await openSheet();
    const waiting = page.getByTestId('session-row').filter({ hasText: 'SCENARIO:bash' });
    await waiting.getByTestId('session-pending').waitFor();
    await screenshot(page, 'sessions-list');
    await waiting.tap();
    await eventually(async () => (await page.getByTestId('other-waiting').count()) === 0);
    await eventually(() => page.getByTestId('approve').isEnabled());
    await page.getByTestId('approve').tap();
    await page.getByText('Done: wrote out.txt').waitFor({ timeout: 30_000 });
  });

  it('ends a session only after a confirm', async () => {
    await page.getByTestId('stop-session').tap();
    await page.getByTestId('confirm-stop').waitFor();
    await screenshot(page, 'sessions-confirm-stop');
    await page.getByTestId('confirm-stop').tap();
    await eventually(async () => (await page.getByTestId('session-status').innerText()).includes('Ended'), 30_000).catch(async (e: unknown) => {
      await screenshot(page, 'sessions-stop-failed');
      throw e;
    });
    // The composer says so; End session is gone.
    assert.equal(await page.getByLabel('Message the agent').getAttribute('placeholder'), 'This session has ended');
    assert.equal(await page.getByTestId('stop-session').count(), 0);
  });

  it('resumes a past session of the folder, and its chat comes back', async () => {
    await openSheet();
    await page.getByTestId('show-past').tap();
    const row = page.getByTestId('past-row').filter({ hasText: 'hello from the phone sheet' });
    await row.waitFor();
    await row.tap();
    await eventually(async () => (await page.getByTestId('session-status').innerText()).match(/Idle|Starting/) !== null, 60_000);
    await page.locator('.msg-user').filter({ hasText: 'hello from the phone sheet' }).first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Message the agent').fill('SCENARIO:text after resuming');
    await page.getByTestId('send').tap();
    await eventually(async () => JSON.stringify(mock.requests.at(-1)).includes('after resuming'), 60_000);
    assert.ok(JSON.stringify(mock.requests.at(-1)).includes('hello from the phone sheet'), 'the resumed conversation lost its history');
  });
});
