// What `walkie host` and `walkie serve` share: their relay, route, state and approval options, starting the
// WalkieHost (the embedded relay keeps its port across runs, an optional tunnel in front of it), and showing
// the pairing URL and QR code. Each command adds only what differs (one agent in this terminal, or a
// headless host of many sessions).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { systemClock } from '../../core/base/clock';
import type { Logger } from '../../core/base/logger';
import { defaultHostStateDir, FileStateStore } from '../host/fileStateStore';
import { lanAddress } from '../host/lanAddress';
import { KeepAwake, keepHostAwake } from '../host/keepAwake';
import { defaultWebRoot, WalkieHost, type RelayMode } from '../host/walkieHost';
import type { SessionHistory } from '../sessions/sessionHistory';
import { chooseRoute } from '../reach/routeChooser';
import { tunnelProvider, TUNNEL_NAMES, type TunnelName, type TunnelProvider } from '../reach/tunnelProvider';
import { TunnelSupervisor } from '../reach/tunnelSupervisor';

export interface CommandIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** The options both commands take (node:util parseArgs shape). */
export const HOST_OPTIONS = {
  relay: { type: 'string' },
  'app-url': { type: 'string' },
  port: { type: 'string' },
  bind: { type: 'string' },
  lan: { type: 'boolean' },
  tunnel: { type: 'string' },
  'pair-file': { type: 'string' },
  'state-dir': { type: 'string' },
  name: { type: 'string' },
  'expiry-minutes': { type: 'string' },
  verbose: { type: 'boolean' },
  'no-keep-awake': { type: 'boolean' },
  'telegram-token-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const HOST_OPTIONS_USAGE = `  --relay URL          use a relay that runs elsewhere (its public http(s) URL) instead of the embedded one
  --app-url URL        phones open the web app from URL (a site you trust that serves Walkie's webview
                       folder) instead of the relay; the relay then only forwards ciphertext
  --port P             port of the embedded relay (default: any free port)
  --bind ADDR          address the embedded relay binds (127.0.0.1: only this computer)
  --lan                bind every interface and advertise this machine's LAN address (the default
                       when this machine has one and no --bind, --relay or --tunnel is given)
  --tunnel NAME        reach the embedded relay through a tunnel tool you have and are signed in to:
                       tailscale (your tailnet), tailscale-funnel, cloudflared or ngrok (the internet)
  --pair-file F        also write the pairing URL to F (mode 0600)
  --state-dir D        where the host keeps its keys and paired devices (default ~/.walkie/host)
  --name N             the name devices show for this host (default: the machine's host name)
  --expiry-minutes M   approvals not answered within M minutes are denied (default 30)
  --telegram-token-file F
                       your Telegram bot's token, read from F (never on the command line, where other
                       users of this machine could see it): devices may then be notified through the bot
  --no-keep-awake      let the computer sleep even while a session works or waits for an approval (by
                       default it is kept awake then, when a device is paired)
`;

type HostValues = { [K in keyof typeof HOST_OPTIONS]?: (typeof HOST_OPTIONS)[K]['type'] extends 'string' ? string : boolean };

export interface HostSetup {
  readonly relay: RelayMode;
  readonly appUrl: string | undefined;
  readonly tunnelName: TunnelName | undefined;
  readonly stateDir: string;
  readonly hostName: string;
  readonly expiryMs: number;
  readonly pairFile: string | undefined;
  readonly verbose: boolean;
  readonly keepAwake: boolean;
  /** The user's Telegram bot token (read from --telegram-token-file), for Telegram notification targets. */
  readonly telegramBotToken: string | undefined;
}

/** The setup the options describe, or what is wrong with them (a usage error). */
export function parseHostSetup(values: HostValues): HostSetup | string {
  const expiryMinutes = values['expiry-minutes'] === undefined ? 30 : Number(values['expiry-minutes']);
  if (!Number.isFinite(expiryMinutes) || expiryMinutes <= 0 || expiryMinutes > 24 * 60) return '--expiry-minutes must be a number of minutes between 0 and 1440';
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) return '--port must be a port number (0–65535)';
  const appUrl = values['app-url'];
  if (appUrl !== undefined && !/^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/.test(appUrl)) return '--app-url must be an http(s) URL without a query or #fragment, e.g. https://walkie.example.org/';
  let telegramBotToken: string | undefined;
  if (values['telegram-token-file'] !== undefined) {
    try {
      telegramBotToken = fs.readFileSync(values['telegram-token-file'], 'utf8').trim();
    } catch (e) {
      return `--telegram-token-file: cannot read ${values['telegram-token-file']} (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    // The shape of a bot token (https://core.telegram.org/bots/api#authorizing-your-bot): <bot id>:<secret>.
    if (!/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/.test(telegramBotToken)) return `--telegram-token-file: ${values['telegram-token-file']} does not hold a bot token (like 123456:ABC-…)`;
  }
  const tunnelName = values.tunnel;
  if (tunnelName !== undefined && (!(TUNNEL_NAMES as readonly string[]).includes(tunnelName) || values.relay !== undefined)) {
    return `--tunnel takes one of ${TUNNEL_NAMES.join(', ')}, and works with the embedded relay (not with --relay)`;
  }
  // Route `auto` (src/node/reach/routeChooser.ts): with nothing chosen, a machine that has a LAN address
  // serves the phone there rather than on a loopback link no phone can open. Binding every interface
  // exposes only the relay (ciphertext and routing; pairing needs the secret in the QR code's fragment).
  const autoLan = values.bind === undefined && values.lan === undefined && tunnelName === undefined && lanAddress() !== undefined;
  return {
    relay: values.relay !== undefined ? { kind: 'external', url: values.relay } : { kind: 'embedded', port, bind: values.bind, lan: values.lan === true || autoLan },
    appUrl,
    tunnelName: tunnelName as TunnelName | undefined,
    stateDir: path.resolve(values['state-dir'] ?? defaultHostStateDir()),
    hostName: values.name ?? os.hostname(),
    expiryMs: expiryMinutes * 60_000,
    pairFile: values['pair-file'],
    verbose: values.verbose === true,
    keepAwake: values['no-keep-awake'] !== true,
    telegramBotToken,
  };
}

