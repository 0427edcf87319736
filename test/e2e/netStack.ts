// The network half of Walkie, really networked, for the fault-injection tests and bench/reliability.bench.ts:
// a real relay (RelayServer on a port), the host's real relay link (RelayHostLink → BridgeHost → HostService,
// wired as WalkieHost wires them) with one scripted session, and devices (the real BridgeClient over real
// WebSockets, feeding the web UI's Store). The host and the devices each reach the relay through their own
// BlackHoleProxy, so either side's network can be lost silently; the relay and the host can be restarted.
import { ApprovalBroker } from '../../src/core/approvals/approvalBroker';
import { systemClock } from '../../src/core/base/clock';
import { Emitter } from '../../src/core/base/event';
import { BridgeClient } from '../../src/core/bridge/bridgeClient';
import { BridgeHost } from '../../src/core/bridge/bridgeHost';
import { ChatLog } from '../../src/core/host/chatLog';
import { HostService, type PeerConnection, type SessionHandle } from '../../src/core/host/hostService';
import { generateKeyPair, type KeyPair } from '../../src/core/noise/dh';
import { DeviceRegistry } from '../../src/core/pairing/deviceRegistry';
import { PairingOffers } from '../../src/core/pairing/pairingOffers';
import type { SessionInfo } from '../../src/core/wire/protocol';
import { generateHostIdentity, RelayHostLink } from '../../src/node/host/relayHostLink';
import { wsDeviceSocketFactory } from '../../src/node/host/wsDeviceSocket';
import { RelayServer } from '../../src/relay/relayServer';
import { Store } from '../../webview-ui/state/store';
import { BlackHoleProxy } from './blackHoleProxy';

/** One agent session: prompts are echoed as `user` chat events, like the real one. */
export class NetSession implements SessionHandle {
  readonly onInfo = new Emitter<SessionInfo>().event;
  readonly chat = new ChatLog({ clock: systemClock });
  constructor(readonly id: string) {}
  info(): SessionInfo {
    return { id: this.id, title: 'proj', agent: 'claude-code', cwd: '/w/proj', status: 'working', since: 0, lastSeq: this.chat.lastSeq };
  }
  prompt(text: string, clientId: string): void {
    this.chat.append({ kind: 'user', text, clientId, source: 'device' });
  }
  interrupt(): void {}
  async stop(): Promise<void> {}
}

export interface NetStackOptions {
  /** Device heartbeat (BridgeClient `heartbeat`); the production default when absent. */
  heartbeat?: { intervalMs: number; deadAfterMs: number };
  /** Host: a silent device is dropped after this long (BridgeHost `deviceDeadAfterMs`). */
  deviceDeadAfterMs?: number;
  /** Host ↔ relay: the host's ping interval and idle bound (RelayHostLink). */
  hostPingMs?: number;
  hostIdleMs?: number;
  /** The folder the relay serves the phone page from (dist/webview). */
  webRoot?: string;
}

/** A paired device: its client, the web UI store its messages feed, and every state it went through. */
export interface NetDevice {
  readonly name: string;
  readonly client: BridgeClient;
  readonly store: Store;
  readonly states: { state: string; code?: number; at: number }[];
}

export class NetStack {
  relay!: RelayServer;
  relayPort = 0;
  readonly hostProxy = new BlackHoleProxy(0);
  readonly deviceProxy = new BlackHoleProxy(0);
  private readonly identitySecret = generateHostIdentity();
  private readonly noiseKey: KeyPair = generateKeyPair();
  private registryJson: string | undefined;
  host: Awaited<ReturnType<NetStack['startHost']>> | undefined;
  readonly devices: NetDevice[] = [];

  constructor(private readonly o: NetStackOptions = {}) {}

  async start(): Promise<this> {
    await this.startRelay(0);
    this.hostProxy.retarget(this.relayPort);
    this.deviceProxy.retarget(this.relayPort);
    await this.hostProxy.start();
    await this.deviceProxy.start();
    this.host = await this.startHost();
    return this;
  }

  async startRelay(port: number): Promise<void> {
    this.relay = new RelayServer({ port, ...(this.o.webRoot ? { webRoot: this.o.webRoot } : {}) });
    this.relayPort = (await this.relay.start()).port;
  }

