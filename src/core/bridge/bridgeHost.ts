// The host end of the bridge: over one HostLink (many device connections through the relay) it runs the
// channel handshake of each connection (src/core/bridge/channelHandshake.ts: pair with Noise_IKpsk2 against the
// live PairingOffer, or reconnect with Noise_IK for a key in the DeviceRegistry), then decrypts and parses
// every frame into a DeviceMessage. A bad frame or message closes THAT connection with its close code; the
// others carry on. Nothing here throws out of a link callback. The host sends nothing beyond the handshake
// by itself: the host service answers `sync`, sends `hello`… through send().
import {
  decodePayload,
  DeviceHelloSchema,
  encodePayload,
  HANDSHAKE_TIMEOUT_MS,
  PAIR_TAG,
  PATTERN_FOR_TAG,
  prologueFor,
  RECONNECT_TAG,
} from './channelHandshake';
import type { Clock, TimerHandle } from '../base/clock';
import { CloseCode } from '../wire/closeCodes';
import { DeviceRegistry, RegistryError, sanitizeName, type PairedDevice } from '../pairing/deviceRegistry';
import { DisposableStore, type Disposable } from '../base/dispose';
import { Emitter, type Event } from '../base/event';
import type { HostLink } from './links';
import { nullLogger, type Logger } from '../base/logger';
import type { KeyPair, X25519 } from '../noise/dh';
import { HandshakeState } from '../noise/handshakeState';
import type { PairingAttempt, PairingOffers } from '../pairing/pairingOffers';
import { encodeMessage, parseDeviceMessage, type DeviceMessage, type HostMessage } from '../wire/protocol';
import { shortAuthString } from './sas';
import { ChannelError, MAX_PLAINTEXT, SecureChannel } from './secureChannel';
import { errorName } from '../base/errorName';
import { fitToFrame } from './frameFit';

export interface ConnectedDevice {
  readonly id: string;
  readonly name: string;
}

export interface BridgeHostOptions {
  link: HostLink;
  /** The host's static X25519 key pair (its public half is in every pairing QR). */
  staticKey: KeyPair;
  hostId: string;
  hostName: string;
  offers: PairingOffers;
  registry: DeviceRegistry;
  clock: Clock;
  logger?: Logger;
  handshakeTimeoutMs?: number;
  /** X25519 for the handshakes (default: noble; the Node host passes its native one). */
  x25519?: X25519;
  /** Feature `ping`: a device that agreed to it and is silent this long is presumed gone and dropped. */
  deviceDeadAfterMs?: number;
}

/** A device with feature `ping` pings every 10 s (bridgeClient.ts HEARTBEAT); four missed pings is dead. */
export const DEVICE_DEAD_AFTER_MS = 40_000;

type Phase = 'hello' | 'confirm' | 'open';

interface Conn {
  readonly conn: number;
  phase: Phase;
  timer?: TimerHandle;
  mode?: 'pair' | 'reconnect';
  attempt?: PairingAttempt;
  channel?: SecureChannel;
  publicKey?: Uint8Array;
  name?: string;
  device?: ConnectedDevice;
  /** Feature `ping`: when the device last sent a frame, and the watchdog that drops it when it goes silent. */
  heardAt?: number;
  watchdog?: TimerHandle;
  /** The device listed feature `ping` in its hello; the watchdog starts once the host's hello lists it too. */
  listedPing?: boolean;
}

export class BridgeHost implements Disposable {
  private readonly conns = new Map<number, Conn>();
  private readonly messageEmitter = new Emitter<{ device: ConnectedDevice; message: DeviceMessage }>((e) => this.logger.error(`bridge: onMessage listener failed: ${errorCode(e)}`));
  private readonly connectedEmitter = new Emitter<ConnectedDevice>((e) => this.logger.error(`bridge: a listener failed: ${errorCode(e)}`));
  private readonly disconnectedEmitter = new Emitter<ConnectedDevice>((e) => this.logger.error(`bridge: a listener failed: ${errorCode(e)}`));
  private readonly pairedEmitter = new Emitter<{ device: ConnectedDevice; sas: string }>((e) => this.logger.error(`bridge: a listener failed: ${errorCode(e)}`));
  private readonly subscriptions = new DisposableStore();
  private readonly logger: Logger;
  private readonly prologue: Uint8Array;

