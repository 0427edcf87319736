// Drives the built web UI (dist/webview) in Chromium the way the VS Code panel does: `acquireVsCodeApi`
// is defined before the bundle runs and records every outgoing message; host messages are posted to the
// window as `{ type: 'host', message }`. Also: protocol fixtures and a static server for http-origin pages.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ApprovalRequest, HostMessage, SessionInfo } from '../../src/core/wire/protocol';
import { launchBrowser } from './browser';

export const DIST = path.resolve(__dirname, '../../../dist/webview');
export const ARTIFACTS = path.resolve(__dirname, '../../artifacts');
export const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 } as const;

export interface Panel {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** Everything the page posted to the (fake) extension so far. */
  sent(): Promise<{ type: string; message?: { type: string; [k: string]: unknown } }[]>;
  /** The DeviceMessages posted so far, optionally of one type. */
  device(type?: string): Promise<Record<string, unknown>[]>;
  post(message: HostMessage | unknown): Promise<void>;
  close(): Promise<void>;
}

export async function openPanel(browser: Browser, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Panel> {
  const index = path.join(DIST, 'index.html');
  if (!fs.existsSync(index)) throw new Error('dist/webview/index.html was not built');
  const context = await browser.newContext({ ...PHONE, colorScheme: opts.colorScheme ?? 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { __sent: unknown[]; acquireVsCodeApi: () => unknown };
    w.__sent = [];
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => w.__sent.push(JSON.parse(JSON.stringify(m))),
      getState: () => undefined,
      setState: () => undefined,
    });
  });
  await page.goto(pathToFileURL(index).href);
  await page.locator('.app').waitFor();
  // Like the extension, speak only once the panel has said it is listening.
  await page.waitForFunction(() => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'ready'));
  type Sent = Awaited<ReturnType<Panel['sent']>>;
  const sent = (): Promise<Sent> => page.evaluate(() => (window as unknown as { __sent: Sent }).__sent);
  return {
    context,
    page,
    errors,
    sent,
    device: async (type) =>
      (await sent()).filter((m) => m.type === 'device' && (!type || m.message?.type === type)).map((m) => m.message as Record<string, unknown>),
    // Posts as the extension does, and resolves once the page has handled the message and drawn it: the page
    // draws a frame's worth of changes at once (webview-ui/components/useStoreState.ts), so what a test reads
    // right after is what a user would see. The page's own listener was added first, so it runs first; the
    // 150 ms bound covers a page that gets no frames (its render timer is 100 ms).
    post: (message) =>
      page.evaluate(
        (m) =>
          new Promise<void>((resolve) => {
            const drawn = () => {
              requestAnimationFrame(() => setTimeout(resolve, 0));
              setTimeout(resolve, 150);
            };
            window.addEventListener('message', drawn, { once: true });
            window.postMessage({ type: 'host', message: m }, '*');
          }),
        message as never,
      ),
    close: () => context.close(),
  };
}

/**
 * The hooks every panel test file shares: one Chromium for the file, and every panel a test opened (with
 * `open`) closed after that test.
 */
export function panelSuite(): { readonly browser: Browser; open(opts?: Parameters<typeof openPanel>[1]): Promise<Panel> } {
  let browser: Browser | undefined;
  const opened: Panel[] = [];
  before(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const panel of opened.splice(0)) await panel.close();
  });
  after(async () => {
    await browser?.close();
  });
  return {
    get browser(): Browser {
      if (!browser) throw new Error('Chromium is not up yet (use the suite inside a test)');
      return browser;
    },
    async open(opts) {
      const panel = await openPanel(this.browser, opts);
      opened.push(panel);
      return panel;
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function eventually<T>(fn: () => Promise<T>, ms = 5000): Promise<Exclude<T, undefined | null | false | '' | 0>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as Exclude<T, undefined | null | false | '' | 0>;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function session(over: Partial<SessionInfo> = {}): SessionInfo {
  return { id: 's1', title: 'Fix the flaky test', agent: 'claude', cwd: '/home/dev/project', status: 'working', since: Date.now(), lastSeq: 0, ...over };
}

export function hello(sessions: SessionInfo[] = [session()]): HostMessage {
  return { type: 'hello', v: 1, hostName: 'dev-laptop', sessions };
}

let hashCounter = 0;
/** A distinct, well-formed input hash per call. */
export function inputHash(): string {
  return (++hashCounter).toString(16).padStart(64, 'a');
}

export function approval(over: Partial<ApprovalRequest> = {}): HostMessage {
  const now = Date.now();
  const request: ApprovalRequest = {
    id: 'a1',
    session: 's1',
    tool: 'Bash',
    summary: 'Run npm test',
    detail: { kind: 'command', command: 'npm test -- --grep "approval broker"' },
    cwd: '/home/dev/project',
    risk: { level: 'low', reasons: [] },
    inputHash: inputHash(),
    createdAt: now,
    expiresAt: now + 120_000,
    ...over,
  };
  return { type: 'approval', request };
}

export function chat(seq: number, event: Extract<HostMessage, { type: 'chat' }>['event'], sessionId = 's1'): HostMessage {
  return { type: 'chat', session: sessionId, seq, at: Date.now(), event };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `webui-${name}.png`) });
}

/** Serves dist/webview over http on 127.0.0.1 (an http LAN-like origin: no WebCrypto subtle). */
export async function serveDist(): Promise<{ origin: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(DIST, path.basename(name));
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
