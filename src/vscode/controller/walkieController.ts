// WalkieController: owns the one WalkieHost of this window (relay + bridge + pairing + registry + broker +
// HostService, src/node/host/walkieHost.ts). Nothing starts at activation: the host starts the first time it
// is needed (Start Session, Pair, Show Panel) and stops with the window. Everything the status bar, the
// panels and the notifications show is read from here, and `onDidChange` says when it moved.
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectedDevice } from '../../core/bridge/bridgeHost';
import type { PairedDevice } from '../../core/pairing/deviceRegistry';
import type { ApprovalRequest } from '../../core/wire/protocol';
import type { AuditLog } from '../../node/sessions/auditLog';
import type { HostStateStore } from '../../node/host/fileStateStore';
import type { RelayMode, WalkieHost } from '../../node/host/walkieHost';
import type { WalkieConfig } from './walkieConfig';
import { chooseRoute } from '../../node/reach/routeChooser';

export interface PairingState {
  /** The single-use pairing URL (its fragment holds the offer's secret: never log it). */
  readonly url: string;
  readonly expiresAt: number;
  /** Where the phone must be for `url` to open, in plain words, and a warning when it probably cannot. */
  readonly route: { readonly label: string; readonly warning?: string };
}

export interface ControllerState {
  readonly running: boolean;
  readonly connected: readonly ConnectedDevice[];
  readonly paired: readonly PairedDevice[];
  readonly pending: readonly ApprovalRequest[];
  readonly pairing: PairingState | undefined;
  /** The last pairing's short authentication string (compare it with the device's). */
  readonly lastPaired: { readonly device: ConnectedDevice; readonly sas: string } | undefined;
  /** Agent sessions this window serves: wrapped and attached (the host's SessionManager). */
  readonly sessions: number;
  /** How a phone reaches this host, in plain words (the route chooser's label); undefined when off. */
  readonly route?: string;
  /** The computer is kept awake now (walkie.keepAwake: a session works or waits, a device is paired). */
  readonly awake?: boolean;
}

export class WalkieController implements vscode.Disposable {
  private tunnel: import('../../node/reach/tunnelSupervisor').TunnelSupervisor | undefined;
  private tunnelUrl: string | undefined;
  private tunnelRoute: string | undefined;
  private awake: import('../../node/host/keepAwake').KeepAwake | undefined;
  private awakeSub: vscode.Disposable | undefined;
  private host: WalkieHost | undefined;
  private starting: Promise<WalkieHost> | undefined;
  private hostSubs: vscode.Disposable[] = [];
  private audit: AuditLog | undefined;
  private pairing: PairingState | undefined;
  private pairingTimer: NodeJS.Timeout | undefined;
  private lastPaired: ControllerState['lastPaired'];
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly started = new vscode.EventEmitter<WalkieHost>();
  private readonly paired = new vscode.EventEmitter<{ device: ConnectedDevice; sas: string }>();
  private readonly stopping = new vscode.EventEmitter<WalkieHost>();
  /** Anything the status bar or a panel shows has changed. */
  readonly onDidChange = this.changed.event;
  /** The host started (once per start): subscribe to its broker here. */
  readonly onDidStartHost = this.started.event;
  readonly onDidPair = this.paired.event;
  /** The host is about to stop (it still runs; listeners run synchronously before it closes). */
  readonly onWillStopHost = this.stopping.event;

  constructor(
    private readonly store: HostStateStore,
    private readonly auditFile: string,
    private readonly log: vscode.LogOutputChannel,
    /** Remembers the embedded relay's last port (globalState). */
    private readonly memory: vscode.Memento,
    private readonly readSettings: () => Promise<WalkieConfig> = async () => (await import('./walkieConfig')).readConfig(),
  ) {}

  get running(): WalkieHost | undefined {
    return this.host;
  }

