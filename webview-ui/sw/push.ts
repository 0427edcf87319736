// Web Push in the phone's service worker (issue 12). A push's payload (src/core/notify/pushPayload.ts)
// carries only the lock-screen words the host chose (lockScreenText) and ids: it is shown as one
// notification per session (its `tag`), updated in place while approvals wait. Tapping it opens the app
// on that session's card; "Deny" opens it too and asks the app to deny that card once the app has
// verified, over the encrypted channel, that the request is still pending (never from the push alone).
// There is no "Approve" action: approving always happens in the app, in front of the card.

declare const self: ServiceWorkerGlobalScope;

/** What the page is asked to do when a notification is tapped (webview-ui/transport/notificationLinks.ts). */
export interface OpenRequest {
  type: 'open';
  session: string;
  approval?: string;
  action?: 'deny';
}

interface Payload {
  kind: string;
  title: string;
  body: string;
  tag: string;
  session: string;
  approval?: string;
  renotify: boolean;
  at: number;
}

/** A push older than this is not shown (a phone that was off for a day gets no stale alerts). */
const MAX_AGE_MS = 60 * 60_000;
const APPROVAL_KINDS = new Set(['approval-waiting', 'approval-expiring']);

function parse(data: PushMessageData | null): Payload | undefined {
  try {
    const p = data?.json() as Record<string, unknown> | undefined;
    if (!p || p.v !== 1) return undefined;
    const str = (x: unknown, max: number) => typeof x === 'string' && x.length <= max;
    if (!str(p.kind, 32) || !str(p.title, 200) || !str(p.body, 1000) || !str(p.tag, 200) || !str(p.session, 200)) return undefined;
    if (p.approval !== undefined && !str(p.approval, 200)) return undefined;
    if (typeof p.renotify !== 'boolean' || typeof p.at !== 'number') return undefined;
    return p as unknown as Payload;
  } catch {
    return undefined;
  }
}

async function show(payload: Payload | undefined): Promise<void> {
  if (!payload) {
    // A push the app cannot read still has to show something (browsers require it of every push).
    await self.registration.showNotification('Walkie', { body: 'Open Walkie to see what changed.', tag: 'walkie' });
    return;
  }
  if (Date.now() - payload.at > MAX_AGE_MS) return;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  // The app is open in front of the user: it shows the change itself, no notification on top.
  if (windows.some((c) => c.focused && c.visibilityState === 'visible')) return;
  const approval = APPROVAL_KINDS.has(payload.kind);
  const options: NotificationOptions & { renotify?: boolean; actions?: { action: string; title: string }[] } = {
    body: payload.body,
    tag: payload.tag,
    renotify: payload.renotify,
    icon: 'icon-192.png',
    badge: 'icon-192.png',
    data: { session: payload.session, approval: payload.approval, kind: payload.kind },
    requireInteraction: approval,
    ...(approval && payload.approval ? { actions: [{ action: 'deny', title: 'Deny' }] } : {}),
  };
  await self.registration.showNotification(payload.title, options);
}

async function open(request: OpenRequest): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows[0];
  if (client) {
    client.postMessage(request);
    try {
      await client.focus();
    } catch {
      // Focusing needs the user's tap; the message is enough for an app already on screen.
    }
    return;
  }
  const url = new URL('./', self.registration.scope);
  url.searchParams.set('session', request.session);
  if (request.approval) url.searchParams.set('approval', request.approval);
  if (request.action) url.searchParams.set('action', request.action);
  await self.clients.openWindow(url.href);
}

/** Runs `work` for as long as the event allows (a synthetic event in a test cannot be extended). */
function extend(event: ExtendableEvent, work: Promise<void>): void {
  try {
    event.waitUntil(work);
  } catch {
    void work;
  }
}

export function installPush(): void {
  self.addEventListener('push', (event) => extend(event, show(parse(event.data))));

  self.addEventListener('notificationclick', (event) => {
    const data = (event.notification.data ?? {}) as { session?: unknown; approval?: unknown };
    event.notification.close();
    if (typeof data.session !== 'string') return;
    const request: OpenRequest = {
      type: 'open',
      session: data.session,
      ...(typeof data.approval === 'string' ? { approval: data.approval } : {}),
      ...(event.action === 'deny' ? { action: 'deny' as const } : {}),
    };
    extend(event, open(request));
  });
}
