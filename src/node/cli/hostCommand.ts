// `walkie host [options] -- <agent> [args…]`: runs the agent in a pty, mirrors it to this terminal when
// there is one (and runs fine with none, for scripts), starts the embedded relay unless --relay names one,
// and prints the pairing URL and a terminal QR code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import QRCode from 'qrcode';
import { systemClock } from '../../core/base/clock';
import type { AgentSession } from '../sessions/agentSession';
import { AgentLaunchError } from '../agents/agentLaunchError';
import { adapterFor } from '../agents/registry/adapterFor';
import { AuditLog } from '../sessions/auditLog';
import { defaultHostStateDir, FileStateStore } from '../host/fileStateStore';
import { defaultWebRoot, WalkieHost, type RelayMode } from '../host/walkieHost';
import { stderrLogger } from './stderrLogger';
import { chooseRoute } from '../reach/routeChooser';
import { lanAddress } from '../host/lanAddress';
import { tunnelProvider, TUNNEL_NAMES, type TunnelName, type TunnelProvider } from '../reach/tunnelProvider';
import { TunnelSupervisor } from '../reach/tunnelSupervisor';
import type { Logger } from '../../core/base/logger';
import { allowedDirs, HostSchedules } from '../schedule/hostSchedules';

export interface CommandIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const OPTIONS = {
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
} as const;

export const HOST_USAGE = `walkie host [options] -- <agent> [args…]

Runs the agent (default: claude; a command named codex runs Codex CLI) in a pseudo-terminal and serves it to paired devices.
  --relay URL          use a relay that runs elsewhere (its public http(s) URL) instead of the embedded one
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
`;

function parseHostArgs(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
}