  /** Starts the host on first use; concurrent callers share one start. @throws ConfigError, or a start failure. */
  ensureHost(): Promise<WalkieHost> {
    if (this.host) return Promise.resolve(this.host);
    this.starting ??= this.startHost().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startHost(): Promise<WalkieHost> {
    const config = await this.readSettings();
    // Loaded on first use, so activation stays cheap (the relay, the bridge and their crypto are large).
    const { defaultWebRoot, WalkieHost } = await import('../../node/host/walkieHost');
    const { AuditLog } = await import('../../node/sessions/auditLog');
    const start = (relay: RelayMode) =>
      WalkieHost.start({
        store: this.store,
        relay,
        hostName: os.hostname().slice(0, 100) || 'VS Code',
        hostKind: 'vscode',
        webRoot: defaultWebRoot(),
        logger: this.log,
        expiryMs: config.expiryMs,
        offerLifetimeMs: config.pairingLifetimeMs,
        // The user is at the computer while a VS Code window has focus: no pushes then (issue 12).
        presence: () => vscode.window.state.focused,
      });
    const { lanAddress } = await import('../../node/host/lanAddress');
    const relay = relayMode(config, () => lanAddress() !== undefined);
    // With "any free port", reuse the last one first: paired devices keep the relay address they were given,
    // so they find this host again after a window reload.
    const lastPort = this.memory.get<number>(LAST_PORT_KEY);
    const audit = AuditLog.open(this.auditFile);
    let host: WalkieHost | undefined;
    try {
      if (relay.kind === 'embedded' && !relay.port && lastPort) {
        host = await start({ ...relay, port: lastPort }).catch(() => {
          this.log.info(`relay port ${lastPort} is taken; using a new port (devices paired earlier must pair again)`);
          return undefined;
        });
      }
      host ??= await start(relay);
    } catch (e) {
      audit.close();
      throw e;
    }
    if (relay.kind === 'embedded') await this.memory.update(LAST_PORT_KEY, Number(new URL(host.origin).port));
    this.host = host;
    this.audit = audit;
    const fire = () => this.changed.fire();
    this.hostSubs = [
      host.onDevicesChanged(fire),
      host.broker.onRequest(fire),
      host.broker.onResolved(fire),
      host.sessions.onDidAdd(fire),
      host.sessions.onDidRemove(fire),
      host.onPaired((e) => {
        // A pairing offer is single use: once a device paired with it, the QR is spent.
        this.clearPairing();
        this.lastPaired = e;
        this.log.info(`paired device ${e.device.id}`);
        this.paired.fire(e);
        fire();
      }),
    ];
    if (config.relayTunnel !== 'none' && relay.kind === 'embedded') await this.startTunnel(config.relayTunnel, host);
    if (config.keepAwake) {
      // On while a session works or waits for an approval and a device is paired; released on stop and,
      // since the inhibitor waits on this process, on a crash (src/node/host/keepAwake.ts).
      const { KeepAwake, keepHostAwake } = await import('../../node/host/keepAwake');
      const awake = new KeepAwake({ logger: this.log });
      this.awake = awake;
      this.awakeSub = keepHostAwake(host, awake);
      awake.onChange(() => this.changed.fire());
    }
    this.log.info(`host started: relay ${host.origin} (${config.relayMode}${config.relayTunnel !== 'none' ? `, tunnel ${config.relayTunnel}` : ''}), host id ${host.hostId}`);
    this.started.fire(host);
    fire();
    return host;
  }

  /**
   * Starts the user's tunnel tool in front of the embedded relay and supervises it (restarted if it dies,
   * stopped with the host). Its public address becomes the pairing address when it is up; connected
   * devices are told when it changes (feature relay). A missing tool is said once, in plain words.
   */
  private async startTunnel(name: Exclude<WalkieConfig['relayTunnel'], 'none'>, host: WalkieHost): Promise<void> {
    const { tunnelProvider } = await import('../../node/reach/tunnelProvider');
    const { TunnelSupervisor } = await import('../../node/reach/tunnelSupervisor');
    const { systemClock } = await import('../../core/base/clock');
    const provider = tunnelProvider(name);
    const supervisor = new TunnelSupervisor({ provider, port: Number(new URL(host.origin).port), env: process.env, clock: systemClock, logger: this.log });
    supervisor.onState((s) => {
      if (s.state === 'up') {
        host.setPublicOrigin(s.url);
        this.tunnelUrl = s.url;
        this.tunnelRoute = chooseRoute({ port: 0, tunnel: { name: provider.displayName, url: s.url, publicInternet: provider.publicInternet } }).label;
        this.log.info(`tunnel ${provider.displayName} is up: ${s.url}`);
      } else if (s.state === 'stopped') {
        this.tunnelUrl = undefined;
        this.tunnelRoute = undefined;
        this.log.warn(`tunnel ${provider.displayName} stopped: ${s.reason}`);
        void vscode.window.showWarningMessage(`Walkie: ${provider.displayName} could not be started (${s.reason}). Phones can only reach this computer on the same network.`, 'Open Settings').then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'walkie.relay.tunnel');
        });
      }
      this.changed.fire();
    });
    supervisor.start();
    this.tunnel = supervisor;
  }

  /** The audit log the agent sessions append to (open while the host runs). */
  get auditLog(): AuditLog | undefined {
    return this.audit;
  }

  /** Makes a fresh single-use pairing offer (the previous one stops working). */
  async newPairing(): Promise<PairingState> {
    const host = await this.ensureHost();
    const offer = host.newPairingUrl();
    const url = await this.reachableUrl(host, offer.url);
    this.clearPairing();
    // A tunnel's address is the host's own public origin (setPublicOrigin), labelled as the tunnel.
    const route = this.tunnelUrl && this.tunnelRoute && url.startsWith(`${this.tunnelUrl}/`) ? { label: this.tunnelRoute } : routeOf(url, host.origin);
    this.pairing = { url, expiresAt: offer.expiresAt, route };
    this.pairingTimer = setTimeout(() => {
      this.clearPairing();
      this.changed.fire();
    }, Math.max(0, offer.expiresAt - Date.now()));
    this.changed.fire();
    return this.pairing;
  }

  cancelPairing(): void {
    this.host?.cancelPairing();
    this.clearPairing();
    this.changed.fire();
  }

  private clearPairing(): void {
    if (this.pairingTimer) clearTimeout(this.pairingTimer);
    this.pairingTimer = undefined;
    this.pairing = undefined;
  }

  /**
   * Behind VS Code Remote / Codespaces / a browser workbench, 127.0.0.1 is not the phone's way in: the
   * loopback origin goes through asExternalUri (port forwarding). A forward with a path (code-server's
   * `/proxy/<port>/`) works too: the app is opened under that path and the pairing payload names the relay
   * at the same path (the proxy carries the WebSocket as well).
   */
  private async reachableUrl(host: WalkieHost, url: string): Promise<string> {
    const origin = new URL(host.origin);
    const loopback = origin.hostname === '127.0.0.1' || origin.hostname === 'localhost';
    if (!loopback || (vscode.env.remoteName === undefined && vscode.env.uiKind !== vscode.UIKind.Web)) return url;
    let external: vscode.Uri;
    try {
      external = await vscode.env.asExternalUri(vscode.Uri.parse(host.origin));
    } catch {
      return url;
    }
    const prefix = external.path.replace(/\/+$/, '');
    const ext = `${external.scheme}://${external.authority}${prefix}`;
    if (!/^https?$/.test(external.scheme) || ext === host.origin) return url;
    const { encodePairingUrl, parsePairingUrl } = await import('../../core/pairing/pairingPayload');
    const offer = parsePairingUrl(url);
    try {
      const relayUrl = `${external.scheme === 'https' ? 'wss' : 'ws'}://${external.authority}${prefix}`;
      this.log.info(`pairing: devices reach the relay through ${ext}`);
      return encodePairingUrl(`${ext}/`, { ...offer, relayUrl });
    } finally {
      offer.psk.fill(0);
    }
  }

  /** Unpairs a device: its live channel closes now and it can never reconnect with its key. */
  revoke(deviceId: string): boolean {
    const ok = this.host?.revoke(deviceId) ?? false;
    if (ok) this.log.info(`revoked device ${deviceId}`);
    this.changed.fire();
    return ok;
  }

  state(): ControllerState {
    const host = this.host;
    return {
      running: host !== undefined,
      connected: host?.connectedDevices() ?? [],
      paired: host?.pairedDevices() ?? [],
      pending: host?.broker.pending() ?? [],
      pairing: this.pairing,
      lastPaired: this.lastPaired,
      sessions: host?.sessions.list().length ?? 0,
      awake: this.awake?.active === true,
      route: host ? (this.pairing?.route.label ?? this.tunnelRoute ?? routeOf(`${host.origin}/`, host.origin).label) : undefined,
    };
  }

  /** Stops the host (pending approvals are denied, devices disconnected); the next use starts it again. */
  async stopHost(): Promise<void> {
    const host = this.host ?? (await this.starting?.catch(() => undefined));
    if (!host) return;
    this.host = undefined;
    this.clearPairing();
    await this.tunnel?.stop();
    this.tunnel = undefined;
    this.tunnelUrl = undefined;
    this.tunnelRoute = undefined;
    this.awakeSub?.dispose();
    this.awakeSub = undefined;
    this.awake = undefined;
    this.lastPaired = undefined;
    for (const s of this.hostSubs.splice(0)) s.dispose();
    this.stopping.fire(host);
    await host.close();
    this.audit?.close();
    this.audit = undefined;
    this.log.info('host stopped');
    this.changed.fire();
  }

  dispose(): void {
    void this.stopHost();
    this.changed.dispose();
    this.started.dispose();
    this.paired.dispose();
    this.stopping.dispose();
  }
}