  readonly onMessage: Event<{ device: ConnectedDevice; message: DeviceMessage }> = this.messageEmitter.event;
  readonly onDeviceConnected: Event<ConnectedDevice> = this.connectedEmitter.event;
  readonly onDeviceDisconnected: Event<ConnectedDevice> = this.disconnectedEmitter.event;
  /** A first pairing completed: show `sas` next to the QR so the user can compare it with the phone's. */
  readonly onPaired: Event<{ device: ConnectedDevice; sas: string }> = this.pairedEmitter.event;

  constructor(private readonly o: BridgeHostOptions) {
    this.logger = o.logger ?? nullLogger;
    this.prologue = prologueFor(o.hostId);
    const { link } = o;
    this.subscriptions.add(
      link.onOpen((conn) => this.guard(conn, () => this.opened(conn))),
      link.onFrame(({ conn, frame }) => this.guard(conn, () => this.frame(conn, frame))),
      link.onClose((conn) => this.guard(conn, () => this.drop(conn))),
      link.onState((state) => {
        // The relay connection is gone, and every device connection with it.
        if (state === 'offline') for (const conn of [...this.conns.keys()]) this.drop(conn);
      }),
      o.registry.onRevoked((device) => {
        for (const c of [...this.conns.values()]) if (c.device?.id === device.id) this.close(c, CloseCode.revoked, 'revoked');
      }),
      this.messageEmitter,
      this.connectedEmitter,
      this.disconnectedEmitter,
      this.pairedEmitter,
    );
  }

  connectedDevices(): ConnectedDevice[] {
    return [...this.conns.values()].flatMap((c) => (c.phase === 'open' && c.device ? [c.device] : []));
  }

  /** Sends `message` to one device (by id) or to every connected device; returns how many got it. */
  send(target: string | 'all', message: HostMessage): number {
    // The bridge is the peer with the frame limit: a message too big for one encrypted frame is shortened
    // here (with a marker; an approval says it is not shown in full) instead of never reaching the phone.
    const bytes = encodeMessage(fitToFrame(message));
    if (bytes.length > MAX_PLAINTEXT) {
      this.logger.warn(`bridge: a '${message.type}' message of ${bytes.length} bytes is over the frame limit; not sent`);
      return 0;
    }
    let sent = 0;
    for (const c of [...this.conns.values()]) {
      if (c.phase !== 'open' || !c.device || !c.channel || (target !== 'all' && c.device.id !== target)) continue;
      try {
        this.o.link.send(c.conn, c.channel.encrypt(bytes));
        sent++;
        // Feature `ping` is on once both hellos listed it: from then on the device pings, and silence is death.
        if (message.type === 'hello' && c.listedPing && !c.watchdog && message.features?.includes('ping')) this.watch(c);
      } catch (e) {
        this.logger.warn(`bridge: send to device ${c.device.id} failed: ${errorCode(e)}`);
        this.close(c, e instanceof ChannelError ? e.closeCode : CloseCode.internalError, 'send failed');
      }
    }
    return sent;
  }

  /** Unpairs a device: it is removed from the registry and its live channel closes with CloseCode.revoked. */
  revoke(deviceId: string): boolean {
    return this.o.registry.revoke(deviceId);
  }

  dispose(): void {
    for (const c of [...this.conns.values()]) this.close(c, CloseCode.goingAway, 'host stopped');
    this.subscriptions.dispose();
  }

