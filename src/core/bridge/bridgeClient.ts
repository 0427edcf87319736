// The device end of the bridge, shared by `walkie device` (Node) and the phone (browser): it connects to
// `<relay>/v1/device/<hostId>`, runs the channel handshake (src/core/bridge/channelHandshake.ts: Noise_IKpsk2 the
// first time, Noise_IK afterwards), then speaks the app protocol over a SecureChannel. It reconnects with
// exponential backoff and full jitter, and keeps the chat exactly-once across reconnects (syncs, dedupe,
// prompt resends: src/core/bridge/chatCursor.ts) and announces its protocol features first on every connection
// (src/core/bridge/featureNegotiation.ts). A refusal that retrying cannot fix (revoked, unknown device,
// failed handshake) stops it for good, so a revoked device does not hammer the relay.
import { abytes, concatBytes, zeroize } from '../base/bytes';
import {
  decodePayload,
  deviceUrl,
  encodePayload,
  HANDSHAKE_TIMEOUT_MS,
  HostWelcomeSchema,
  PAIR_TAG,
  prologueFor,
  RECONNECT_TAG,
} from './channelHandshake';
import type { Clock, TimerHandle } from '../base/clock';
import { ChatCursor } from './chatCursor';
import { CloseCode } from '../wire/closeCodes';
import { sanitizeName } from '../pairing/deviceRegistry';
import { disposeAll, type Disposable } from '../base/dispose';
import { Emitter, type Event } from '../base/event';
import type { DeviceSocket, DeviceSocketFactory } from './links';
import { nullLogger, type Logger } from '../base/logger';
import type { KeyPair } from '../noise/dh';
import { isKeyPair, PreparedStaticKey, type DeviceIdentity } from '../noise/staticKey';
import { HandshakeState } from '../noise/handshakeState';
import type { WireFeature } from '../wire/features';
import { FeatureNegotiation } from './featureNegotiation';
import { encodeMessage, parseHostMessage, type DeviceMessage, type HostMessage } from '../wire/protocol';
import { shortAuthString } from './sas';
import { SecureChannel } from './secureChannel';
import { errorName } from '../base/errorName';
import { DEFAULT_PACING, reconnectDelay, type ReconnectPacing } from '../base/backoff';

/** What a paired device keeps (src/core/pairing/deviceCredentials.ts validates it when read back). */
export type { DeviceCredentials } from '../pairing/deviceCredentials';

export type ClientState = 'connecting' | 'online' | 'offline';
export interface ClientStateChange {
  state: ClientState;
  since: number;
  code?: number;
  reason?: string;
  /** While offline: when the next attempt starts (ms since epoch, this client's clock). */
  retryAt?: number;
}

export interface BridgeClientOptions {
  relayUrl: string;
  hostId: string;
  hostPublicKey: Uint8Array;
  /** The device key: a key pair in memory, or a sealed key the page cannot read (src/core/noise/staticKey.ts). */
  identity: DeviceIdentity;
  /** Present for the first pairing (from the QR); copied, and zeroed once used. */
  pairing?: { psk: Uint8Array; deviceName: string };
  connect: DeviceSocketFactory;
  clock: Clock;
  logger?: Logger;
  /** Reconnect pacing (src/core/base/backoff.ts `reconnectDelay`); DEFAULT_PACING by default. */
  backoff?: Partial<ReconnectPacing>;
  handshakeTimeoutMs?: number;
  /** A socket that has not opened after this long is abandoned (default: OPEN_TIMEOUT_MS or the heartbeat bound). */
  openTimeoutMs?: number;
  /** Feature `ping`: how often a quiet channel is pinged, and after how long without a word it is dead. */
  heartbeat?: { intervalMs: number; deadAfterMs: number };
}

export const BACKOFF_BASE_MS = DEFAULT_PACING.baseMs;
export const BACKOFF_CAP_MS = DEFAULT_PACING.capMs;
/**
 * Feature `ping`: a phone on mobile data loses packets without a close (no FIN, no RST), and TCP takes
 * minutes to notice. Pinging every 10 s and giving up after 25 s of silence bounds that to half a minute.
 */
export const HEARTBEAT = { intervalMs: 10_000, deadAfterMs: 25_000 } as const;
/** A WebSocket that has not opened in this long (TCP + upgrade through the relay) is abandoned and retried. */
export const OPEN_TIMEOUT_MS = 5_000;
/** After `reconnectNow()` on a live channel: a pong must come back this fast, or the channel is dead. */
export const PROBE_MS = 3_000;
const EMPTY = new Uint8Array(0);

