// How a phone reaches this host, chosen once from what the machine offers, and said in plain words
// (the pairing view, the status bar tooltip and `walkie host` all show `label`). Order for `auto`:
//   1. VS Code Remote / Codespaces / web: the port VS Code forwards (it may carry a path);
//   2. a relay the user configured (`walkie host --relay`, walkie.relay.url);
//   3. a tunnel the user enabled (Tailscale serve/funnel, cloudflared, ngrok) once it reports its URL;
//   4. this machine's LAN address: the phone must be on the same network;
//   5. loopback — only this computer can open the link; never without saying so and offering the choices.
// Pure: the caller gathers the facts (forwarded URI, configured relay, tunnel URL, LAN address).

export type RouteKind = 'forwarded' | 'relay' | 'tunnel' | 'lan' | 'loopback';

export interface RouteFacts {
  /** The local relay's port. */
  readonly port: number;
  /** VS Code's forwarded URI for the port (Remote, Codespaces, vscode.dev), if any. May have a path. */
  readonly forwarded?: string;
  /** A relay the user configured (https://relay.example). */
  readonly relay?: string;
  /** An enabled tunnel that reported its public URL. */
  readonly tunnel?: { readonly name: string; readonly url: string; readonly publicInternet: boolean };
  /** This machine's LAN address, when it has one. */
  readonly lan?: string;
  /** `auto`, or a route the user picked (falls back with a warning when it is not available). */
  readonly prefer?: RouteKind | 'auto';
}

export interface Route {
  readonly kind: RouteKind;
  /** The origin (plus path, for a forwarded port) the phone loads the app from and talks to. */
  readonly url: string;
  /** One sentence for the user: where the phone must be for this link to work. */
  readonly label: string;
  /** Set when the phone probably cannot open the link, or when the chosen route was not available. */
  readonly warning?: string;
  /** Other ways that would work from here, for the "choose another way" list. */
  readonly alternatives: readonly RouteKind[];
}

const ORDER: readonly RouteKind[] = ['forwarded', 'relay', 'tunnel', 'lan', 'loopback'];

export function chooseRoute(f: RouteFacts): Route {
  const available = ORDER.filter((k) => urlFor(k, f) !== undefined);
  const preferred = f.prefer && f.prefer !== 'auto' ? f.prefer : undefined;
  const kind = preferred && available.includes(preferred) ? preferred : available[0]!;
  const route = describe(kind, f);
  const alternatives = available.filter((k) => k !== kind);
  const missing = preferred && preferred !== kind ? `${NAMES[preferred]} is not available here, so ` : '';
  const warning = [missing ? `${missing}Walkie uses ${NAMES[kind]}.` : '', route.warning ?? ''].filter(Boolean).join(' ') || undefined;
  return { ...route, ...(warning ? { warning } : {}), alternatives };
}

const NAMES: Record<RouteKind, string> = {
  forwarded: 'the port VS Code forwards',
  relay: 'your relay',
  tunnel: 'a tunnel',
  lan: 'the local network',
  loopback: 'this computer only',
};

function urlFor(kind: RouteKind, f: RouteFacts): string | undefined {
  switch (kind) {
    case 'forwarded':
      return f.forwarded;
    case 'relay':
      return f.relay;
    case 'tunnel':
      return f.tunnel?.url;
    case 'lan':
      return f.lan ? `http://${f.lan}:${f.port}` : undefined;
    case 'loopback':
      return `http://127.0.0.1:${f.port}`;
  }
}

function describe(kind: RouteKind, f: RouteFacts): Omit<Route, 'alternatives'> {
  const url = urlFor(kind, f)!;
  const host = safeHost(url);
  switch (kind) {
    case 'forwarded':
      return { kind, url, label: `Reachable wherever you can open ${host} (VS Code forwards the port).` };
    case 'relay':
      return { kind, url, label: `Reachable from anywhere through your relay: ${url}` };
    case 'tunnel':
      return f.tunnel!.publicInternet
        ? { kind, url, label: `Reachable from anywhere through ${f.tunnel!.name}: ${url}` }
        : { kind, url, label: `Reachable from your ${f.tunnel!.name} devices: ${url}` };
    case 'lan':
      return {
        kind,
        url,
        label: `Phone must be on the same Wi-Fi as ${f.lan}.`,
        warning: 'On plain http the phone cannot install the app, get notifications or seal its key, and its code is not pinned; a relay or tunnel with https can.',
      };
    case 'loopback':
      return {
        kind,
        url,
        label: 'Only this computer can open this link.',
        warning: 'A phone cannot open this link: use a relay, enable a tunnel (Tailscale, cloudflared, ngrok), or put this computer on the same Wi-Fi as the phone.',
      };
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