export async function runHostCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let options: ReturnType<typeof parseHostArgs>['values'];
  let rest: string[];
  try {
    ({ values: options, positionals: rest } = parseHostArgs(argv));
  } catch (e) {
    io.stderr.write(`walkie host: ${(e as Error).message}\n\n${HOST_USAGE}`);
    return 2;
  }
  const agentArgv = rest.length ? rest : ['claude'];
  const expiryMinutes = options['expiry-minutes'] === undefined ? 30 : Number(options['expiry-minutes']);
  if (!Number.isFinite(expiryMinutes) || expiryMinutes <= 0 || expiryMinutes > 24 * 60) {
    io.stderr.write('walkie host: --expiry-minutes must be a number of minutes between 0 and 1440\n');
    return 2;
  }
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    io.stderr.write('walkie host: --port must be a port number (0–65535)\n');
    return 2;
  }
  const appUrl = options['app-url'];
  if (appUrl !== undefined && !/^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/.test(appUrl)) {
    io.stderr.write('walkie host: --app-url must be an http(s) URL without a query or #fragment, e.g. https://walkie.example.org/\n');
    return 2;
  }
  const tunnelName = options.tunnel;
  if (tunnelName !== undefined && (!(TUNNEL_NAMES as readonly string[]).includes(tunnelName) || options.relay !== undefined)) {
    io.stderr.write(`walkie host: --tunnel takes one of ${TUNNEL_NAMES.join(', ')}, and works with the embedded relay (not with --relay)\n`);
    return 2;
  }
  // Route `auto` (src/node/reach/routeChooser.ts): with nothing chosen, a machine that has a LAN address
  // serves the phone there rather than on a loopback link no phone can open. Binding every interface
  // exposes only the relay (ciphertext and routing; pairing needs the secret in the QR code's fragment).
  const autoLan = options.bind === undefined && options.lan === undefined && tunnelName === undefined && lanAddress() !== undefined;
  const relay: RelayMode = options.relay !== undefined
    ? { kind: 'external', url: options.relay }
    : { kind: 'embedded', port, bind: options.bind, lan: options.lan === true || autoLan };
  const stateDir = options['state-dir'] ?? defaultHostStateDir();
  const logger = stderrLogger(io.stderr, options.verbose === true ? 'debug' : 'warn');
  const interactive = io.stdin.isTTY === true && io.stdout.isTTY === true;

  // `walkie host -- codex …` runs Codex CLI; any other command Claude Code.
  const adapter = adapterFor(agentArgv[0]);
  try {
    // Refuse bypass routes before anything starts (AgentSession.start checks again before spawning).
    adapter.validateArgs(agentArgv.slice(1));
  } catch (e) {
    io.stderr.write(`walkie host: ${(e as Error).message}\n`);
    return 2;
  }

  // The embedded relay keeps its port across runs (remembered in the state dir), so a paired phone finds
  // this host again after a restart; a port taken meanwhile falls back to a free one, and says so.
  const remembered = relay.kind === 'embedded' && relay.port === undefined ? rememberedPort(stateDir) : undefined;
  const start = (r: RelayMode) =>
    WalkieHost.start({ store: new FileStateStore(stateDir), relay: r, hostName: options.name ?? os.hostname(), hostKind: 'cli', webRoot: defaultWebRoot(), appUrl, presence: () => Date.now() - typing.at < PRESENT_AFTER_TYPING_MS, clock: systemClock, logger, expiryMs: expiryMinutes * 60_000 });
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
  // Until the agent runs, a signal shuts down what is already up (the relay, a tunnel tool) and exits.
  const early = () => {
    void (async () => {
      await tunnel?.supervisor.stop();
      await host.close();
      process.exit(130);
    })();
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  let tunnel: { provider: TunnelProvider; supervisor: TunnelSupervisor } | null | undefined = undefined;
  tunnel = tunnelName === undefined ? undefined : await startTunnel(tunnelName as TunnelName, Number(new URL(host.origin).port), host, io, logger);
  if (tunnel === null) {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
    await host.close();
    return 1;
  }
  const audit = AuditLog.open(path.join(stateDir, 'audit.jsonl'));
  // Schedules saved in this state folder (walkie schedule add) run while this host runs, each as a fresh
  // session of the same agent and arguments; /loop works in every session. Devices may schedule runs in the
  // folder the host was started in (and below it) only.
  const schedules = HostSchedules.start({
    stateDir,
    service: host.service,
    sessions: host.sessions,
    broker: host.broker,
    launch: () => ({ adapter, argv: agentArgv.slice(1), audit, expiryMs: expiryMinutes * 60_000 }),
    allowDir: allowedDirs([process.cwd()]),
    clock: systemClock,
    logger,
  });

  const { url, expiresAt } = host.newPairingUrl();
  if (options['pair-file'] !== undefined) fs.writeFileSync(options['pair-file'], `${url}\n`, { mode: 0o600 });
  io.stderr.write(`walkie: relay ${host.origin}  host id ${host.hostId}\n`);
  // Where the phone must be for this link to work, in plain words (never a loopback link without saying so).
  const origin = new URL(host.origin);
  const route = chooseRoute(
    relay.kind === 'external'
      ? { port: 0, relay: host.origin }
      : tunnel
        ? { port: 0, tunnel: { name: tunnel.provider.displayName, url: host.origin, publicInternet: tunnel.provider.publicInternet } }
        : { port: Number(origin.port), ...(origin.hostname !== '127.0.0.1' && origin.hostname !== 'localhost' ? { lan: origin.hostname } : {}) },
  );
  io.stderr.write(`walkie: ${route.label}\n`);
  if (route.warning) io.stderr.write(`walkie: ${route.warning}\n`);
  io.stderr.write(`walkie: pair a device within ${Math.round((expiresAt - Date.now()) / 60000)} minutes (single use):\n${url}\n`);
  io.stderr.write(await QRCode.toString(url, { type: 'terminal', small: true }));
  host.onPaired(({ device, sas }) => io.stderr.write(`walkie: paired "${device.name}" — check that the device shows: ${sas}\n`));
  if (interactive) {
    // The agent's full-screen UI would cover the QR code: let the user scan it first.
    io.stderr.write(`walkie: press Enter to start ${path.basename(agentArgv[0]!)} (it starts by itself once a device pairs or reconnects)\n`);
    await untilEnterOrDevice(io, host);
  }

  let session: AgentSession;
  try {
    // Started and served by the host's SessionManager (gated by the host's broker).
    session = await host.sessions.start({
      adapter,
      argv: agentArgv.slice(1),
      cwd: process.cwd(),
      workspaceRoot: process.cwd(),
      audit,
      expiryMs: expiryMinutes * 60_000,
      cols: interactive ? io.stdout.columns : 120,
      rows: interactive ? io.stdout.rows : 40,
    });
  } catch (e) {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
    schedules.dispose();
    await tunnel?.supervisor.stop();
    await host.close();
    const why = e instanceof AgentLaunchError ? e.message : `could not start the agent: ${(e as Error).message}`;
    io.stderr.write(`walkie host: ${why}\n`);
    return e instanceof AgentLaunchError && e.code === 'AGENT_ERR_NOT_FOUND' ? 127 : 2;
  }
  session.onInfo((info) => {
    if (!interactive) io.stderr.write(`walkie: session ${info.status}\n`);
  });

  const restoreTerminal = interactive ? mirrorTerminal(session, io) : () => {};
  let stopping = false;
  const stop = () => {
    stopping = true;
    void host.sessions.stop(session.id).catch(() => undefined);
  };
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => session.onExit(resolve));
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  restoreTerminal();
  schedules.dispose();
  // The session ended, so the manager has taken it off the service already; close() stops anything left
  // (a scheduled run still going is stopped too).
  await tunnel?.supervisor.stop();
  await host.close();
  const signal = session.exitSignal;
  if (signal !== undefined && !stopping) {
    // Killed from outside (OOM killer, kill -9, a crash): a failure, whatever exit code node-pty reported.
    io.stderr.write(`walkie host: the agent was killed by ${signal} (exit ${code})\n`);
    return code;
  }
  if (signal !== undefined) {
    io.stderr.write(`walkie: the agent stopped (${signal})\n`);
    return 0;
  }
  io.stderr.write(`walkie: the agent exited (${code})\n`);
  return code;
}

