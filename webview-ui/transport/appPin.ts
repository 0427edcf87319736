// The page's side of app pinning (webview-ui/sw/sw.ts): registers the service worker on secure origins,
// and forwards the host's vouch (feature `appPin`, received over the encrypted channel) to it. The worker
// answers whether the running app is the vouched one, a vouched update is ready (a reload runs it), or the
// server offers something else than the host vouches for (kept out).
export type PinState = 'current' | 'ready' | 'mismatch' | 'unavailable' | 'corrupt' | 'unsupported';

/** Registers the pinning service worker where the browser allows one (https, localhost). */
export function registerAppPin(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('sw.js', { scope: './', updateViaCache: 'none' }).catch((e: unknown) => {
    console.warn(`walkie: the app could not be installed for offline use (${e instanceof Error ? e.name : 'error'})`);
  });
}

const VOUCH_TIMEOUT_MS = 30_000;

/** Tells the service worker which app the host vouches for; resolves with what it did. */
export async function vouchForApp(sha256: string): Promise<PinState> {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return 'unsupported';
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return 'unavailable';
  return new Promise<PinState>((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve('unavailable'), VOUCH_TIMEOUT_MS);
    channel.port1.onmessage = (e: MessageEvent<{ state?: PinState }>) => {
      clearTimeout(timer);
      resolve(e.data?.state ?? 'unavailable');
    };
    worker.postMessage({ type: 'vouch', sha256 }, [channel.port2]);
  });
}
