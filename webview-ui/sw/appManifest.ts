// The web app's manifest, dist/webview/bundle.json (written by scripts/build.mjs): every file of the app
// shell and the base64url SHA-256 of its bytes. The manifest's own SHA-256 names the bundle: it is what the
// paired host vouches for (feature `appPin`) and what the service worker pins.

export interface AppManifest {
  v: 1;
  /** App-relative file name → base64url SHA-256 of its bytes. */
  files: Record<string, string>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HASH = /^[A-Za-z0-9_-]{43}$/;
/** The shell is a handful of files; a manifest listing more is not ours. */
const MAX_FILES = 32;

/** The manifest in `bytes`, or undefined when it is not one (never throws). */
export function parseAppManifest(bytes: ArrayBuffer): AppManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, files } = value as Record<string, unknown>;
  if (v !== 1 || typeof files !== 'object' || files === null || Array.isArray(files)) return undefined;
  const entries = Object.entries(files as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_FILES || !('index.html' in files)) return undefined;
  for (const [name, hash] of entries) if (!NAME.test(name) || name.includes('..') || typeof hash !== 'string' || !HASH.test(hash)) return undefined;
  return { v: 1, files: files as Record<string, string> };
}
