import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { chat, hello, openPanel, type Panel } from './webuiHarness';

/** Agent text is untrusted: each of these must render inert (the page has no CSP here, so a slip would run). */
const PAYLOADS = [
  '<script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 2">',
  '<iframe src="javascript:parent.__pwned = 3"></iframe>',
  '[click me](javascript:window.__pwned=4)',
  '[click me](JaVaScRiPt:window.__pwned=5)',
  '[click me](  javascript:window.__pwned=6)',
  '![image](x" onerror="window.__pwned=7)',
  '<svg onload="window.__pwned = 8"><circle r="4"/></svg>',
  '<a href="javascript:window.__pwned=9">anchor</a>',
  '<div style="background:url(javascript:window.__pwned=10)">styled</div>',
  '<details open ontoggle="window.__pwned = 11"><summary>s</summary></details>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned = 12">',
  '<object data="javascript:window.__pwned=13"></object>',
  '<embed src="javascript:window.__pwned=14">',
  '<form action="javascript:window.__pwned=15"><button>go</button></form>',
  '<body onload="window.__pwned = 16">',
  '[data link](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xNzwvc2NyaXB0Pg==)',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=18">',
  '<base href="javascript:window.__pwned=19//">',
  '<a href="&#106;avascript:window.__pwned=21">entity</a>',
  '[vb](vbscript:msgbox(22))',
  '<input autofocus onfocus="window.__pwned = 23">',
  '<video><source onerror="window.__pwned = 24"></video>',
  '<style>body { display: none }</style>',
  '[angle](<javascript:window.__pwned=26>)',
  '<noscript><p title="</noscript><img src=x onerror=window.__pwned=27>">',
  '<svg><a xlink:href="javascript:window.__pwned=28"><text x="0" y="10">svg link</text></a></svg>',
  '<a href="https://example.com" onclick="window.__pwned = 29">with handler</a>',
  '<p class="approval" data-testid="approval" id="app">a fake approval card</p>',
  '<javascript:window.__pwned=31>',
  '[ref][r]\n\n[r]: javascript:window.__pwned=32',
  '[a safe link](https://example.com "docs") next to <b onmouseover="window.__pwned = 34">raw html</b>',
  '`<img src=x onerror="window.__pwned = 35">` is shown as code',
];

describe('web UI rendering of untrusted assistant text (Chromium)', () => {
  let browser: Browser;
  let panel: Panel;
  before(async () => {
    browser = await launchBrowser();
    panel = await openPanel(browser);
    await panel.page.evaluate(() => {
      (window as unknown as { __pwned?: unknown }).__pwned = undefined;
      // A trap for anything that calls alert/confirm/prompt.
      window.alert = window.confirm = window.prompt = () => {
        (window as unknown as { __pwned?: unknown }).__pwned = 'dialog';
        return null as never;
      };
    });
    await panel.post(hello());
    for (let i = 0; i < PAYLOADS.length; i++) await panel.post(chat(i + 1, { kind: 'assistant', text: PAYLOADS[i]! }));
    await panel.page.locator(`[data-seq="${PAYLOADS.length}"]`).waitFor();
    // Let failed image loads, autofocus and toggle events fire if anything slipped through.
    await panel.page.waitForTimeout(500);
  });
  after(async () => {
    await panel?.close();
    await browser?.close();
  });

  it(`runs none of ${PAYLOADS.length} script payloads`, async () => {
    assert.ok(PAYLOADS.length >= 20);
    assert.equal(await panel.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(panel.errors, []);
  });

  it('leaves no dangerous element or attribute in the thread', async () => {
    const found = await panel.page.evaluate(() => {
      const root = document.querySelector('.thread')!;
      const bad: string[] = [];
      for (const el of root.querySelectorAll('script, iframe, img, svg, math, object, embed, form, style, link, meta, base, video, source, noscript, body')) bad.push(`<${el.tagName.toLowerCase()}>`);
      for (const el of root.querySelectorAll('.markdown *')) {
        for (const attr of el.getAttributeNames()) {
          if (attr.startsWith('on') || attr === 'style' || attr === 'class' || attr === 'id' || attr.startsWith('data-') || attr === 'src' || attr === 'action') bad.push(`${el.tagName.toLowerCase()}[${attr}]`);
        }
        if (el.tagName === 'INPUT' && (el as HTMLInputElement).type !== 'checkbox') bad.push('input');
      }
      for (const a of root.querySelectorAll('a[href]')) {
        const href = a.getAttribute('href')!;
        if (!/^(https?:|mailto:)/i.test(href)) bad.push(`a[href=${href}]`);
      }
      return bad;
    });
    assert.deepEqual(found, []);
    assert.equal(await panel.page.getByTestId('approval').count(), 0, 'agent text must not pose as an approval card');
  });

  it('still shows the text of harmless content and opens links with noopener', async () => {
    const page = panel.page;
    assert.match(await page.locator(`[data-seq="${PAYLOADS.length}"] code`).innerText(), /<img src=x onerror=/);
    assert.match(await page.locator('.thread').innerText(), /a fake approval card/);
    const safe = page.locator('.markdown a[href="https://example.com"]');
    assert.equal(await safe.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await safe.getAttribute('target'), '_blank');
  });
});
