// WalkieHost: everything a host runs besides the agent itself — its identity, the relay (embedded, or an
// external one), the link to it, the encrypted bridge, pairing offers, the device registry, the approval
// broker, the HostService that speaks the protocol and the SessionManager that owns the sessions it serves.
// Used by `walkie host` and by the VS Code extension.
import { DEFAULT_NOTIFY_SETTINGS } from '../../core/wire/notifySettings';
import { Notifier } from '../notify/notifier';
import { NtfySender } from '../notify/ntfySender';
import { TelegramSender } from '../notify/telegramSender';
import { loadOrCreateVapidKeys, type VapidKeys } from '../notify/vapidKeys';
import { WebPushSender } from '../notify/webPushSender';
import { AppBundle } from './appBundle';
import path from 'node:path';
import * as z from 'zod';
import { bytesToBase64url, base64urlToBytes } from '../../core/base/bytes';
import { ApprovalBroker } from '../../core/approvals/approvalBroker';
import { BridgeHost, type ConnectedDevice } from '../../core/bridge/bridgeHost';
import { systemClock, type Clock } from '../../core/base/clock';
import { DeviceRegistry, type PairedDevice } from '../../core/pairing/deviceRegistry';
import { type Disposable, DisposableStore } from '../../core/base/dispose';
import { Emitter } from '../../core/base/event';
import { HostService, type PeerConnection } from '../../core/host/hostService';
import { nullLogger, type Logger } from '../../core/base/logger';
import { generateKeyPair, keyPairFromSecret, type KeyPair } from '../../core/noise/dh';
import { PairingOffers } from '../../core/pairing/pairingOffers';
import { encodePairingUrl, relayUrlForOrigin } from '../../core/pairing/pairingPayload';
import { RelayServer } from '../../relay/relayServer';
import { SessionManager } from '../sessions/sessionManager';
import type { SessionHistory } from '../sessions/sessionHistory';
import type { HostStateStore } from './fileStateStore';
import { generateHostIdentity, RelayHostLink } from './relayHostLink';
import { nativeX25519 } from './nativeX25519';
import { lanAddress } from './lanAddress';

export type RelayMode =
  /** The relay runs in this process. `lan` binds every interface and advertises the LAN address. */
  | { kind: 'embedded'; bind?: string; port?: number; lan?: boolean }
  /** A relay that runs elsewhere (`walkie relay`, behind TLS): its public http(s) origin. */
  | { kind: 'external'; url: string };

export interface WalkieHostOptions {
  store: HostStateStore;
  relay: RelayMode;
  hostName: string;
  /** What the host runs in, told to devices that speak feature `hostKind`: 'vscode' or 'cli'. */
  hostKind?: 'vscode' | 'cli';
  /** dist/webview, served by the embedded relay. */
  webRoot?: string;
  /**
   * Where phones open the web app when it is not the relay's origin: a site the user trusts to serve
   * dist/webview (docs/relay.md). Pairing URLs then start with it and name the relay in their payload.
   */
  appUrl?: string;
  /** True while the user is at this computer (a focused VS Code window, typing in the terminal): no pushes then. */
  presence?: () => boolean;
  /**
   * Notification plumbing. `pushHosts`: the push services a subscription may point at (default: the
   * browsers' own; tests add a local stand-in). `telegramBotToken`: the user's own bot, for Telegram targets.
   */
  notify?: { pushHosts?: readonly string[]; telegramBotToken?: string; telegramApiBase?: string };
  clock?: Clock;
  logger?: Logger;
  expiryMs?: number;
  offerLifetimeMs?: number;
  /** A long-lived host (`walkie serve`): ended sessions stay listed and are remembered across restarts. */
  history?: SessionHistory;
}

const IdentitySchema = z.strictObject({ v: z.literal(1), noiseSecret: z.string(), relaySecret: z.string() });