/** Close codes after which retrying cannot help: the host said no. */
const REFUSALS: ReadonlySet<number> = new Set([CloseCode.revoked, CloseCode.unknownDevice, CloseCode.handshakeFailed]);

type Phase = 'idle' | 'handshake' | 'accepting' | 'online' | 'stopped';

export class BridgeClient implements Disposable {
  private readonly messages = new Emitter<HostMessage>((e) => this.logger.error(`bridge client: onMessage listener failed (${errorName(e)})`));
  private readonly states = new Emitter<ClientStateChange>((e) => this.logger.error(`bridge client: onState listener failed (${errorName(e)})`));
  private readonly paired = new Emitter<{ sas: string; hostName: string }>((e) => this.logger.error(`bridge client: a listener failed (${errorName(e)})`));
  readonly onMessage: Event<HostMessage> = this.messages.event;
  readonly onState: Event<ClientStateChange> = this.states.event;
  readonly onPaired: Event<{ sas: string; hostName: string }> = this.paired.event;
  private readonly moved = new Emitter<string>((e) => this.logger.error(`bridge client: a listener failed (${errorName(e)})`));
  /** The host said where to reach it from now on (feature `relay`): store it; the next connection uses it. */
  readonly onRelayMoved: Event<string> = this.moved.event;
  private relayUrl: string;

  private phase: Phase = 'idle';
  private pairing: { psk: Uint8Array; deviceName: string } | undefined;
  private socket: DeviceSocket | undefined;
  private socketSubs: Disposable[] = [];
  private hs: HandshakeState | undefined;
  /** A sealed identity's DH results for the handshake under way; a DH is being computed while `preparing`. */
  private prepared: PreparedStaticKey | undefined;
  private preparing = false;
  private preparedWelcome = false;
  private channel: SecureChannel | undefined;
  private timer: TimerHandle | undefined;
  private attempt = 0;
  private readonly cursor = new ChatCursor();
  private readonly logger: Logger;
  private currentState: ClientStateChange;
  private started = false;
  private host: string | undefined;
  private readonly negotiation = new FeatureNegotiation();
  /** Feature `ping`: the heartbeat timer, when the last frame came, and the next ping's number. */
  private beat: TimerHandle | undefined;
  private heardAt = 0;
  /** Frames received on this client's life: a probe is answered when this moved. */
  private heard = 0;
  private sentAt = 0;
  private pingN = 0;
  /** When the link was lost (undefined while online): the reconnect pacing is fast early in an outage. */
  private offlineSince: number | undefined;

  constructor(private readonly o: BridgeClientOptions) {
    this.logger = o.logger ?? nullLogger;
    // Fail at construction, not on every reconnect attempt, when a key is malformed.
    abytes(o.hostPublicKey, 32, 'hostPublicKey');
    if (o.pairing) abytes(o.pairing.psk, 32, 'pairing.psk');
    this.pairing = o.pairing && { psk: o.pairing.psk.slice(), deviceName: sanitizeName(o.pairing.deviceName) };
    this.currentState = { state: 'offline', since: o.clock.now() };
    this.relayUrl = o.relayUrl;
  }

  get state(): ClientStateChange {
    return { ...this.currentState };
  }

  /** True once the client gave up for good (close(), or the host refused it). */
  get stopped(): boolean {
    return this.phase === 'stopped';
  }

  /** Last delivered chat seq per known session. */
  get lastSeqs(): ReadonlyMap<string, number> {
    return this.cursor.lastSeqs;
  }

  /** The host's name, once a handshake told it. */
  get hostName(): string | undefined {
    return this.host;
  }

  get pendingPromptCount(): number {
    return this.cursor.pendingPromptCount;
  }

  /** The features agreed with the host on this connection; undefined for a v1 host (or before they are known). */
  get features(): ReadonlySet<WireFeature> | undefined {
    return this.negotiation.features;
  }

  start(): void {
    if (this.started || this.phase === 'stopped') return;
    this.started = true;
    this.connect();
  }

  /**
   * Sends a message now, or — for prompts — keeps it until the host echoes it (sent as soon as online).
   * False when it was neither sent nor kept (offline, not a prompt; too many pending prompts).
   */
  send(m: DeviceMessage): boolean {
    if (m.type === 'prompt' && !this.cursor.hold(m)) return false;
    if (this.phase === 'online') return this.sendNow(m) || m.type === 'prompt';
    return m.type === 'prompt';
  }

