// This phone's Web Push subscription (issue 12): where push can work, how to turn it on, and the
// subscription the host needs (sent over the encrypted channel, never anywhere else).
export type PushSupport =
  | 'ok'
  /** iOS/iPadOS Safari allows push only to an app added to the Home Screen. */
  | 'ios-needs-install'
  /** A plain-http origin (LAN): no service worker, no push. */
  | 'insecure'
  /** A browser without the Push API. */
  | 'unsupported';

export function pushSupport(): PushSupport {
  if (!window.isSecureContext) return 'insecure';
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const standalone = window.matchMedia?.('(display-mode: standalone)').matches || (navigator as { standalone?: boolean }).standalone === true;
  if (ios && !standalone) return 'ios-needs-install';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  return 'ok';
}

function base64urlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(b.length));
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

export interface SubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Asks for permission (from a tap) and subscribes with the host's VAPID key; undefined when refused. */
export async function subscribePush(vapidPublicKey: string): Promise<SubscriptionJson | undefined> {
  if ((await Notification.requestPermission()) !== 'granted') return undefined;
  const registration = await navigator.serviceWorker.ready;
  const key = base64urlToBytes(vapidPublicKey);
  let sub = await registration.pushManager.getSubscription();
  // A subscription made for another host's key cannot carry this host's pushes: replace it.
  const current = sub?.options.applicationServerKey;
  if (sub && current && new Uint8Array(current).join() !== key.join()) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const json = sub.toJSON() as { endpoint?: string; keys?: { p256dh?: string; auth?: string } };
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) return undefined;
  return { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } };
}

export async function unsubscribePush(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}