export class WalkieHost implements Disposable {
  readonly broker: ApprovalBroker;
  readonly service: HostService;
  /** Starts, adopts and stops the sessions the service serves (the only way a session is served). */
  readonly sessions: SessionManager;
  /** Pushes to paired devices (Web Push, ntfy, Telegram) when the user is away. */
  readonly notifier: Notifier;
  /** The address set by setPublicOrigin (a tunnel's), announced to devices; undefined until then. */
  private publicOrigin: string | undefined;
  private readonly pairedEmitter = new Emitter<{ device: ConnectedDevice; sas: string }>();
  private readonly devicesEmitter = new Emitter<void>();
  /** A device paired: both sides show the same short authentication string. */
  readonly onPaired = this.pairedEmitter.event;
  /** A device connected, disconnected, paired or was revoked. */
  readonly onDevicesChanged = this.devicesEmitter.event;
  private readonly subs = new DisposableStore();
  private readonly peers = new Map<string, PeerConnection>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly o: WalkieHostOptions,
    private currentOrigin: string,
    private readonly relay: RelayServer | undefined,
    private readonly link: RelayHostLink,
    readonly registry: DeviceRegistry,
    private readonly offers: PairingOffers,
    private readonly bridge: BridgeHost,
    clock: Clock,
    vapid: VapidKeys | undefined,
  ) {
    const logger = o.logger ?? nullLogger;
    this.broker = new ApprovalBroker({ clock, expiryMs: o.expiryMs, logger });
    const app = new AppBundle(o.webRoot ?? defaultWebRoot());
    const webPush = vapid ? new WebPushSender({ keys: vapid, allowedHosts: o.notify?.pushHosts }) : undefined;
    const { telegramBotToken, telegramApiBase } = o.notify ?? {};
    this.notifier = new Notifier({
      clock,
      logger,
      devices: () => registry.list().flatMap((d) => (d.notify ? [{ id: d.id, settings: d.notify }] : [])),
      presence: o.presence ?? (() => false),
      webPush,
      ntfy: new NtfySender(),
      telegram: telegramBotToken ? new TelegramSender({ botToken: telegramBotToken, apiBase: telegramApiBase }) : undefined,
      appUrl: o.appUrl ?? currentOrigin,
      // A push service said the subscription is gone (404/410): forget it with the device.
      onTargetGone: (deviceId, target) => registry.dropNotifyTarget(deviceId, target),
    });
    this.service = new HostService({
      hostName: o.hostName,
      hostKind: o.hostKind,
      broker: this.broker,
      logger,
      appDigest: () => app.digest(),
      // Only an address set on purpose (a tunnel's) is announced: the starting origin may be a loopback one
      // that devices reach through a forward they were given instead (VS Code Remote, code-server).
      relayUrl: () => (this.publicOrigin ? relayUrlForOrigin(this.publicOrigin) : undefined),
      notify: {
        config: (peerId) => {
          const device = registry.get(peerId);
          return device && { settings: device.notify ?? DEFAULT_NOTIFY_SETTINGS, ...(webPush ? { vapidPublicKey: webPush.publicKey } : {}), ...(telegramBotToken ? { telegram: true } : {}) };
        },
        update: (peerId, settings) => {
          if (!webPush && settings.targets.some((t) => t.kind === 'webpush')) return 'This computer cannot send Web Push (its push key could not be stored).';
          if (!telegramBotToken && settings.targets.some((t) => t.kind === 'telegram')) return 'Telegram needs a bot token set on the computer first.';
          return registry.setNotify(peerId, settings) ? undefined : 'Only a paired device can get notifications.';
        },
      },
    });
    this.sessions = new SessionManager({ service: this.service, broker: this.broker, clock, logger, history: o.history });
    this.subs.add(
      bridge.onDeviceConnected((device) => {
        this.peers.get(device.id)?.dispose();
        this.peers.set(device.id, this.service.connect({ id: device.id, name: device.name, send: (m) => void bridge.send(device.id, m) }));
        this.devicesEmitter.fire();
      }),
      bridge.onDeviceDisconnected((device) => {
        this.peers.get(device.id)?.dispose();
        this.peers.delete(device.id);
        this.devicesEmitter.fire();
      }),
      bridge.onMessage(({ device, message }) => this.peers.get(device.id)?.receive(message)),
      bridge.onPaired((e) => this.pairedEmitter.fire(e)),
      registry.onChanged(() => this.devicesEmitter.fire()),
      this.notifier,
      this.broker.onRequest((r) => this.notifier.approvalOpened({ id: r.id, session: r.session, cwd: r.cwd, summary: r.summary, expiresAt: r.expiresAt })),
      this.broker.onResolved(({ request }) => this.notifier.approvalResolved(request)),
      this.sessions.onDidAdd((session) => {
        // A turn finished: working/waiting → idle; the session ended: → ended.
        let previous = session.info().status;
        const sub = session.onInfo((info) => {
          if (info.status === 'idle' && (previous === 'working' || previous === 'waiting')) this.notifier.turnFinished({ session: info.id, cwd: info.cwd });
          if (info.status === 'ended' && previous !== 'ended') this.notifier.sessionEnded({ session: info.id, cwd: info.cwd });
          previous = info.status;
        });
        this.subs.add(sub);
      }),
    );
  }

  static async start(o: WalkieHostOptions): Promise<WalkieHost> {
    const clock = o.clock ?? systemClock;
    const logger = o.logger ?? nullLogger;
    const identity = await loadIdentity(o.store);
    let relay: RelayServer | undefined;
    let origin: string;
    if (o.relay.kind === 'embedded') {
      const bind = o.relay.lan ? '0.0.0.0' : (o.relay.bind ?? '127.0.0.1');
      relay = new RelayServer({ host: bind, port: o.relay.port ?? 0, webRoot: o.webRoot, logger, clock });
      const { port } = await relay.start();
      const advertised = o.relay.lan ? (lanAddress() ?? '127.0.0.1') : bind === '0.0.0.0' ? '127.0.0.1' : bind;
      origin = `http://${advertised.includes(':') ? `[${advertised}]` : advertised}:${port}`;
    } else {
      origin = o.relay.url.replace(/\/+$/, '');
    }
    const relayUrl = relayUrlForOrigin(origin);
    // The host always reaches an embedded relay over loopback, whatever address it advertises.
    const linkUrl = relay ? relayUrlForOrigin(`http://127.0.0.1:${new URL(origin).port}`) : relayUrl;
    const link = new RelayHostLink({ relayUrl: linkUrl, identitySecret: identity.relaySecret, clock, logger });
    const registry = await DeviceRegistry.open(o.store.registry, clock, logger);
    const offers = new PairingOffers({ clock, hostId: link.hostId, hostPublicKey: identity.noise.publicKey, relayUrl, logger });
    const bridge = new BridgeHost({ link, staticKey: identity.noise, hostId: link.hostId, hostName: o.hostName, offers, registry, clock, logger, x25519: nativeX25519 });
    // The VAPID key pair is made once and kept: a new one would orphan every push subscription. A store
    // that cannot keep it means no Web Push (ntfy and Telegram still work), not a host that fails to start.
    const vapid = o.store.vapid
      ? await loadOrCreateVapidKeys(o.store.vapid).catch((e: unknown) => {
          logger.warn(`notifications: no Web Push (${e instanceof Error ? e.message : 'the push key could not be loaded'})`);
          return undefined;
        })
      : undefined;
    const host = new WalkieHost(o, origin, relay, link, registry, offers, bridge, clock, vapid);
    link.start();
    return host;
  }

  /** The http(s) origin devices open (the web UI) — pairing URLs start with it. */
  get origin(): string {
    return this.currentOrigin;
  }

  /**
   * Devices reach this host at `origin` from now on (a tunnel in front of the embedded relay came up): new
   * pairing URLs carry it. The host itself keeps talking to its relay over loopback.
   */
  setPublicOrigin(origin: string): void {
    this.currentOrigin = origin.replace(/\/+$/, '');
    this.publicOrigin = this.currentOrigin;
    this.offers.setRelayUrl(relayUrlForOrigin(this.currentOrigin));
    // Devices connected now learn the new address over the channel and keep it (feature `relay`).
    this.service.announceRelay();
  }

  get hostId(): string {
    return this.link.hostId;
  }

  /** Makes a new single-use pairing offer (the previous one stops working) and returns its URL. */
  newPairingUrl(): { url: string; expiresAt: number } {
    const offer = this.offers.create(this.o.offerLifetimeMs);
    const url = encodePairingUrl(this.o.appUrl ?? this.currentOrigin, offer);
    offer.psk.fill(0);
    return { url, expiresAt: offer.expiresAt };
  }

  cancelPairing(): void {
    this.offers.cancel();
  }

  connectedDevices(): ConnectedDevice[] {
    return this.bridge.connectedDevices();
  }

  pairedDevices(): PairedDevice[] {
    return this.registry.list();
  }

  /** Revokes a device: its live channel closes now and its next handshake fails. */
  revoke(deviceId: string): boolean {
    return this.bridge.revoke(deviceId);
  }

  dispose(): void {
    void this.close();
  }

  /**
   * Stops everything: the sessions first (the devices still see them end), then pending approvals are
   * cancelled (deny), devices disconnected, the registry saved.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.sessions.close();
      for (const p of this.peers.values()) p.dispose();
      this.subs.dispose();
      this.broker.dispose();
      this.service.dispose();
      this.bridge.dispose();
      this.link.dispose();
      await this.registry.flush();
      await this.relay?.close();
    })();
    return this.closing;
  }
}

/** The host's long-lived keys: made once, kept by the state store (a 0600 file, or VS Code SecretStorage). */
async function loadIdentity(store: HostStateStore): Promise<{ noise: KeyPair; relaySecret: Uint8Array }> {
  const text = await store.loadIdentity();
  if (text !== undefined) {
    const parsed = IdentitySchema.safeParse(safeJson(text));
    if (!parsed.success) throw new Error('the host identity in the state store is corrupt; move it away to make a new one (devices must pair again)');
    return { noise: keyPairFromSecret(base64urlToBytes(parsed.data.noiseSecret), nativeX25519), relaySecret: base64urlToBytes(parsed.data.relaySecret) };
  }
  const noise = generateKeyPair(nativeX25519);
  const relaySecret = generateHostIdentity();
  await store.saveIdentity(JSON.stringify({ v: 1, noiseSecret: bytesToBase64url(noise.secretKey), relaySecret: bytesToBase64url(relaySecret) }));
  return { noise, relaySecret };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** dist/webview beside the running bundle (dist/cli.js or dist/extension.js). */
export function defaultWebRoot(): string {
  return path.join(__dirname, 'webview');
}
