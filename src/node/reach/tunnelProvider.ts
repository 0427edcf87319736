// The tunnels Walkie can start for the user — tools they already have and are signed in to. Each provider
// says how to run its tool in the foreground for a local port and how to learn the public URL from the tool
// itself (never by guessing). Facts, from each tool's documentation (checked by contract only here: none of
// them can reach its service from this machine; the tests use stand-ins that speak these interfaces):
//  - Tailscale: `tailscale serve <port>` (and `tailscale funnel <port>`) proxy https://<machine>.<tailnet>.ts.net
//    to the local port while they run in the foreground; `tailscale status --json` has the machine's DNS
//    name in `Self.DNSName` (with a trailing dot). serve = your tailnet's devices; funnel = the internet.
//  - cloudflared: `cloudflared tunnel --url http://127.0.0.1:<port>` makes a quick tunnel (no account; a
//    new *.trycloudflare.com name at every start); with `--metrics 127.0.0.1:<m>` its metrics server answers
//    `GET /quicktunnel` with `{"hostname":"…"}` once the tunnel is up.
//  - ngrok (agent v3): `ngrok http <port> --log stdout --log-format json`; its local API (the `addr` of the
//    "starting web service" log line, 127.0.0.1:4040 by default) lists tunnels at `GET /api/tunnels` as
//    `{"tunnels":[{"public_url":"https://…","config":{"addr":"http://…:<port>"}}]}`.
import { execFile } from 'node:child_process';
import net from 'node:net';

export type TunnelName = 'tailscale' | 'tailscale-funnel' | 'cloudflared' | 'ngrok';
export const TUNNEL_NAMES: readonly TunnelName[] = ['tailscale', 'tailscale-funnel', 'cloudflared', 'ngrok'];

export interface TunnelLaunch {
  readonly command: string;
  readonly args: readonly string[];
}

export interface TunnelProvider {
  readonly name: TunnelName;
  /** How the user knows it ("Tailscale", "Tailscale Funnel"…). */
  readonly displayName: string;
  /** True when anyone on the internet can reach the URL (the pairing secret still guards the host). */
  readonly publicInternet: boolean;
  /** What to run in the foreground for `port` (resources such as a metrics port chosen here). */
  launch(port: number): Promise<TunnelLaunch>;
  /**
   * The public URL once the tool reports it; undefined while it is not up yet. `output` is what the process
   * has printed so far (ngrok names its API address there).
   */
  readUrl(port: number, output: string): Promise<string | undefined>;
}

export function tunnelProvider(name: TunnelName, env: NodeJS.ProcessEnv = process.env): TunnelProvider {
  switch (name) {
    case 'tailscale':
    case 'tailscale-funnel':
      return tailscale(name, env);
    case 'cloudflared':
      return cloudflared();
    case 'ngrok':
      return ngrok();
  }
}

function tailscale(name: 'tailscale' | 'tailscale-funnel', env: NodeJS.ProcessEnv): TunnelProvider {
  const funnel = name === 'tailscale-funnel';
  return {
    name,
    displayName: funnel ? 'Tailscale Funnel' : 'Tailscale',
    publicInternet: funnel,
    launch: async (port) => ({ command: 'tailscale', args: [funnel ? 'funnel' : 'serve', String(port)] }),
    readUrl: async () => {
      const out = await run('tailscale', ['status', '--json'], env);
      const dns = (JSON.parse(out) as { Self?: { DNSName?: unknown } }).Self?.DNSName;
      return typeof dns === 'string' && dns ? `https://${dns.replace(/\.$/, '')}` : undefined;
    },
  };
}

function cloudflared(): TunnelProvider {
  let metrics = 0;
  return {
    name: 'cloudflared',
    displayName: 'Cloudflare Tunnel',
    publicInternet: true,
    launch: async (port) => {
      metrics = await freePort();
      return { command: 'cloudflared', args: ['tunnel', '--no-autoupdate', '--url', `http://127.0.0.1:${port}`, '--metrics', `127.0.0.1:${metrics}`] };
    },
    readUrl: async () => {
      const body = (await getJson(`http://127.0.0.1:${metrics}/quicktunnel`)) as { hostname?: unknown } | undefined;
      return typeof body?.hostname === 'string' && body.hostname ? `https://${body.hostname}` : undefined;
    },
  };
}

function ngrok(): TunnelProvider {
  return {
    name: 'ngrok',
    displayName: 'ngrok',
    publicInternet: true,
    launch: async (port) => ({ command: 'ngrok', args: ['http', String(port), '--log', 'stdout', '--log-format', 'json'] }),
    readUrl: async (port, output) => {
      const api = /"msg":"starting web service"[^\n]*"addr":"(127\.0\.0\.1:\d+|localhost:\d+|\[::1\]:\d+)"/.exec(output)?.[1] ?? '127.0.0.1:4040';
      const body = (await getJson(`http://${api}/api/tunnels`)) as { tunnels?: Array<{ public_url?: unknown; config?: { addr?: unknown } }> } | undefined;
      const mine = (body?.tunnels ?? []).filter((t) => typeof t.public_url === 'string' && t.public_url.startsWith('https://'));
      const forPort = mine.find((t) => typeof t.config?.addr === 'string' && new RegExp(`:${port}/?$`).test(t.config.addr));
      return (forPort ?? mine[0])?.public_url as string | undefined;
    },
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(String(stdout))));
  });
}

async function getJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