  async stopRelay(): Promise<void> {
    await this.relay.close(0);
  }

  /** The host as WalkieHost wires it (src/node/host/walkieHost.ts), with its registry kept across restarts. */
  async startHost() {
    const clock = systemClock;
    const link = new RelayHostLink({
      relayUrl: `ws://127.0.0.1:${this.hostProxy.port}`,
      identitySecret: this.identitySecret,
      ...(this.o.hostIdleMs ? { idleTimeoutMs: this.o.hostIdleMs } : {}),
      ...(this.o.hostPingMs ? { pingIntervalMs: this.o.hostPingMs } : {}),
    });
    const registry = await DeviceRegistry.open({ load: async () => this.registryJson, save: async (json) => void (this.registryJson = json) }, clock);
    const offers = new PairingOffers({ clock, hostId: link.hostId, hostPublicKey: this.noiseKey.publicKey, relayUrl: `ws://127.0.0.1:${this.deviceProxy.port}` });
    const bridge = new BridgeHost({ link, staticKey: this.noiseKey, hostId: link.hostId, hostName: 'net box', offers, registry, clock, deviceDeadAfterMs: this.o.deviceDeadAfterMs });
    const broker = new ApprovalBroker({ clock, expiryMs: 600_000 });
    const service = new HostService({ hostName: 'net box', broker });
    const session = new NetSession('s1');
    service.addSession(session);
    const peers = new Map<string, PeerConnection>();
    const linkStates: string[] = [];
    link.onState((s) => linkStates.push(s));
    bridge.onDeviceConnected((device) => {
      peers.get(device.id)?.dispose();
      peers.set(device.id, service.connect({ id: device.id, name: device.name, send: (m) => void bridge.send(device.id, m) }));
    });
    bridge.onDeviceDisconnected((device) => {
      peers.get(device.id)?.dispose();
      peers.delete(device.id);
    });
    bridge.onMessage(({ device, message }) => peers.get(device.id)?.receive(message));
    const online = new Promise<void>((resolve) => link.onState((s) => s === 'online' && resolve()));
    link.start();
    await online;
    const stop = async () => {
      bridge.dispose();
      service.dispose();
      broker.dispose();
      link.dispose();
      await registry.flush().catch(() => undefined);
    };
    return { link, bridge, service, broker, session, offers, registry, linkStates, stop, hostId: link.hostId };
  }

  async restartHost(): Promise<void> {
    await this.host?.stop();
    this.host = await this.startHost();
  }

  /** Pairs a new device (the real BridgeClient over real WebSockets) and waits until it has synced. */
  async device(name: string): Promise<NetDevice> {
    const host = this.host!;
    const offer = host.offers.create();
    const client = new BridgeClient({
      relayUrl: `ws://127.0.0.1:${this.deviceProxy.port}`,
      hostId: host.hostId,
      hostPublicKey: this.noiseKey.publicKey,
      identity: generateKeyPair(),
      pairing: { psk: offer.psk, deviceName: name },
      connect: wsDeviceSocketFactory,
      clock: systemClock,
      ...(this.o.heartbeat ? { heartbeat: this.o.heartbeat } : {}),
    });
    const store = new Store(systemClock, client.state);
    const states: { state: string; code?: number; at: number }[] = [];
    client.onState((s) => {
      states.push({ state: s.state, code: s.code, at: Date.now() });
      store.setConn(s);
    });
    client.onMessage((m) => store.apply(m));
    client.start();
    const d: NetDevice = { name, client, store, states };
    this.devices.push(d);
    // Online AND negotiated (the host answered the device's hello): only then has the host heard the device
    // list `ping`, so a test that cuts the network right after this cannot race the device's hello.
    await waitFor(() => client.state.state === 'online' && store.state.hostName !== undefined && client.features !== undefined, 10_000, `${name} online`);
    return d;
  }

  async close(): Promise<void> {
    for (const d of this.devices) d.client.dispose();
    await this.host?.stop();
    await this.relay.close(0).catch(() => undefined);
    await this.hostProxy.close();
    await this.deviceProxy.close();
  }
}

/** Polls `check` every 10 ms until it holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
}
