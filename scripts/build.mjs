// One build for everything, with esbuild:
//   dist/extension.js   the VS Code extension (CommonJS; `vscode` and the native `node-pty` external)
//   dist/cli.js         the `walkie` CLI (CommonJS, shebang)
//   dist/hook.js        the attach hook for hand-started Claude Code sessions
//   dist/webview/       the web UI (index.html, app.js, app.css, manifest, icons), its service worker sw.js
//                       and bundle.json: every app file's SHA-256 (what the phone pins: webview-ui/sw/sw.ts)
//   dist/node_modules/node-pty/   node-pty's runtime files and N-API binaries, so the VSIX needs no npm install
// Flags: --production (minified, no source maps), --watch, --tests (also bundles test/** into out/test),
//        --bench (bundles bench/*.bench.ts into out/bench), --only SUBSTRING (with --tests/--bench: only the
//        test or bench files whose path contains SUBSTRING, and none of the product targets).
import * as esbuild from 'esbuild';
import { writeAppManifest } from './lib/appManifest.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests') || watch;
const withBench = args.has('--bench');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const rel = (...p) => path.join(ROOT, ...p);

const nodeCommon = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning',
  sourcemap: production ? false : 'linked', minify: production, legalComments: 'none',
  external: ['vscode', 'node-pty'],
  define: { WALKIE_VERSION: JSON.stringify(JSON.parse(fs.readFileSync(rel('package.json'), 'utf8')).version) },
};

/** Every build target; each is an esbuild options object. */
function targets() {
  const productTargets = [
    { ...nodeCommon, entryPoints: [rel('src/vscode/extension.ts')], outfile: rel('dist/extension.js') },
    { ...nodeCommon, entryPoints: [rel('src/node/cli/cli.ts')], outfile: rel('dist/cli.js'), banner: { js: '#!/usr/bin/env node' } },
    // The attach hook (a command hook in .claude/settings.local.json): tiny, node:* only, started per tool call.
    { ...nodeCommon, entryPoints: [rel('src/node/attach/hookCli.ts')], outfile: rel('dist/hook.js'), sourcemap: false },
    {
      bundle: true, platform: 'browser', target: ['es2020', 'chrome100', 'safari15', 'firefox100'], format: 'iife', logLevel: 'warning',
      entryPoints: { app: rel('webview-ui/main.tsx') }, outdir: rel('dist/webview'),
      sourcemap: production ? false : 'linked', minify: production, legalComments: 'none',
      jsx: 'automatic', jsxImportSource: 'preact', define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
    },
    {
      bundle: true, platform: 'browser', target: ['es2020', 'chrome100', 'safari15', 'firefox100'], format: 'iife', logLevel: 'warning',
      entryPoints: { sw: rel('webview-ui/sw/sw.ts') }, outdir: rel('dist/webview'), sourcemap: false, minify: production, legalComments: 'none',
    },
  ];
  const list = only ? [] : [...productTargets];
  // Heavy, native or test-harness packages stay outside test and bench bundles and load from node_modules.
  const external = ['vscode', 'node-pty', 'mocha', 'playwright-core', 'eslint', '@eslint/js', 'typescript-eslint', 'esbuild', 'typescript'];
  const pick = (files) => files.filter((f) => !only || path.relative(ROOT, f).includes(only));
  if (withTests) {
    const testEntries = pick(listFiles(rel('test')).filter((f) => /\.test\.tsx?$/.test(f) || f.endsWith(path.join('test', 'vscode', 'index.ts'))));
    // A full test build starts from an empty out/test, so a moved or deleted test never runs from a stale bundle.
    if (!only && !watch) fs.rmSync(rel('out/test'), { recursive: true, force: true });
    if (testEntries.length) list.push({ ...nodeCommon, entryPoints: testEntries, outdir: rel('out/test'), outbase: rel('test'), sourcemap: 'inline', minify: false, external });
  }
  if (withBench) {
    const benchEntries = pick(listFiles(rel('bench')).filter((f) => /\.bench\.ts$/.test(f)));
    if (benchEntries.length) list.push({ ...nodeCommon, entryPoints: benchEntries, outdir: rel('out/bench'), outbase: rel('bench'), sourcemap: false, minify: false, external });
  }
  return list;
}

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

function copyStatic() {
  const web = rel('dist/webview');
  fs.mkdirSync(web, { recursive: true });
  fs.copyFileSync(rel('webview-ui/index.html'), path.join(web, 'index.html'));
  for (const f of ['manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png']) {
    if (fs.existsSync(rel('media', f))) fs.copyFileSync(rel('media', f), path.join(web, f));
  }
  writeAppManifest(web);
  copyNodePty();
}


/** node-pty's runtime: package.json, lib/*.js (no tests, no maps), the built binary and its prebuilds. */
function copyNodePty() {
  const src = rel('node_modules/node-pty');
  const dst = rel('dist/node_modules/node-pty');
  if (!fs.existsSync(src)) throw new Error('node-pty is not installed: run scripts/setup.sh');
  fs.rmSync(dst, { recursive: true, force: true });
  const keep = (f) => {
    const r = path.relative(src, f);
    if (r === 'package.json' || r === 'LICENSE') return true;
    if (r.startsWith('lib' + path.sep)) return r.endsWith('.js') && !r.endsWith('.test.js') && !r.includes(`${path.sep}testUtils`);
    if (r.startsWith(path.join('build', 'Release') + path.sep)) return /\.node$|spawn-helper$/.test(r);
    if (r.startsWith('prebuilds' + path.sep)) return !r.endsWith('.pdb');
    return false;
  };
  for (const f of listFiles(src).filter(keep)) {
    const out = path.join(dst, path.relative(src, f));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.copyFileSync(f, out);
    fs.chmodSync(out, fs.statSync(f).mode);
  }
  if (!fs.existsSync(path.join(dst, 'build/Release/pty.node'))) throw new Error('node-pty has no build/Release/pty.node: run scripts/setup.sh');
}

if (production) fs.rmSync(rel('dist'), { recursive: true, force: true });
const all = targets();
if (watch) {
  copyStatic();
  for (const t of all) await (await esbuild.context(t)).watch();
  console.log('build: watching for changes');
} else {
  const t0 = Date.now();
  await Promise.all(all.map((t) => esbuild.build(t)));
  if (!only) {
    copyStatic();
    fs.chmodSync(rel('dist/cli.js'), 0o755);
  }
  console.log(`build: ${production ? 'production' : 'development'} build in ${Date.now() - t0} ms`);
}