function untilEnterOrDevice(io: CommandIO, host: WalkieHost): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      io.stdin.off('data', onData);
      io.stdin.pause();
      sub.dispose();
      resolve();
    };
    const onData = (d: Buffer) => {
      if (d.includes(13) || d.includes(10)) done();
    };
    const sub = host.onDevicesChanged(() => {
      if (host.connectedDevices().length > 0) done();
    });
    io.stdin.on('data', onData);
    io.stdin.resume();
  });
}

/** Someone typing in this terminal is at the computer: no pushes for this long after a key (issue 12). */
const PRESENT_AFTER_TYPING_MS = 2 * 60_000;
const typing = { at: -Infinity };

/** The user keeps typing in this terminal: raw keys go to the agent, its screen comes back here. */
function mirrorTerminal(session: AgentSession, io: CommandIO): () => void {
  const out = session.onOutput((d) => io.stdout.write(d));
  const onKey = (d: Buffer) => {
    typing.at = Date.now();
    session.write(d.toString('utf8'));
  };
  const onResize = () => session.resize(io.stdout.columns, io.stdout.rows);
  io.stdin.setRawMode(true);
  io.stdin.on('data', onKey);
  io.stdin.resume();
  io.stdout.on('resize', onResize);
  return () => {
    out.dispose();
    io.stdin.off('data', onKey);
    io.stdout.off('resize', onResize);
    io.stdin.setRawMode(false);
    io.stdin.pause();
  };
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
async function startTunnel(name: TunnelName, port: number, host: WalkieHost, io: CommandIO, logger: Logger): Promise<{ provider: TunnelProvider; supervisor: TunnelSupervisor } | null> {
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
  io.stderr.write(`walkie host: ${provider.displayName} is not available: ${why}\n`);
  await supervisor.stop();
  return null;
}