  /**
   * The network may have changed (the browser's `online`, the page shown again, a "Reconnect" tap): retry
   * at once with the backoff reset. A live channel is probed instead (feature `ping`): if the host does not
   * answer within PROBE_MS, it is dropped and reconnected. An attempt under way is restarted.
   */
  reconnectNow(): void {
    if (!this.started || this.phase === 'stopped') return;
    this.attempt = 0;
    if (this.phase === 'online') {
      if (!this.negotiation.features?.has('ping')) return;
      this.armBeat(PROBE_MS, true);
      this.sendNow({ type: 'ping', n: this.pingN++ });
      return;
    }
    this.offlineSince = this.o.clock.now();
    if (this.phase === 'idle') {
      if (this.timer) this.o.clock.clearTimeout(this.timer);
      this.timer = undefined;
      return this.connect();
    }
    // A handshake under way may be stuck on the old network: start again.
    this.closeSocket(CloseCode.normal, 'reconnecting');
    this.connect();
  }

  /** Stops for good: closes the socket, no reconnect. */
  close(): void {
    if (this.phase === 'stopped') return;
    this.stop(CloseCode.normal, 'closed');
  }

  dispose(): void {
    this.close();
    disposeAll([this.messages, this.states, this.paired, this.moved]);
  }

  private connect(): void {
    this.timer = undefined;
    this.phase = 'handshake';
    this.setState({ state: 'connecting', since: this.o.clock.now() });
    let socket: DeviceSocket;
    try {
      socket = this.o.connect(deviceUrl(this.relayUrl, this.o.hostId));
    } catch (e) {
      this.logger.warn(`bridge client: cannot open a socket (${errorName(e)})`);
      return this.lost(CloseCode.internalError, 'cannot connect');
    }
    this.socket = socket;
    const mine = (fn: () => void) => () => {
      if (this.socket === socket) this.guard(fn);
    };
    this.socketSubs = [
      socket.onOpen(mine(() => this.opened())),
      socket.onFrame((frame) => mine(() => this.frame(frame))()),
      socket.onClose(({ code, reason }) => mine(() => this.lost(code, reason))()),
    ];
    // A socket that does not even open (its packets vanish: the network is gone) is given up on as soon as a
    // live channel would be; once open, the handshake gets its own, longer time (a slow phone's WebCrypto).
    const openMs = Math.min(this.o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, this.o.openTimeoutMs ?? Math.min(OPEN_TIMEOUT_MS, this.heartbeat.deadAfterMs));
    this.timer = this.o.clock.setTimeout(() => this.fail(CloseCode.tryAgainLater, 'no connection'), openMs);
  }