export interface RunningHost {
  readonly host: WalkieHost;
  readonly tunnel: { provider: TunnelProvider; supervisor: TunnelSupervisor } | undefined;
  /** Stops the tunnel tool and the host. */
  close(): Promise<void>;
}

/**
 * Starts the host (and its tunnel). The embedded relay keeps its port across runs (remembered in the state
 * dir), so a paired phone finds this host again after a restart; a port taken meanwhile falls back to a free
 * one, and says so. A signal while it starts shuts down what is up and exits. null: the tunnel did not come
 * up (said on stderr; everything is closed again).
 */
export async function startHost(
  setup: HostSetup,
  io: CommandIO,
  logger: Logger,
  o: { history?: SessionHistory; command: string; /** Someone is at the computer: no pushes (issue 12). */ presence?: () => boolean },
): Promise<RunningHost | null> {
  const { relay, stateDir } = setup;
  const remembered = relay.kind === 'embedded' && relay.port === undefined ? rememberedPort(stateDir) : undefined;
  const start = (r: RelayMode) =>
    WalkieHost.start({
      store: new FileStateStore(stateDir),
      relay: r,
      hostName: setup.hostName,
      hostKind: 'cli',
      webRoot: defaultWebRoot(),
      appUrl: setup.appUrl,
      presence: o.presence,
      ...(setup.telegramBotToken ? { notify: { telegramBotToken: setup.telegramBotToken } } : {}),
      clock: systemClock,
      logger,
      expiryMs: setup.expiryMs,
      history: o.history,
    });
  let host: WalkieHost;
  try {
    host = await start(remembered !== undefined && relay.kind === 'embedded' ? { ...relay, port: remembered } : relay);
  } catch (e) {
    const c = e as { code?: unknown; cause?: { code?: unknown } };
    if (remembered === undefined || (c?.code !== 'EADDRINUSE' && c?.cause?.code !== 'EADDRINUSE')) throw e;
    io.stderr.write(`walkie: port ${remembered} (used last time) is taken; paired devices must be paired again to find this host\n`);
    host = await start(relay);
  }
  if (relay.kind === 'embedded') rememberPort(stateDir, Number(new URL(host.origin).port));
  let tunnel: { provider: TunnelProvider; supervisor: TunnelSupervisor } | undefined;
  const early = () => {
    void (async () => {
      await tunnel?.supervisor.stop();
      await host.close();
      process.exit(130);
    })();
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  try {
    if (setup.tunnelName !== undefined) {
      const t = await startTunnel(setup.tunnelName, Number(new URL(host.origin).port), host, io, logger, o.command);
      if (t === null) {
        await host.close();
        return null;
      }
      tunnel = t;
    }
  } finally {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
  }
  const awake = setup.keepAwake ? new KeepAwake({ logger }) : undefined;
  awake?.onChange((on) => io.stderr.write(on ? 'walkie: keeping this computer awake while a session works or waits for an approval\n' : 'walkie: this computer may sleep again\n'));
  const awakeSub = awake && keepHostAwake(host, awake);
  return {
    host,
    tunnel,
    close: async () => {
      awakeSub?.dispose();
      await tunnel?.supervisor.stop();
      await host.close();
    },
  };
}

/** Writes the pairing file, says where the phone must be, and shows the pairing URL and its QR code. */
export async function announcePairing(running: RunningHost, setup: HostSetup, io: CommandIO): Promise<void> {
  const { host, tunnel } = running;
  const { url, expiresAt } = host.newPairingUrl();
  if (setup.pairFile !== undefined) fs.writeFileSync(setup.pairFile, `${url}\n`, { mode: 0o600 });
  io.stderr.write(`walkie: relay ${host.origin}  host id ${host.hostId}\n`);
  // Where the phone must be for this link to work, in plain words (never a loopback link without saying so).
  const origin = new URL(host.origin);
  const route = chooseRoute(
    setup.relay.kind === 'external'
      ? { port: 0, relay: host.origin }
      : tunnel
        ? { port: 0, tunnel: { name: tunnel.provider.displayName, url: host.origin, publicInternet: tunnel.provider.publicInternet } }
        : { port: Number(origin.port), ...(origin.hostname !== '127.0.0.1' && origin.hostname !== 'localhost' ? { lan: origin.hostname } : {}) },
  );
  io.stderr.write(`walkie: ${route.label}\n`);
  if (route.warning) io.stderr.write(`walkie: ${route.warning}\n`);
  io.stderr.write(`walkie: pair a device within ${Math.round((expiresAt - Date.now()) / 60000)} minutes (single use):\n${url}\n`);
  io.stderr.write(await terminalQr(url, io.stderr));
  host.onPaired(({ device, sas }) => io.stderr.write(`walkie: paired "${device.name}" — check that the device shows: ${sas}\n`));
}

/** The embedded relay's port from the last run, if one was remembered. */
function rememberedPort(stateDir: string): number | undefined {
  try {
    const port = Number(fs.readFileSync(path.join(stateDir, 'relay-port'), 'utf8').trim());
    return Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
  } catch {
    return undefined;
  }
}

function rememberPort(stateDir: string, port: number): void {
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(stateDir, 'relay-port'), `${port}\n`, { mode: 0o600 });
  } catch {
    // Not remembering only costs a re-pairing after the next restart.
  }
}

