// A tapped notification opens the app on its session's card (webview-ui/sw/push.ts): through a message
// from the service worker when the app is already open, or through `?session=&approval=&action=` when
// the worker had to open a new window. "Deny" from a notification is carried out here, and only once the
// card it names is among the approvals the host sent over the encrypted channel: the push itself is
// never enough to decide anything.
import type { Disposable } from '../../src/core/base/dispose';
import type { Controller } from './controller';

export interface OpenRequest {
  session: string;
  approval?: string;
  action?: 'deny';
}

const ID = /^[A-Za-z0-9_.:-]{1,200}$/;
/** How long a Deny from a notification waits for its card to arrive (the app may still be connecting). */
const DENY_WAIT_MS = 60_000;

/** The open request in this page's address (and takes it out of the address bar). */
export function openRequestFromUrl(loc: Location, hist: History): OpenRequest | undefined {
  const q = new URLSearchParams(loc.search);
  const session = q.get('session');
  if (!session) return undefined;
  hist.replaceState(null, '', loc.pathname);
  return parseOpenRequest({ session, approval: q.get('approval') ?? undefined, action: q.get('action') ?? undefined });
}

export function parseOpenRequest(v: unknown): OpenRequest | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { session, approval, action } = v as Record<string, unknown>;
  if (typeof session !== 'string' || !ID.test(session)) return undefined;
  if (approval !== undefined && (typeof approval !== 'string' || !ID.test(approval))) return undefined;
  return { session, ...(approval ? { approval: approval as string } : {}), ...(action === 'deny' ? { action: 'deny' as const } : {}) };
}

/** Shows the session (and its card); for "Deny", denies that card once the host has sent it. */
export function applyOpenRequest(controller: Controller, req: OpenRequest, now: () => number = Date.now): Disposable {
  const { store } = controller;
  let done = false;
  const until = now() + DENY_WAIT_MS;
  const step = (): void => {
    if (done) return;
    if (store.state.sessions.some((s) => s.id === req.session) && store.state.active !== req.session) store.select(req.session);
    if (req.action !== 'deny' || !req.approval) {
      if (store.state.sessions.some((s) => s.id === req.session)) done = true;
      return;
    }
    const card = store.state.approvals.find((a) => a.request.id === req.approval);
    if (card && !card.sent) {
      done = true;
      controller.decide(card.request.id, 'deny', 'Denied from a notification.');
      return;
    }
    if (now() > until) done = true;
  };
  const sub = store.onChange(() => step());
  step();
  return {
    dispose: () => {
      done = true;
      sub.dispose();
    },
  };
}