  private opened(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = this.o.clock.setTimeout(() => this.fail(CloseCode.tryAgainLater, 'handshake timed out'), this.o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    this.hello();
  }

  private hello(): void {
    const identity = this.o.identity;
    if (isKeyPair(identity)) return this.sendHello({ s: identity });
    // A sealed key: DH(s, rs) for message 1 is computed first, asynchronously (WebCrypto).
    const prepared = new PreparedStaticKey(identity);
    this.prepared = prepared;
    this.afterPrepare(prepared.prepare(this.o.hostPublicKey), () => this.sendHello({ sealed: prepared.sealed }));
  }

  private sendHello(key: { s: KeyPair } | { sealed: PreparedStaticKey['sealed'] }): void {
    const pairing = this.pairing;
    this.hs = new HandshakeState({
      pattern: pairing ? 'IKpsk2' : 'IK',
      initiator: true,
      prologue: prologueFor(this.o.hostId),
      ...key,
      rs: this.o.hostPublicKey,
      psk: pairing?.psk,
    });
    const message = this.hs.writeMessage(encodePayload(pairing ? { v: 1, name: pairing.deviceName } : { v: 1 }));
    this.socket!.send(concatBytes(Uint8Array.of(pairing ? PAIR_TAG : RECONNECT_TAG), message));
  }

  /** Runs `then` once `work` is done, if this connection is still the one that asked; fails it otherwise. */
  private afterPrepare(work: Promise<void>, then: () => void): void {
    const socket = this.socket;
    this.preparing = true;
    work.then(
      () => {
        this.preparing = false;
        if (this.socket === socket && this.phase === 'handshake') this.guard(then);
      },
      (e: unknown) => {
        this.preparing = false;
        this.logger.warn(`bridge client: the device key failed (${errorName(e)})`);
        if (this.socket === socket && this.phase === 'handshake') this.fail(CloseCode.internalError, 'device key failed');
      },
    );
  }

  private frame(frame: Uint8Array): void {
    this.heardAt = this.o.clock.now();
    this.heard++;
    if (this.phase === 'handshake') return this.welcome(frame);
    let plaintext: Uint8Array;
    try {
      plaintext = this.channel!.decrypt(frame);
    } catch {
      return this.fail(this.phase === 'accepting' ? CloseCode.handshakeFailed : CloseCode.badFrame, 'bad frame');
    }
    if (this.phase === 'accepting') {
      if (plaintext.length !== 0) return this.fail(CloseCode.handshakeFailed, 'bad handshake');
      return this.accepted();
    }
    const parsed = parseHostMessage(plaintext);
    if (!parsed.ok && parsed.ignored) {
      // A newer host's message type: skipped, the channel stays up (docs/protocol.md §Versions and features).
      this.logger.debug(`bridge client: ignored a message from the host (${parsed.reason})`);
      return;
    }
    if (!parsed.ok) {
      this.logger.warn(`bridge client: bad message from the host (${parsed.reason})`);
      return this.fail(CloseCode.badMessage, 'bad message');
    }
    this.receive(parsed.value);
  }

  /** Noise message 2: the host proved its static key (and the psk); confirm with an empty frame. */
  private welcome(frame: Uint8Array): void {
    const hs = this.hs;
    if (!hs || this.preparing) return this.fail(CloseCode.handshakeFailed, 'bad handshake');
    const prepared = this.prepared;
    if (prepared && !this.preparedWelcome) {
      // A sealed key: DH(s, re) for "se" first. re is message 2's first 32 bytes, in clear (Noise IK).
      if (frame.length < 32) return this.fail(CloseCode.handshakeFailed, 'bad handshake');
      this.preparedWelcome = true;
      return this.afterPrepare(prepared.prepare(frame.slice(0, 32)), () => this.welcome(frame));
    }
    try {
      const welcome = decodePayload(HostWelcomeSchema, hs.readMessage(frame));
      if (!welcome) return this.fail(CloseCode.handshakeFailed, 'bad handshake');
      this.host = sanitizeName(welcome.hostName, 'host');
      this.channel = SecureChannel.fromHandshake(hs);
    } catch {
      return this.fail(CloseCode.handshakeFailed, 'handshake failed');
    } finally {
      hs.destroy();
      this.hs = undefined;
      this.prepared?.clear();
      this.prepared = undefined;
      this.preparedWelcome = false;
    }
    this.phase = 'accepting';
    this.socket!.send(this.channel.encrypt(EMPTY));
  }

  /** The host registered us: online. */
  private accepted(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = 'online';
    this.attempt = 0;
    this.offlineSince = undefined;
    if (this.pairing) {
      // Paired: from now on reconnect with IK; the one-time psk is gone.
      zeroize(this.pairing.psk);
      this.pairing = undefined;
      this.paired.fire({ sas: shortAuthString(this.channel!.handshakeHash), hostName: this.host ?? 'host' });
    }
    this.setState({ state: 'online', since: this.o.clock.now() });
    // Our features first, so the host knows what we speak before anything else (unless it is a v1 host).
    const hello = this.negotiation.opening();
    if (hello && this.phase === 'online') {
      // The heartbeat runs from here: a channel that dies before the host answers our hello is caught too.
      this.armBeat(this.heartbeat.intervalMs, false);
      this.sendNow(hello);
    }
    for (const m of this.cursor.connected()) if (this.phase === 'online') this.sendNow(m);
  }

  private receive(m: HostMessage): void {
    this.negotiation.received(m);
    if (m.type === 'pong') return; // feature `ping`: hearing it is all it is for (heardAt)
    // The host (authenticated by the channel, never the relay) moved: connect there from the next attempt.
    if (m.type === 'relay' && m.url !== this.relayUrl) {
      this.relayUrl = m.url;
      this.moved.fire(m.url);
    }
    const { deliver, send, message } = this.cursor.receive(m);
    for (const out of send) this.sendNow(out);
    if (deliver) this.messages.fire(message ?? m);
  }

  private get heartbeat(): { intervalMs: number; deadAfterMs: number } {
    return this.o.heartbeat ?? HEARTBEAT;
  }

  /**
   * Feature `ping`: every `everyMs` the channel is checked; a host silent for deadAfterMs (or, for a probe,
   * since the probe) is presumed gone — the socket is dropped and the client reconnects.
   */
  private armBeat(everyMs: number, probe: boolean): void {
    if (this.beat) this.o.clock.clearTimeout(this.beat);
    const heardBefore = this.heard;
    this.beat = this.o.clock.setTimeout(() => {
      this.beat = undefined;
      if (this.phase !== 'online') return;
      // Only while our hello is unanswered, or once the host agreed to `ping` (a v1 host or one without the
      // feature cannot answer pings: no heartbeat then).
      const features = this.negotiation.features;
      if (features ? !features.has('ping') : !this.negotiation.awaiting) return;
      const now = this.o.clock.now();
      const silent = probe ? this.heard === heardBefore : now - this.heardAt >= this.heartbeat.deadAfterMs;
      if (silent) {
        this.logger.info('bridge client: the host went silent; reconnecting');
        return this.fail(CloseCode.tryAgainLater, 'host went silent');
      }
      // Both ways: the host drops a device it has not heard from (bridgeHost.ts), so a device that only
      // listens still pings; and a host that only listens is asked for a pong.
      const { intervalMs } = this.heartbeat;
      if (features && (now - this.heardAt >= intervalMs || now - this.sentAt >= intervalMs)) this.sendNow({ type: 'ping', n: this.pingN++ });
      this.armBeat(this.heartbeat.intervalMs, false);
    }, everyMs);
  }

  private sendNow(m: DeviceMessage): boolean {
    if (this.phase !== 'online' || !this.channel || !this.socket) return false;
    try {
      this.socket.send(this.channel.encrypt(encodeMessage(m)));
      this.sentAt = this.o.clock.now();
      return true;
    } catch (e) {
      this.logger.warn(`bridge client: send failed (${errorName(e)})`);
      if (this.channel.closed) this.fail(CloseCode.internalError, 'send failed');
      return false;
    }
  }

  /** We give up on this connection: close it, then retry (or stop, for a refusal). */
  private fail(code: number, reason: string): void {
    this.closeSocket(code, reason);
    this.lost(code, reason, false);
  }

  /** The connection is gone (closed by either side). */
  private lost(code: number, reason: string, byHost = true): void {
    this.detach();
    if (this.negotiation.lost(code, byHost)) this.logger.info('bridge client: the host speaks protocol v1 without features');
    if (this.phase === 'stopped') return;
    // Fail closed and quiet: a device the host refused does not hammer the relay with retries.
    const refused = REFUSALS.has(code) || (this.pairing !== undefined && code === CloseCode.rateLimited);
    if (refused) return this.stop(code, reason);
    this.phase = 'idle';
    const now = this.o.clock.now();
    this.offlineSince ??= now;
    const delay = reconnectDelay(this.attempt++, now - this.offlineSince, { ...DEFAULT_PACING, ...this.o.backoff });
    this.setState({ state: 'offline', since: now, code, reason, retryAt: now + delay });
    this.timer = this.o.clock.setTimeout(() => this.connect(), delay);
  }

  private stop(code: number, reason: string): void {
    this.closeSocket(CloseCode.normal, 'bye');
    this.phase = 'stopped';
    if (this.pairing) zeroize(this.pairing.psk);
    this.setState({ state: 'offline', since: this.o.clock.now(), code, reason });
  }

  private closeSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.detach();
    try {
      socket?.close(code, reason);
    } catch {
      // already closed
    }
  }

  private detach(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.beat) this.o.clock.clearTimeout(this.beat);
    this.beat = undefined;
    disposeAll(this.socketSubs.splice(0));
    this.socket = undefined;
    this.hs?.destroy();
    this.hs = undefined;
    this.prepared?.clear();
    this.prepared = undefined;
    this.preparedWelcome = false;
    this.channel?.close();
    this.channel = undefined;
  }

  private setState(s: ClientStateChange): void {
    this.currentState = s;
    this.states.fire({ ...s });
  }

  /** Nothing escapes a socket callback; an unexpected error drops the connection (and retries). */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger.error(`bridge client: internal error (${errorName(e)})`);
      if (this.phase !== 'stopped') this.fail(CloseCode.internalError, 'internal error');
    }
  }
}


