// Web UI size and first-render benchmark (run by `npm run bench`, see scripts/bench.mjs).
//
// Size: the web UI is built the way it ships (minified, as `scripts/build.mjs --production` builds the web
// target; the options below mirror it) into a temporary folder, and app.js / app.css are gzipped at the
// default level (as `gzip -c`). Budget: total ≤ 120 KiB.
//
// First render: Debian Chromium, a 390×844 touch phone viewport, 4× CPU slowdown (CDP
// Emulation.setCPUThrottlingRate), a fresh browser context per run, the page loaded from file://. The
// scenario is a phone that paired earlier (credentials seeded in localStorage, the relay unreachable), so
// the run includes reading the stored key and setting up the channel. The mark: main.tsx records the
// User Timing mark `walkie:first-render` in a task queued from the first requestAnimationFrame after the
// first screen was rendered, i.e. right after the frame that paints the app shell (header, connection
// state, composer). The figure is that mark's startTime: milliseconds since navigation start. Budget: < 1 s.
import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--disable-quic'];
const RUNS = 9;
const MARK = 'walkie:first-render';

async function buildProduction(out: string): Promise<void> {
  await esbuild.build({
    bundle: true, platform: 'browser', target: ['es2020', 'chrome100', 'safari15', 'firefox100'], format: 'iife', logLevel: 'warning',
    entryPoints: { app: path.join(ROOT, 'webview-ui/main.tsx') }, outdir: out, absWorkingDir: ROOT,
    sourcemap: false, minify: true, legalComments: 'none',
    jsx: 'automatic', jsxImportSource: 'preact', define: { 'process.env.NODE_ENV': '"production"' },
  });
  fs.copyFileSync(path.join(ROOT, 'webview-ui/index.html'), path.join(out, 'index.html'));
  for (const f of ['manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png']) {
    if (fs.existsSync(path.join(ROOT, 'media', f))) fs.copyFileSync(path.join(ROOT, 'media', f), path.join(out, f));
  }
}

const kib = (n: number) => Math.round((n / 1024) * 10) / 10;
const b64url = (b: Buffer) => b.toString('base64url');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i));
}

export async function run(): Promise<Record<string, unknown>> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-webui-bench-'));
  try {
    await buildProduction(out);
    const js = gzipSync(fs.readFileSync(path.join(out, 'app.js'))).length;
    const css = gzipSync(fs.readFileSync(path.join(out, 'app.css'))).length;

    const host = {
      hostId: b64url(randomBytes(32)),
      hostPublicKey: b64url(randomBytes(32)),
      relayUrl: 'ws://127.0.0.1:9',
      deviceSecretKey: b64url(randomBytes(32)),
      hostName: 'bench-host',
      deviceName: 'Bench phone',
      pairedAt: Date.now(),
    };
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const runs: number[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 3 });
        const page = await context.newPage();
        await page.addInitScript((h) => {
          localStorage.setItem(`walkie.host.${h.hostId}`, JSON.stringify(h));
          localStorage.setItem('walkie.lastHost', h.hostId);
        }, host);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
        const t = await page.waitForFunction((mark) => performance.getEntriesByName(mark)[0]?.startTime, MARK, { timeout: 30_000 });
        const ms = Number(await t.jsonValue());
        if (!(await page.locator('.app .composer').isVisible())) throw new Error('the chat shell is not visible at the mark');
        runs.push(Math.round(ms * 10) / 10);
        await context.close();
      }
    } finally {
      await browser.close();
    }
    return {
      webui_gzip_kib: { js: kib(js), css: kib(css), total: kib(js + css) },
      // The 1-minute load average at the end: on a shared machine, other work inflates every run.
      webui_first_render_ms: { p50: percentile(runs, 0.5), runs, mark: MARK, cpu_slowdown: 4, viewport: '390x844', load1: Math.round(os.loadavg()[0]! * 10) / 10 },
    };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
