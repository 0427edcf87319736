// The phone's transport: the encrypted bridge channel (src/core/bridge/bridgeClient.ts: Noise over the relay)
// carried by a browser WebSocket (browserSocket.ts). The device key is sealed in WebCrypto where the
// browser allows it (deviceKeys.ts); everything else is @noble/* inside the core, so this also works on a
// plain-http LAN origin where crypto.subtle is absent. Used twice: for a first pairing (with
// the offer's one-time psk, reporting the short authentication string) and for every later visit (with
// the stored device key); the BridgeClient reconnects by itself.
import { BridgeClient } from '../../src/core/bridge/bridgeClient';
import { base64urlToBytes, bytesToBase64url } from '../../src/core/base/bytes';
import type { Clock } from '../../src/core/base/clock';
import { Emitter } from '../../src/core/base/event';
import type { Logger } from '../../src/core/base/logger';
import { nullLogger } from '../../src/core/base/logger';
import { generateKeyPair, keyPairFromSecret } from '../../src/core/noise/dh';
import type { DeviceIdentity } from '../../src/core/noise/staticKey';
import type { PairingOffer } from '../../src/core/pairing/pairingPayload';
import type { DeviceMessage, HostMessage } from '../../src/core/wire/protocol';
import { browserSocketFactory } from './browserSocket';
import type { CredentialStore, StoredHost } from './credentialStore';
import { createSealedKey, loadSealedKey, sealedKeysSupported, sealExistingKey } from './deviceKeys';
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
  /** The host moved (feature `relay`): where this device should connect from now on. */
  readonly onRelayMoved: BridgeClient['onRelayMoved'];
  private current: ConnState;

  private constructor(
    host: StoredHost,
    hostPublicKey: Uint8Array,
    identity: DeviceIdentity,
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
      // A browser opens one WebSocket to a host at a time (RFC 6455 §4.1): a second attempt would queue behind
      // one stuck in a dead network, so a stuck attempt is replaced rather than joined.
      opensOneAtATime: true,
      clock,
      logger,
    });
    this.client.onMessage((m) => this.messages.fire(m));
    this.client.onState((s) => {
      this.current = { state: s.state, since: s.since, code: s.code, reason: s.reason, retryAt: s.retryAt };
      this.states.fire(this.current);
    });
    this.onRelayMoved = this.client.onRelayMoved;
    this.client.onPaired(({ sas, hostName }) => this.paired.fire({ sas, hostName, host: { ...host, hostName } }));
  }

  /**
   * Reconnects a device paired earlier. A readable key is sealed first where the browser can (and the
   * readable copy deleted from `credentials`); a sealed key that is gone (site data cleared) is an error.
   */
  static async resume(host: StoredHost, credentials: CredentialStore | undefined, clock: Clock, logger: Logger = nullLogger): Promise<ChannelTransport> {
    const hostPublicKey = base64urlToBytes(host.hostPublicKey);
    if (host.sealedKey) {
      const key = await loadSealedKey(host.hostId);
      if (!key) throw new Error('the sealed device key is missing');
      return new ChannelTransport(host, hostPublicKey, key, undefined, clock, logger);
    }
    const secret = base64urlToBytes(host.deviceSecretKey ?? '');
    try {
      if (credentials && (await sealedKeysSupported())) {
        const key = await sealExistingKey(host.hostId, secret);
        const { deviceSecretKey: _readable, ...rest } = host;
        const sealed: StoredHost = { ...rest, sealedKey: true };
        credentials.replace(sealed);
        return new ChannelTransport(sealed, hostPublicKey, key, undefined, clock, logger);
      }
      return new ChannelTransport(host, hostPublicKey, keyPairFromSecret(secret), undefined, clock, logger);
    } finally {
      secret.fill(0);
    }
  }

  /** Pairs with the host of a scanned offer under a fresh device key (sealed where the browser can). */
  static async pair(offer: PairingOffer, deviceName: string, clock: Clock, logger: Logger = nullLogger): Promise<ChannelTransport> {
    const base = { hostId: offer.hostId, hostPublicKey: bytesToBase64url(offer.hostPublicKey), relayUrl: offer.relayUrl, deviceName, pairedAt: clock.now() };
    const pairing = { psk: offer.psk, deviceName };
    if (await sealedKeysSupported()) {
      const key = await createSealedKey(offer.hostId);
      return new ChannelTransport({ ...base, sealedKey: true }, offer.hostPublicKey, key, pairing, clock, logger);
    }
    const identity = generateKeyPair();
    const host: StoredHost = { ...base, deviceSecretKey: bytesToBase64url(identity.secretKey) };
    return new ChannelTransport(host, offer.hostPublicKey, identity, pairing, clock, logger);
  }

  get state(): ConnState {
    return this.current;
  }

  start(): void {
    this.client.start();
  }

  /** The bridge client resyncs sessions (chat seq per session) and resends pending prompts by itself. */
  readonly resyncs = true;

  reconnectNow(): void {
    this.client.reconnectNow();
  }

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
