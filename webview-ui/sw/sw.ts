// The phone's service worker: it pins the app. On first install (trust on first use: SECURITY.md) it
// fetches the app manifest (bundle.json) and every file in it, checks each file's SHA-256 against the
// manifest, and from then on serves the app shell ONLY from that pinned copy — never from the network. A
// new bundle is fetched and activated only when the page forwards a `vouch` for it: the SHA-256 of a
// manifest that the paired host sent over the end-to-end encrypted channel (feature `appPin`). So after
// pairing, neither the relay that serves these files nor anything on the network path can change the
// code the phone runs; a relay that serves a changed app.js is simply never read again.
//
// What this cannot pin is this file itself: browsers re-fetch a service worker's script to look for
// updates and install a changed one. SECURITY.md says what that leaves open and why serving the app from
// an origin the user controls (docs/relay.md) closes it.
import { parseAppManifest, type AppManifest } from './appManifest';
import { installPush } from './push';

declare const self: ServiceWorkerGlobalScope;

const META_CACHE = 'walkie-meta';
const APP_CACHE_PREFIX = 'walkie-app-';
const at = (name: string): string => new URL(name, self.registration.scope).href;
const ACTIVE_RECORD = () => at('__walkie/active.json');

interface ActiveBundle {
  /** base64url SHA-256 of the manifest's bytes. */
  digest: string;
  manifest: AppManifest;
}

interface FetchedBundle extends ActiveBundle {
  responses: Map<string, Response>;
}

class PinError extends Error {
  constructor(readonly code: 'mismatch' | 'unavailable' | 'corrupt', message: string) {
    super(message);
  }
}

function base64url(bytes: ArrayBuffer): string {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function sha256(bytes: ArrayBuffer): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', bytes));
}

async function readActive(): Promise<ActiveBundle | undefined> {
  const res = await (await caches.open(META_CACHE)).match(ACTIVE_RECORD());
  if (!res) return undefined;
  try {
    const rec = (await res.json()) as ActiveBundle;
    const manifest = parseAppManifest(new TextEncoder().encode(JSON.stringify(rec.manifest)).buffer);
    return typeof rec.digest === 'string' && manifest ? { digest: rec.digest, manifest } : undefined;
  } catch {
    return undefined;
  }
}

async function writeActive(bundle: ActiveBundle): Promise<void> {
  const body = JSON.stringify({ digest: bundle.digest, manifest: bundle.manifest });
  await (await caches.open(META_CACHE)).put(ACTIVE_RECORD(), new Response(body, { headers: { 'Content-Type': 'application/json' } }));
}

/** Fetches one file of a bundle and checks it against the manifest's hash; the response keeps its headers (CSP). */
async function fetchVerified(name: string, expected: string): Promise<Response> {
  const res = await fetch(at(name), { cache: 'no-store', credentials: 'omit', redirect: 'error' });
  if (!res.ok) throw new PinError('unavailable', `${name}: HTTP ${res.status}`);
  const bytes = await res.arrayBuffer();
  if ((await sha256(bytes)) !== expected) throw new PinError('corrupt', `${name} does not match the manifest`);
  return new Response(bytes, { status: 200, headers: res.headers });
}

/** The bundle the server offers now; with `expected`, only if its manifest has that hash. */
async function fetchBundle(expected?: string): Promise<FetchedBundle> {
  const res = await fetch(at('bundle.json'), { cache: 'no-store', credentials: 'omit', redirect: 'error' });
  if (!res.ok) throw new PinError('unavailable', `bundle.json: HTTP ${res.status}`);
  const bytes = await res.arrayBuffer();
  const digest = await sha256(bytes);
  if (expected !== undefined && digest !== expected) throw new PinError('mismatch', 'the server offers a different app than the host vouches for');
  const manifest = parseAppManifest(bytes);
  if (!manifest) throw new PinError('corrupt', 'bundle.json is not an app manifest');
  const responses = new Map<string, Response>();
  for (const [name, hash] of Object.entries(manifest.files)) responses.set(name, await fetchVerified(name, hash));
  return { digest, manifest, responses };
}

/** Stores a fetched bundle and makes it the one served; older bundles are deleted. */
async function activate(bundle: FetchedBundle): Promise<void> {
  const cache = await caches.open(APP_CACHE_PREFIX + bundle.digest);
  for (const [name, res] of bundle.responses) await cache.put(at(name), res);
  await writeActive(bundle);
  for (const key of await caches.keys()) if (key.startsWith(APP_CACHE_PREFIX) && key !== APP_CACHE_PREFIX + bundle.digest) await caches.delete(key);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      // First install: pin what the server offers now (TOFU). A later install (a changed sw.js) keeps the
      // pinned bundle: only a vouch changes it.
      if (!(await readActive())) await activate(await fetchBundle());
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

/** The pinned file, or — if the browser evicted it — the network copy only if it still has the pinned hash. */
async function servePinned(name: string, request: Request): Promise<Response> {
  const active = await readActive();
  const expected = active?.manifest.files[name];
  if (!active || !expected) return fetch(request);
  const cache = await caches.open(APP_CACHE_PREFIX + active.digest);
  const hit = await cache.match(at(name));
  if (hit) return hit;
  try {
    const res = await fetchVerified(name, expected);
    await cache.put(at(name), res.clone());
    return res;
  } catch {
    // Security: never fall back to an unverified copy of a pinned file.
    return new Response('Walkie could not load its own files; it will retry when you reload.', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const rest = url.pathname.slice(scope.pathname.length);
  const name = rest === '' || request.mode === 'navigate' ? 'index.html' : rest;
  // Requests for anything that is not part of the shell (bundle.json, sw.js, /healthz) go to the network.
  if (rest !== '' && request.mode !== 'navigate' && rest.includes('/')) return;
  event.respondWith(servePinned(name, request));
});

/** Vouches are handled one at a time. */
let vouching: Promise<unknown> = Promise.resolve();

async function vouch(digest: string): Promise<{ state: 'current' | 'ready' | PinError['code'] }> {
  const active = await readActive();
  if (active?.digest === digest) return { state: 'current' };
  try {
    await activate(await fetchBundle(digest));
    return { state: 'ready' };
  } catch (e) {
    return { state: e instanceof PinError ? e.code : 'unavailable' };
  }
}

self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; sha256?: unknown } | null;
  const port = event.ports[0];
  if (!data || data.type !== 'vouch' || typeof data.sha256 !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(data.sha256) || !port) return;
  const digest = data.sha256;
  const work = vouching.then(() => vouch(digest)).then((reply) => port.postMessage(reply), () => port.postMessage({ state: 'unavailable' }));
  vouching = work;
  event.waitUntil(work);
});

installPush();
