// The host's own web app, as it vouches for it to paired phones (feature `appPin`): the base64url SHA-256
// of dist/webview/bundle.json, the manifest that lists every app file with its hash (scripts/build.mjs).
// The phone's service worker runs only a bundle whose manifest has this hash (webview-ui/sw/sw.ts), so the
// relay serving the files cannot get different code activated. Read again whenever the file changes (an
// updated extension), and cheap enough to ask on every device hello.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class AppBundle {
  private cached: { mtimeMs: number; size: number; digest: string } | undefined;

  constructor(private readonly webRoot: string) {}

  /** The manifest's hash, or undefined when this host has no web app (or an unreadable manifest). */
  digest(): string | undefined {
    const file = path.join(this.webRoot, 'bundle.json');
    try {
      const st = fs.statSync(file);
      if (this.cached && this.cached.mtimeMs === st.mtimeMs && this.cached.size === st.size) return this.cached.digest;
      const digest = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('base64url');
      this.cached = { mtimeMs: st.mtimeMs, size: st.size, digest };
      return digest;
    } catch {
      this.cached = undefined;
      return undefined;
    }
  }
}
