// dist/webview/bundle.json — shared by scripts/build.mjs and bench/webui.bench.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * dist/webview/bundle.json: the app shell's files and the base64url SHA-256 of each. The phone's service
 * worker pins exactly these files, and the manifest's own hash is what a host vouches for (feature `appPin`).
 * sw.js is not in it (a service worker cannot pin its own script); source maps are not part of the app.
 */
export function writeAppManifest(web) {
  const shell = ['index.html', 'app.js', 'app.css', 'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png'];
  const files = {};
  for (const f of shell) {
    const file = path.join(web, f);
    if (!fs.existsSync(file)) throw new Error(`the web app has no ${f}`);
    files[f] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('base64url');
  }
  fs.writeFileSync(path.join(web, 'bundle.json'), JSON.stringify({ v: 1, files }, null, 1) + '\n');
}