const LAST_PORT_KEY = 'walkie.relay.lastPort';

/**
 * The relay for the settings. `auto` (the default, issue 11): a tunnel or a remote/browser workbench keep
 * the relay on loopback (the tunnel or the port forward is the phone's way in); a desktop serves the LAN
 * address when it has one (labelled "same Wi-Fi" in the pairing view); else loopback, with a warning there.
 */
function relayMode(c: WalkieConfig, lanAvailable: () => boolean): RelayMode {
  if (c.relayMode === 'external') return { kind: 'external', url: c.relayUrl! };
  const loopback: RelayMode = { kind: 'embedded', bind: '127.0.0.1', port: c.relayPort };
  if (c.relayMode === 'lan') return { kind: 'embedded', lan: true, port: c.relayPort };
  if (c.relayMode === 'localhost' || c.relayTunnel !== 'none') return loopback;
  const forwarded = vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
  return !forwarded && lanAvailable() ? { kind: 'embedded', lan: true, port: c.relayPort } : loopback;
}

/** Where the audit log lives: the extension's global storage (outside any workspace, 0600). */
export function auditFileIn(globalStorage: vscode.Uri): string {
  return path.join(globalStorage.fsPath, 'audit.jsonl');
}

/**
 * What the pairing view says about a pairing URL: the route chooser's plain words for the origin the phone
 * will open (never a loopback link without saying a phone cannot open it).
 */
function routeOf(pairingUrl: string, hostOrigin: string): PairingState['route'] {
  const u = new URL(pairingUrl);
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  const port = Number(u.port) || 0;
  // A loopback link is a loopback link, forwarded or not (a browser workbench on this computer).
  const facts = loopback
    ? { port }
    : u.origin !== new URL(hostOrigin).origin
      ? { port, forwarded: `${u.origin}${u.pathname.replace(/\/+$/, '')}` }
        : u.protocol === 'https:'
          ? { port, relay: u.origin }
          : { port, lan: u.hostname };
  const { label, warning } = chooseRoute(facts);
  return warning ? { label, warning } : { label };
}

