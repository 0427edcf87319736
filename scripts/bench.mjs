// `npm run bench`: measures Walkie's speed and size targets and writes every figure to bench/results.json.
// Built-in: VSIX size and extension activation time in a real VS Code (code-server, the installed VSIX).
// Every bench/*.bench.ts module (`export async function run(): Promise<Record<string, unknown>>`) runs in
// its own child process, one after another (the machine has 2 cores: nothing else runs beside a bench).
//   node scripts/bench.mjs [substring]   — only the benches whose file name contains the substring
// Exit code: 0 when every bench that ran produced its figures; 1 when one failed (or the substring matched
// nothing), after running the rest and writing what was measured — the reasons are listed at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, installExtension, launchChromium, makeSandbox, startCodeServer, workbenchUrl } from './lib/codeServer.mjs';
import { packageVsix, vsixEntries } from './lib/vsix.mjs';

const filter = process.argv[2];
const OUT = path.join(ROOT, 'bench/results.json');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
/** What went wrong, one line each: printed at the end and turned into the exit code. */
const failures = [];
const results = {
  measured_at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version },
};

async function extensionBench() {
  const vsix = packageVsix();
  results.vsix = { bytes: fs.statSync(vsix).size, kib: Math.round(fs.statSync(vsix).size / 1024), files: vsixEntries(vsix).length };
  console.log(`vsix: ${results.vsix.kib} KiB, ${results.vsix.files} files`);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const dir = makeSandbox('bench-activation');
    let server; let browser;
    try {
      await installExtension(dir, vsix);
      server = await startCodeServer(dir);
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(workbenchUrl(server, dir));
      await page.locator('.statusbar-item', { hasText: 'Walkie' }).first().waitFor({ state: 'visible', timeout: 90000 });
      // The extension logs its own activation time (bundle load → end of activate()) to its log channel.
      const grep = spawnSync('grep', ['-rhoE', 'activated in [0-9.]+ ms', path.join(dir, 'data/logs')], { encoding: 'utf8' }).stdout;
      const m = /activated in ([0-9.]+) ms/.exec(grep);
      if (!m) throw new Error('no activation time in the extension log');
      runs.push(Number(m[1]));
    } finally {
      await browser?.close().catch(() => {});
      server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  results.activation_ms = { median: median(runs), runs };
  console.log(`activation: median ${results.activation_ms.median.toFixed(1)} ms over ${runs.length} runs (${runs.map((r) => r.toFixed(1)).join(', ')})`);
}

function moduleBenches() {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--bench', ...(filter ? ['--only', filter] : [])], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) { failures.push('the bench build failed (see above)'); return 0; }
  const dir = path.join(ROOT, 'out/bench');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bench.js') && (!filter || f.includes(filter))).sort() : [];
  for (const f of files) {
    const t = Date.now();
    console.log(`\n== ${f}`);
    const tmp = path.join(os.tmpdir(), `walkie-bench-${process.pid}-${f}.json`);
    const code = `require(${JSON.stringify(path.join(dir, f))}).run().then((r) => { require('fs').writeFileSync(${JSON.stringify(tmp)}, JSON.stringify(r)); process.exit(0); }, (e) => { console.error(e); process.exit(1); })`;
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, stdio: 'inherit', timeout: 600000 });
    if (r.status !== 0) {
      const why = r.error ? r.error.message : `exited with ${r.status ?? r.signal}`;
      results[f] = { error: why };
      failures.push(`${f}: ${why} (its output is above)`);
      continue;
    }
    const figures = JSON.parse(fs.readFileSync(tmp, 'utf8'));
    fs.rmSync(tmp, { force: true });
    Object.assign(results, figures);
    for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${JSON.stringify(v)}`);
    console.log(`(${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
  return files.length;
}

let ran = 0;
if (!filter || 'extension'.includes(filter) || 'activation'.includes(filter)) {
  ran++;
  try {
    await extensionBench();
  } catch (e) {
    results.activation_ms = { error: String(e?.message ?? e) };
    failures.push(`extension (VSIX size, activation): ${e?.stack ?? e}`);
  }
}
ran += moduleBenches();
if (ran === 0 && failures.length === 0) failures.push(`no bench matches "${filter}" (bench/*.bench.ts, or "extension")`);
if (ran > 0) {
  let previous = {};
  try { previous = JSON.parse(fs.readFileSync(OUT, 'utf8')); } catch { /* first run */ }
  fs.writeFileSync(OUT, JSON.stringify(filter ? { ...previous, ...results } : results, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(ROOT, OUT)}`);
}
if (failures.length) {
  console.error(`\nbench: ${failures.length} failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exitCode = 1;
}
