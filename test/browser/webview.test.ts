import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';

const DIST = path.resolve(__dirname, '../../../dist/webview');

describe('web UI bundle (Chromium)', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('loads the built dist/webview/index.html with no page error', async () => {
    const index = path.join(DIST, 'index.html');
    assert.ok(fs.existsSync(index), 'dist/webview/index.html was not built');
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(index).href);
    await page.getByRole('heading', { name: 'Walkie' }).waitFor();
    assert.match(await page.getByTestId('status').innerText(), /pair/i);
    assert.deepEqual(errors, []);
    fs.mkdirSync(path.resolve(__dirname, '../../artifacts'), { recursive: true });
    await page.screenshot({ path: path.resolve(__dirname, '../../artifacts/webview-first-load.png') });
    await page.close();
  });
});