/**
 * Starts the tunnel tool for the embedded relay's port and waits (up to a minute) for its public URL, which
 * then becomes the address in pairing URLs. null: the tool is missing or never came up (said on stderr).
 */
async function startTunnel(name: TunnelName, port: number, host: WalkieHost, io: CommandIO, logger: Logger, command: string): Promise<{ provider: TunnelProvider; supervisor: TunnelSupervisor } | null> {
  const provider = tunnelProvider(name);
  const supervisor = new TunnelSupervisor({ provider, port, env: process.env, clock: systemClock, logger });
  let first = true;
  const up = new Promise<boolean>((resolve) => {
    supervisor.onState((s) => {
      if (s.state === 'stopped') return resolve(false);
      if (s.state !== 'up') return;
      host.setPublicOrigin(s.url);
      // A quick tunnel gets a new name at every start. Devices connected then are told over the channel
      // (feature relay) and follow; one that was offline while it changed has only the old name.
      if (!first) io.stderr.write(`walkie: ${provider.displayName} moved to ${s.url}; connected devices follow it, a device that was offline must pair again\n`);
      first = false;
      resolve(true);
    });
  });
  supervisor.start();
  io.stderr.write(`walkie: starting ${provider.displayName}…\n`);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 60_000).unref());
  if (await Promise.race([up, timeout])) return { provider, supervisor };
  const why = supervisor.state.state === 'stopped' ? supervisor.state.reason : 'it did not report a public URL within a minute';
  io.stderr.write(`walkie ${command}: ${provider.displayName} is not available: ${why}\n`);
  await supervisor.stop();
  return null;
}

/**
 * The pairing QR code for a terminal: error correction level L (a screen shows it undamaged), drawn with
 * half blocks. Pairing links are in the compact format 2 (pairingPayload.ts), whose base32 payload `qrcode`
 * puts in alphanumeric mode: a LAN or Tailscale link makes a version-6 code, 22 lines × 43 columns, which
 * fits an 80×24 terminal (format 1 made 30 lines). A longer address (a quick tunnel's four-word name, an
 * app served from another site) can still need more; when the terminal is shorter than the code this says
 * so, and `walkie pair` shows a fresh one at any time (the link above it works too, copied to the phone).
 */
export async function terminalQr(url: string, out: { isTTY?: boolean; rows?: number }): Promise<string> {
  const qr = await QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
  // Lines that show something (the renderer ends with a line holding only colour escapes).
  const height = qr.split('\n').filter((line) => /[▀▄█]/.test(line)).length;
  // The code plus the line the cursor is left on must be on screen at once.
  const short = out.isTTY === true && typeof out.rows === 'number' && out.rows > 0 && out.rows < height + 1;
  return short ? `${qr}walkie: the code above is ${height} lines tall and this terminal shows ${out.rows}: make the window taller (or the font smaller) to scan it, or run \`walkie pair\` later for a fresh one\n` : qr;
}
