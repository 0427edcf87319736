// The NEW host as production wires it (src/node/host/walkieHost.ts), minus the pty and the real relay: a
// BridgeHost on the fake relay, a HostService with an ApprovalBroker and one scripted session, every
// connected device joined to the service exactly as WalkieHost joins it. Plus the two production front
// ends: a phone (the real BridgeClient feeding the web UI's Store) and the VS Code panel (the web UI's
// PostMessageTransport + Controller, the extension's parsePanelMessage + panelPeer).
import { randomBytes } from 'node:crypto';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { bytesToBase64url } from '../../../../src/core/base/bytes';
import { ManualClock } from '../../../../src/core/base/clock';
import { Emitter } from '../../../../src/core/base/event';
import { BridgeClient } from '../../../../src/core/bridge/bridgeClient';
import { BridgeHost } from '../../../../src/core/bridge/bridgeHost';
import { ChatLog } from '../../../../src/core/host/chatLog';
import { HostService, type PeerConnection, type SessionHandle } from '../../../../src/core/host/hostService';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { DeviceRegistry } from '../../../../src/core/pairing/deviceRegistry';
import { PairingOffers } from '../../../../src/core/pairing/pairingOffers';
import type { HostMessage, SessionInfo } from '../../../../src/core/wire/protocol';
import { parsePanelMessage, type ToPanelMessage } from '../../../../src/vscode/webviews/panelMessages';
import { panelPeer } from '../../../../src/vscode/webviews/panelPeer';
import { Controller } from '../../../../webview-ui/state/controller';
import { Store } from '../../../../webview-ui/state/store';
import { PostMessageTransport } from '../../../../webview-ui/transport/postMessageTransport';
import { FakeRelay, settle } from './fakeBridgeLinks';
import { describedCall } from '../../../fixtures/describedCall';

/** One agent session: prompts are echoed as `user` chat events, like the real one. */
export class ScriptedSession implements SessionHandle {
  readonly infos = new Emitter<SessionInfo>();
  readonly onInfo = this.infos.event;
  readonly chat: ChatLog;
  readonly prompts: string[] = [];

  constructor(
    readonly id: string,
    clock: ManualClock,
  ) {
    this.chat = new ChatLog({ clock });
  }

  info(): SessionInfo {
    return { id: this.id, title: 'proj', agent: 'claude-code', cwd: '/w/proj', status: 'working', since: 0, lastSeq: this.chat.lastSeq };
  }

  prompt(text: string, clientId: string): void {
    this.prompts.push(text);
    this.chat.append({ kind: 'user', text, clientId, source: 'device' });
  }

  interrupt(): void {}

  async stop(): Promise<void> {}
}

export async function testHostStack() {
  const clock = new ManualClock();
  const relay = new FakeRelay();
  const hostKey = generateKeyPair();
  const hostId = bytesToBase64url(new Uint8Array(randomBytes(32)));
  const offers = new PairingOffers({ clock, hostId, hostPublicKey: hostKey.publicKey, relayUrl: 'ws://relay.test' });
  const registry = await DeviceRegistry.open({ load: async () => undefined, save: async () => undefined }, clock);
  const bridge = new BridgeHost({ link: relay.hostLink, staticKey: hostKey, hostId, hostName: 'dev box', offers, registry, clock });
  const broker = new ApprovalBroker({ clock, expiryMs: 60_000 });
  const service = new HostService({ hostName: 'dev box', broker, clock });
  const session = new ScriptedSession('s1', clock);
  service.addSession(session);

  // As WalkieHost does it.
  const peers = new Map<string, PeerConnection>();
  bridge.onDeviceConnected((device) => {
    peers.get(device.id)?.dispose();
    peers.set(device.id, service.connect({ id: device.id, name: device.name, send: (m) => void bridge.send(device.id, m) }));
  });
  bridge.onDeviceDisconnected((device) => {
    peers.get(device.id)?.dispose();
    peers.delete(device.id);
  });
  bridge.onMessage(({ device, message }) => peers.get(device.id)?.receive(message));

  /** A phone: the real BridgeClient, its messages applied to the web UI's Store. */
  const phone = async (name = 'Pixel 8') => {
    const offer = offers.create();
    const client = new BridgeClient({
      relayUrl: 'ws://relay.test',
      hostId,
      hostPublicKey: hostKey.publicKey,
      identity: generateKeyPair(),
      pairing: { psk: offer.psk, deviceName: name },
      connect: relay.connect,
      clock,
    });
    const store = new Store(clock, { state: 'online', since: clock.now() });
    const got: HostMessage[] = [];
    client.onMessage((m) => {
      got.push(m);
      store.apply(m);
    });
    client.start();
    await settle();
    return { client, store, got };
  };

  /** The VS Code panel: the web UI over postMessage, and the extension's side of it (walkiePanel.ts). */
  const panel = () => {
    const page = new EventTarget();
    const toPage = (message: ToPanelMessage) => page.dispatchEvent(new MessageEvent('message', { data: message }));
    let conn: PeerConnection | undefined;
    const sent: string[] = [];
    const fromPage = (data: unknown) => {
      const r = parsePanelMessage(data);
      if (!r.ok) throw new Error(`the extension refused a panel message: ${r.reason}`);
      sent.push(r.value.type === 'device' ? r.value.message.type : r.value.type);
      if (r.value.type === 'ready') conn = service.connect(panelPeer(toPage));
      else if (r.value.type === 'device') conn?.receive(r.value.message);
    };
    const transport = new PostMessageTransport({ postMessage: fromPage }, page as unknown as Window, clock.now());
    const controller = new Controller(transport, clock);
    transport.ready();
    return { controller, store: controller.store, sent };
  };

  /** Opens an approval for a Bash call in s1. */
  const approval = (command = 'npm test') => broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command }, cwd: '/w/proj' }));

  return { clock, relay, hostKey, hostId, offers, bridge, broker, service, session, phone, panel, approval };
}