  private opened(conn: number): void {
    const c: Conn = { conn, phase: 'hello' };
    this.conns.set(conn, c);
    // A peer that stalls mid-handshake is dropped; "try again later" lets an honest slow device retry.
    c.timer = this.o.clock.setTimeout(() => {
      c.timer = undefined;
      if (c.phase !== 'open') this.close(c, CloseCode.tryAgainLater, 'handshake timed out');
    }, this.o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  }

  private frame(conn: number, frame: Uint8Array): void {
    const c = this.conns.get(conn);
    if (!c) return; // a late frame for a connection already closed
    if (c.phase === 'hello') this.hello(c, frame);
    else if (c.phase === 'confirm') this.confirm(c, frame);
    else this.message(c, frame);
  }

  /** Noise message 1 (after the tag byte): answer with message 2, or refuse. */
  private hello(c: Conn, frame: Uint8Array): void {
    const tag = frame[0];
    const pattern = tag === undefined ? undefined : PATTERN_FOR_TAG[tag];
    if (!pattern) return this.close(c, CloseCode.handshakeFailed, 'bad handshake');
    c.mode = tag === PAIR_TAG ? 'pair' : 'reconnect';
    if (tag === PAIR_TAG) {
      const begun = this.o.offers.begin();
      if (!begun.ok) {
        this.logger.info(`bridge: conn ${c.conn}: pairing refused (${begun.reason})`);
        return this.close(c, begun.reason === 'rate-limited' ? CloseCode.rateLimited : CloseCode.handshakeFailed, 'pairing refused');
      }
      c.attempt = begun.attempt;
    }
    const hs = new HandshakeState({ pattern, initiator: false, prologue: this.prologue, s: this.o.staticKey, psk: c.attempt?.psk, x25519: this.o.x25519 });
    try {
      const hello = decodePayload(DeviceHelloSchema, hs.readMessage(frame.subarray(1)));
      const publicKey = hs.remoteStaticPublicKey;
      if (!hello || !publicKey) return this.close(c, CloseCode.handshakeFailed, 'bad handshake');
      // Reconnect: only keys in the registry get an answer; unpaired and revoked keys learn nothing more.
      if (tag === RECONNECT_TAG && !this.o.registry.has(publicKey)) {
        this.logger.info(`bridge: conn ${c.conn}: reconnect from an unknown device key`);
        return this.close(c, CloseCode.unknownDevice, 'unknown device');
      }
      c.publicKey = publicKey;
      c.name = sanitizeName(hello.name ?? '');
      const reply = hs.writeMessage(encodePayload({ v: 1, hostName: this.o.hostName }));
      c.channel = SecureChannel.fromHandshake(hs);
      c.phase = 'confirm';
      this.o.link.send(c.conn, reply);
    } catch (e) {
      this.logger.info(`bridge: conn ${c.conn}: handshake failed (${errorCode(e)})`);
      this.close(c, CloseCode.handshakeFailed, 'bad handshake');
    } finally {
      hs.destroy();
    }
  }

  /** The device's first transport frame (empty): it holds the session keys, so the handshake is done. */
  private confirm(c: Conn, frame: Uint8Array): void {
    let plaintext: Uint8Array;
    try {
      plaintext = c.channel!.decrypt(frame);
    } catch (e) {
      this.logger.info(`bridge: conn ${c.conn}: no key confirmation (${errorCode(e)})`);
      return this.close(c, CloseCode.handshakeFailed, 'bad handshake');
    }
    if (plaintext.length !== 0) return this.close(c, CloseCode.handshakeFailed, 'bad handshake');
    const publicKey = c.publicKey!;
    let device: PairedDevice | undefined;
    if (c.mode === 'pair') {
      const attempt = c.attempt!;
      c.attempt = undefined;
      // Single use: a second device racing with the same QR loses here.
      if (!this.o.offers.complete(attempt)) return this.close(c, CloseCode.handshakeFailed, 'pairing refused');
      try {
        device = this.o.registry.add(publicKey, c.name ?? '');
      } catch (e) {
        this.logger.warn(`bridge: conn ${c.conn}: cannot register device (${errorCode(e)})`);
        return this.close(c, CloseCode.policyViolation, 'cannot register device');
      }
    } else {
      // Revoked between message 1 and now?
      device = this.o.registry.byPublicKey(publicKey);
      if (!device) return this.close(c, CloseCode.unknownDevice, 'unknown device');
    }
    const connected: ConnectedDevice = { id: device.id, name: device.name };
    // One live channel per device: a newer one replaces an older (probably half-dead) one.
    for (const other of [...this.conns.values()]) {
      if (other !== c && other.device?.id === connected.id) this.close(other, CloseCode.goingAway, 'replaced by a newer connection');
    }
    if (c.timer) this.o.clock.clearTimeout(c.timer);
    c.timer = undefined;
    c.device = connected;
    c.phase = 'open';
    // Accepted: an empty frame tells the device the host has registered it (see channelHandshake.ts).
    this.o.link.send(c.conn, c.channel!.encrypt(new Uint8Array(0)));
    this.o.registry.touch(connected.id);
    this.logger.info(`bridge: device ${connected.id} ${c.mode === 'pair' ? 'paired' : 'reconnected'} on conn ${c.conn}`);
    if (c.mode === 'pair') this.pairedEmitter.fire({ device: connected, sas: shortAuthString(c.channel!.handshakeHash) });
    if (this.conns.get(c.conn) === c) this.connectedEmitter.fire(connected);
  }

  private message(c: Conn, frame: Uint8Array): void {
    let plaintext: Uint8Array;
    try {
      plaintext = c.channel!.decrypt(frame);
    } catch (e) {
      this.logger.warn(`bridge: device ${c.device?.id}: bad frame (${errorCode(e)})`);
      return this.close(c, e instanceof ChannelError ? e.closeCode : CloseCode.badFrame, 'bad frame');
    }
    const parsed = parseDeviceMessage(plaintext);
    if (!parsed.ok && parsed.ignored) {
      // A newer device's message type: skipped, the channel stays up (docs/protocol.md §Versions and features).
      this.logger.debug(`bridge: device ${c.device?.id}: ignored a message (${parsed.reason})`);
      return;
    }
    if (!parsed.ok) {
      this.logger.warn(`bridge: device ${c.device?.id}: bad message (${parsed.reason})`);
      return this.close(c, CloseCode.badMessage, 'bad message');
    }
    c.heardAt = this.o.clock.now();
    if (parsed.value.type === 'hello') c.listedPing = parsed.value.features.includes('ping');
    if (parsed.value.type === 'ping') {
      // Answered here, at the transport: a heartbeat is not the host service's business.
      this.sendTo(c, encodeMessage({ type: 'pong', n: parsed.value.n }));
      return;
    }
    this.o.registry.touch(c.device!.id);
    this.messageEmitter.fire({ device: c.device!, message: parsed.value });
  }

  /**
   * Feature `ping` (the device listed it, and this build speaks it): a device silent for deviceDeadAfterMs is
   * presumed gone (a phone whose network dropped without a close) and its connection is closed, so the host
   * stops sending into the void and the device's next connection is not mistaken for a duplicate.
   */
  private watch(c: Conn): void {
    const deadAfter = this.o.deviceDeadAfterMs ?? DEVICE_DEAD_AFTER_MS;
    c.watchdog = this.o.clock.setTimeout(() => {
      c.watchdog = undefined;
      if (this.conns.get(c.conn) !== c) return;
      const silentFor = this.o.clock.now() - (c.heardAt ?? 0);
      if (silentFor >= deadAfter) {
        this.logger.info(`bridge: device ${c.device?.id} went silent; dropping its connection`);
        return this.close(c, CloseCode.tryAgainLater, 'device went silent');
      }
      this.watch(c);
    }, Math.max(1, Math.ceil(deadAfter / 4)));
  }

  private sendTo(c: Conn, bytes: Uint8Array): void {
    try {
      this.o.link.send(c.conn, c.channel!.encrypt(bytes));
    } catch (e) {
      this.logger.warn(`bridge: send to device ${c.device?.id} failed: ${errorCode(e)}`);
      this.close(c, e instanceof ChannelError ? e.closeCode : CloseCode.internalError, 'send failed');
    }
  }

  /** Closes one connection at the relay and forgets it. */
  private close(c: Conn, code: number, reason: string): void {
    if (this.conns.get(c.conn) !== c) return;
    this.drop(c.conn);
    try {
      this.o.link.close(c.conn, code, reason);
    } catch (e) {
      this.logger.warn(`bridge: closing conn ${c.conn} failed: ${errorCode(e)}`);
    }
  }

  /** Forgets a connection (closed by either side): zeroes its keys, counts an unfinished pairing as failed. */
  private drop(conn: number): void {
    const c = this.conns.get(conn);
    if (!c) return;
    this.conns.delete(conn);
    if (c.timer) this.o.clock.clearTimeout(c.timer);
    if (c.watchdog) this.o.clock.clearTimeout(c.watchdog);
    c.watchdog = undefined;
    c.channel?.close();
    // Only an attempt that got past message 1 (phase 'confirm') counts against pairing; junk does not.
    if (c.attempt) {
      if (c.phase === 'confirm') this.o.offers.fail(c.attempt);
      else this.o.offers.release(c.attempt);
    }
    c.attempt = undefined;
    const wasOpen = c.phase === 'open' && c.device;
    c.phase = 'hello';
    if (wasOpen) {
      this.o.registry.touch(c.device!.id);
      this.disconnectedEmitter.fire(c.device!);
    }
  }

  /** Runs a link callback; nothing escapes it. An unexpected error closes only that connection. */
  private guard(conn: number, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger.error(`bridge: conn ${conn}: internal error (${errorCode(e)})`);
      const c = this.conns.get(conn);
      if (c) this.close(c, CloseCode.internalError, 'internal error');
    }
  }
}

/** A loggable reason: an error's code (or class name), never its message, which might carry data. */
function errorCode(e: unknown): string {
  if (e instanceof ChannelError || e instanceof RegistryError) return e.code;
  return errorName(e);
}
