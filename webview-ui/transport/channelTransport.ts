// The phone's transport: the encrypted bridge channel (src/core/bridge/bridgeClient.ts: Noise over the relay)
// carried by a browser WebSocket (browserSocket.ts). All crypto is @noble/* inside the core, so this
// works on a plain-http LAN origin where crypto.subtle is absent. Used twice: for a first pairing (with
// the offer's one-time psk, reporting the short authentication string) and for every later visit (with
// the stored device key); the BridgeClient reconnects by itself.
import { BridgeClient } from '../../src/core/bridge/bridgeClient';
import { bytesToBase64url } from '../../src/core/base/bytes';
import type { Clock } from '../../src/core/base/clock';
import { Emitter } from '../../src/core/base/event';
import type { Logger } from '../../src/core/base/logger';
import { nullLogger } from '../../src/core/base/logger';
import { credentialKeys } from '../../src/core/pairing/deviceCredentials';
import { generateKeyPair, type KeyPair } from '../../src/core/noise/dh';
import type { PairingOffer } from '../../src/core/pairing/pairingPayload';
import type { DeviceMessage, HostMessage } from '../../src/core/wire/protocol';
import { browserSocketFactory } from './browserSocket';
import type { StoredHost } from './credentialStore';
import type { ConnState, Transport } from './transport';
import { errorName } from '../../src/core/base/errorName';

export interface Paired {
  readonly sas: string;
  readonly hostName: string;
  /** What to store so this device reconnects on later visits. */
  readonly host: StoredHost;
}

export class ChannelTransport implements Transport {
  private readonly client: BridgeClient;
  private readonly messages = new Emitter<HostMessage>((e) => this.logger.error(`a channel listener failed: ${errorName(e)}`));
  private readonly states = new Emitter<ConnState>((e) => this.logger.error(`a channel listener failed: ${errorName(e)}`));
  private readonly paired = new Emitter<Paired>((e) => this.logger.error(`a channel listener failed: ${errorName(e)}`));
  readonly onMessage = this.messages.event;
  readonly onState = this.states.event;
  /** Fires once, after a first pairing's handshake: show `sas` next to the one VS Code shows. */
  readonly onPaired = this.paired.event;
  private current: ConnState;

  private constructor(
    host: StoredHost,
    hostPublicKey: Uint8Array,
    identity: KeyPair,
    pairing: { psk: Uint8Array; deviceName: string } | undefined,
    clock: Clock,
    private readonly logger: Logger,
  ) {
    this.current = { state: 'connecting', since: clock.now() };
    this.client = new BridgeClient({
      relayUrl: host.relayUrl,
      hostId: host.hostId,
      hostPublicKey,
      identity,
      pairing,
      connect: browserSocketFactory,
      clock,
      logger,
    });
    this.client.onMessage((m) => this.messages.fire(m));
    this.client.onState((s) => {
      this.current = { state: s.state, since: s.since, code: s.code, reason: s.reason };
      this.states.fire(this.current);
    });
    this.client.onPaired(({ sas, hostName }) => this.paired.fire({ sas, hostName, host: { ...host, hostName } }));
  }

  /** Reconnects a device paired earlier. */
  static resume(host: StoredHost, clock: Clock, logger: Logger = nullLogger): ChannelTransport {
    const { identity, hostPublicKey } = credentialKeys(host);
    return new ChannelTransport(host, hostPublicKey, identity, undefined, clock, logger);
  }

  /** Pairs with the host of a scanned offer under a fresh device key. */
  static pair(offer: PairingOffer, deviceName: string, clock: Clock, logger: Logger = nullLogger): ChannelTransport {
    const identity = generateKeyPair();
    const host: StoredHost = {
      hostId: offer.hostId,
      hostPublicKey: bytesToBase64url(offer.hostPublicKey),
      relayUrl: offer.relayUrl,
      deviceSecretKey: bytesToBase64url(identity.secretKey),
      deviceName,
      pairedAt: clock.now(),
    };
    return new ChannelTransport(host, offer.hostPublicKey, identity, { psk: offer.psk, deviceName }, clock, logger);
  }

  get state(): ConnState {
    return this.current;
  }

  start(): void {
    this.client.start();
  }

  /** The bridge client resyncs sessions (chat seq per session) and resends pending prompts by itself. */
  readonly resyncs = true;

  send(m: DeviceMessage): boolean {
    try {
      return this.client.send(m);
    } catch (e) {
      this.logger.warn(`send failed (${errorName(e)})`);
      return false;
    }
  }

  dispose(): void {
    this.client.dispose();
    this.messages.dispose();
    this.states.dispose();
    this.paired.dispose();
  }
}
