// Limits where this page may connect, from inside the page: a <meta> Content-Security-Policy with
// `connect-src 'self'` plus the relays this phone is paired with (or is pairing with). Security: this is
// the CSP layer for an app served from a site other than the relay (docs/relay.md), where the site's own
// headers cannot know the user's relay; on the relay's origin it adds to the header's `connect-src 'self'`
// (policies only ever narrow). Added once, before any connection, and never widened: pairing with another
// relay starts from a new page load (the pairing link).
export function restrictConnections(relayUrls: readonly string[]): void {
  const sources = new Set<string>();
  for (const u of relayUrls) {
    try {
      const url = new URL(u);
      if (url.protocol === 'ws:' || url.protocol === 'wss:') sources.add(`${url.protocol}//${url.host}`);
    } catch {
      // Not a URL: nothing to allow.
    }
  }
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = ["connect-src 'self'", ...sources].join(' ');
  document.head.appendChild(meta);
}
