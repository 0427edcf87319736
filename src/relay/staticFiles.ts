// The relay's plain HTTP side: GET /healthz and the web UI's static files (dist/webview) on the same
// origin as the WebSocket endpoints. Every response carries the security headers below; only GET and
// HEAD; no directory listing; a path that leaves the web root (../, encoded or via a symlink) is a 404.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * The page may load only its own scripts, styles and images (plus data: images such as QR codes), talk
 * only to its own origin, and may not be framed — a relay-served page is where a phone types its pairing
 * secret, so no third-party code, no inline script and no clickjacking. Security: `connect-src 'self'`
 * (which covers ws:/wss: to the same host and port in CSP 3) — not any `ws:`/`wss:` host — so script that
 * gets into the page cannot send the device's keys anywhere else. A relay-served pairing URL never names
 * another relay (its `r` is omitted when it equals the page's origin).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // The camera is for scanning a pairing QR code; nothing else is needed.
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
});

const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
});

/** Largest file served (the web UI's files are far smaller; anything bigger is not ours). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Ends a request with a small body and the security headers. Never throws. */
export function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  try {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  } catch {
    res.destroy();
  }
}

/**
 * Resolves a URL path to a file under `root`, or undefined when it is not a plain file inside it.
 * `root` must already be a real (symlink-free) absolute path.
 */
export async function resolveStaticPath(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  // Refuse outright what no file of ours is called: NUL, backslashes (Windows separators), dot segments.
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return undefined;
  if (segments.length === 0) segments.push('index.html');
  const candidate = path.join(root, ...segments);
  try {
    // Follow symlinks, then check again: the real file must still be inside the real root.
    const real = await fs.promises.realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) return undefined;
    const stat = await fs.promises.stat(real);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

/** Serves one static file request from `root` (a real absolute path), or a 404. Never throws. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, urlPath: string): Promise<void> {
  const file = await resolveStaticPath(root, urlPath);
  if (!file) return sendText(res, 404, 'not found\n');
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  let body: Buffer;
  try {
    body = await fs.promises.readFile(file);
  } catch {
    return sendText(res, 404, 'not found\n');
  }
  try {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': type,
      'Content-Length': body.length,
      // The web UI's file names are not content-hashed: always revalidate, so an update is seen at once.
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.destroy();
  }
}
