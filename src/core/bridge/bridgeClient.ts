// The device end of the bridge, shared by `walkie device` (Node) and the phone (browser): it connects to
// `<relay>/v1/device/<hostId>`, runs the channel handshake (src/core/bridge/channelHandshake.ts: Noise_IKpsk2 the
// first time, Noise_IK afterwards), then speaks the app protocol over a SecureChannel. It reconnects with
// exponential backoff and full jitter, and keeps the chat exactly-once across reconnects (syncs, dedupe,
// prompt resends: src/core/bridge/chatCursor.ts) and announces its protocol features first on every connection
// (src/core/bridge/featureNegotiation.ts). A refusal that retrying cannot fix (revoked, unknown device,
// failed handshake) stops it for good, so a revoked device does not hammer the relay.
// Staggered attempts (issue 17): early in an outage an attempt that has not got the host's handshake answer
// within about a second is joined by another one (at most STAGGER.max in flight), so a device whose attempt
// was swallowed by a dead network is back within a second of the network returning instead of waiting out
// that attempt's timeout. The first attempt to get the host's Noise message 2 wins; only it sends the key
// confirmation (what makes the host register the device), the others are closed before, so the host never
// holds two channels of one device. Where sockets open one at a time (browsers), a stuck attempt is replaced
// instead (`opensOneAtATime`).
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
import { cryptoUniform, DEFAULT_PACING, reconnectDelay, type ReconnectPacing } from '../base/backoff';

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
  /** Staggered attempts: another attempt joins after about `delayMs`, at most `max` in flight (STAGGER by default). */
  stagger?: { delayMs: number; max: number };
  /**
   * The platform opens one WebSocket to a host at a time (browsers: RFC 6455 §4.1 ¶2 — a second connection
   * to the same host waits until the first is open or has failed), so an attempt started beside a stuck one
   * only queues behind it. Then a stuck attempt is replaced instead: closed after the stagger delay and a new
   * one started, the delay doubling with each replacement in an outage (up to the open timeout) so that a
   * slow network still gets long enough to open.
   */
  opensOneAtATime?: boolean;
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
/**
 * Staggered attempts, while in the fast-retry period of an outage (DEFAULT_PACING.fastForMs) and not pairing:
 * an attempt without the host's answer after delayMs (jittered ±25 %, so devices that lost the same network
 * do not stampede) is joined by another, up to `max` at once; each still ends at its own open/handshake
 * timeout. On a real network a swallowed attempt waits for its SYN/data retransmits (1 s, 3 s, 7 s…): with
 * one new attempt a second, one of them is on the wire within about a second of the network coming back.
 */
export const STAGGER = { delayMs: 1_000, max: 3 } as const;
const EMPTY = new Uint8Array(0);
const MAX_REJOINS = 2;
const REJOIN_JITTER_MS = 200;

/** One connection attempt: its socket until the host's Noise message 2 (then it wins, or is closed). */
interface Attempt {
  readonly n: number;
  readonly socket: DeviceSocket;
  /** The socket opened: the relay answered, so the path works (what is left is the host's handshake). */
  open: boolean;
  subs: Disposable[];
  timer: TimerHandle | undefined;
  hs: HandshakeState | undefined;
  /** A sealed identity's DH results for this handshake; a DH is being computed while `preparing`. */
  prepared: PreparedStaticKey | undefined;
  preparing: boolean;
  preparedWelcome: boolean;
}

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
  /** The attempts in flight (phase 'handshake'); the winner's socket becomes `socket`. */
  private readonly tries = new Set<Attempt>();
  private tried = 0;
  private stagger: TimerHandle | undefined;
  /** opensOneAtATime: stuck attempts replaced since the last time online. */
  private replaced = 0;
  /** The connection that won (phases 'accepting' and 'online'). */
  private socket: DeviceSocket | undefined;
  private socketSubs: Disposable[] = [];
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
  /** Quick retries after 'host replaced' since the last time online (at most MAX_REJOINS). */
  private rejoins = 0;

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
    this.startAttempt();
    this.armStagger();
  }

  /** Opens one more socket and runs the handshake on it until the host's message 2. */
  private startAttempt(): void {
    const n = ++this.tried;
    let socket: DeviceSocket;
    try {
      socket = this.o.connect(deviceUrl(this.relayUrl, this.o.hostId));
    } catch (e) {
      this.logger.warn(`bridge client: cannot open a socket (${errorName(e)})`);
      if (this.tries.size === 0) this.lost(CloseCode.internalError, 'cannot connect');
      return;
    }
    this.logger.debug(`bridge client: attempt ${n} (${this.tries.size + 1} in flight)`);
    const a: Attempt = { n, socket, open: false, subs: [], timer: undefined, hs: undefined, prepared: undefined, preparing: false, preparedWelcome: false };
    this.tries.add(a);
    const mine = (fn: () => void) => () => {
      if (this.tries.has(a)) this.guardAttempt(a, fn);
    };
    a.subs = [
      socket.onOpen(mine(() => this.opened(a))),
      socket.onFrame((frame) => mine(() => this.welcome(a, frame))()),
      socket.onClose(({ code, reason }) => mine(() => this.attemptLost(a, code, reason, true))()),
    ];
    // A socket that does not even open (its packets vanish: the network is gone) is given up on as soon as a
    // live channel would be; once open, the handshake gets its own, longer time (a slow phone's WebCrypto).
    a.timer = this.o.clock.setTimeout(() => this.attemptLost(a, CloseCode.tryAgainLater, 'no connection', false), this.openMs);
  }

  /** How long a socket may take to open. */
  private get openMs(): number {
    return Math.min(this.o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, this.o.openTimeoutMs ?? Math.min(OPEN_TIMEOUT_MS, this.heartbeat.deadAfterMs));
  }

  /** Starts another attempt beside the ones in flight after about a second, while that may help (STAGGER). */
  private armStagger(): void {
    if (this.stagger) this.o.clock.clearTimeout(this.stagger);
    this.stagger = undefined;
    // Never while pairing: the one-time psk is good for one handshake only.
    if (this.phase !== 'handshake' || this.pairing) return;
    const { delayMs, max } = this.o.stagger ?? STAGGER;
    const pacing = { ...DEFAULT_PACING, ...this.o.backoff };
    // Late in a long outage the relay is probably down, not the path to it: one attempt at a time then.
    if (max <= 1 || this.o.clock.now() - (this.offlineSince ?? this.o.clock.now()) >= pacing.fastForMs) return;
    const serial = this.o.opensOneAtATime === true;
    const base = serial ? Math.min(delayMs * 2 ** Math.min(this.replaced, 10), this.openMs) : delayMs;
    const delay = Math.round(base * (0.75 + 0.5 * cryptoUniform()));
    this.stagger = this.o.clock.setTimeout(() => {
      this.stagger = undefined;
      if (this.phase !== 'handshake') return;
      // Another socket helps only while none has got through to the relay: an open one waits on the host, and
      // more would only crowd the relay's per-host connection limit.
      if ([...this.tries].some((t) => t.open)) return this.armStagger();
      if (serial) {
        const stuck = [...this.tries];
        this.replaced++;
        this.guard(() => this.startAttempt());
        // After starting the new one, so that the client is never without an attempt (and never "lost").
        for (const t of stuck) this.dropAttempt(t, CloseCode.normal, 'replaced by a new attempt');
      } else if (this.tries.size < max) this.guard(() => this.startAttempt());
      this.armStagger();
    }, delay);
  }

  private opened(a: Attempt): void {
    a.open = true;
    if (a.timer) this.o.clock.clearTimeout(a.timer);
    a.timer = this.o.clock.setTimeout(() => this.attemptLost(a, CloseCode.tryAgainLater, 'handshake timed out', false), this.o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    this.logger.debug(`bridge client: attempt ${a.n} open`);
    this.hello(a);
  }

  private hello(a: Attempt): void {
    const identity = this.o.identity;
    if (isKeyPair(identity)) return this.sendHello(a, { s: identity });
    // A sealed key: DH(s, rs) for message 1 is computed first, asynchronously (WebCrypto).
    const prepared = new PreparedStaticKey(identity);
    a.prepared = prepared;
    this.afterPrepare(a, prepared.prepare(this.o.hostPublicKey), () => this.sendHello(a, { sealed: prepared.sealed }));
  }

  private sendHello(a: Attempt, key: { s: KeyPair } | { sealed: PreparedStaticKey['sealed'] }): void {
    const pairing = this.pairing;
    a.hs = new HandshakeState({
      pattern: pairing ? 'IKpsk2' : 'IK',
      initiator: true,
      prologue: prologueFor(this.o.hostId),
      ...key,
      rs: this.o.hostPublicKey,
      psk: pairing?.psk,
    });
    const message = a.hs.writeMessage(encodePayload(pairing ? { v: 1, name: pairing.deviceName } : { v: 1 }));
    a.socket.send(concatBytes(Uint8Array.of(pairing ? PAIR_TAG : RECONNECT_TAG), message));
  }

  /** Runs `then` once `work` is done, if this attempt is still in flight; fails it otherwise. */
  private afterPrepare(a: Attempt, work: Promise<void>, then: () => void): void {
    a.preparing = true;
    work.then(
      () => {
        a.preparing = false;
        if (this.tries.has(a)) this.guardAttempt(a, then);
      },
      (e: unknown) => {
        a.preparing = false;
        this.logger.warn(`bridge client: the device key failed (${errorName(e)})`);
        if (this.tries.has(a)) this.attemptLost(a, CloseCode.internalError, 'device key failed', false);
      },
    );
  }

  private frame(frame: Uint8Array): void {
    this.heardAt = this.o.clock.now();
    this.heard++;
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

  /**
   * Noise message 2: the host proved its static key (and the psk). The first attempt to get here wins: the
   * others are closed before they can confirm, then this one confirms with an empty frame.
   */
  private welcome(a: Attempt, frame: Uint8Array): void {
    this.heardAt = this.o.clock.now();
    this.heard++;
    const hs = a.hs;
    if (!hs || a.preparing) return this.attemptLost(a, CloseCode.handshakeFailed, 'bad handshake', false);
    const prepared = a.prepared;
    if (prepared && !a.preparedWelcome) {
      // A sealed key: DH(s, re) for "se" first. re is message 2's first 32 bytes, in clear (Noise IK).
      if (frame.length < 32) return this.attemptLost(a, CloseCode.handshakeFailed, 'bad handshake', false);
      a.preparedWelcome = true;
      return this.afterPrepare(a, prepared.prepare(frame.slice(0, 32)), () => this.welcome(a, frame));
    }
    let channel: SecureChannel;
    try {
      const welcome = decodePayload(HostWelcomeSchema, hs.readMessage(frame));
      if (!welcome) return this.attemptLost(a, CloseCode.handshakeFailed, 'bad handshake', false);
      this.host = sanitizeName(welcome.hostName, 'host');
      channel = SecureChannel.fromHandshake(hs);
    } catch {
      return this.attemptLost(a, CloseCode.handshakeFailed, 'handshake failed', false);
    } finally {
      hs.destroy();
      a.hs = undefined;
      a.prepared?.clear();
      a.prepared = undefined;
      a.preparedWelcome = false;
    }
    // This attempt wins: the host has not registered any of the others (they never confirmed), so closing
    // them leaves it exactly one channel of this device.
    this.endAttempt(a);
    for (const other of [...this.tries]) this.dropAttempt(other, CloseCode.normal, 'another attempt won');
    if (this.stagger) this.o.clock.clearTimeout(this.stagger);
    this.stagger = undefined;
    this.logger.debug(`bridge client: attempt ${a.n} won`);
    const socket = a.socket;
    this.socket = socket;
    this.channel = channel;
    const mine = (fn: () => void) => () => {
      if (this.socket === socket) this.guard(fn);
    };
    this.socketSubs = [socket.onFrame((f) => mine(() => this.frame(f))()), socket.onClose(({ code, reason }) => mine(() => this.lost(code, reason))())];
    this.phase = 'accepting';
    this.timer = this.o.clock.setTimeout(() => this.fail(CloseCode.tryAgainLater, 'handshake timed out'), this.o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    socket.send(channel.encrypt(EMPTY));
  }

  /** Forgets an attempt (its socket stays open: the caller closes it or keeps it). */
  private endAttempt(a: Attempt): void {
    this.tries.delete(a);
    if (a.timer) this.o.clock.clearTimeout(a.timer);
    a.timer = undefined;
    disposeAll(a.subs.splice(0));
    a.hs?.destroy();
    a.hs = undefined;
    a.prepared?.clear();
    a.prepared = undefined;
  }

  private dropAttempt(a: Attempt, code: number, reason: string): void {
    this.endAttempt(a);
    try {
      a.socket.close(code, reason);
    } catch {
      // already closed
    }
  }

  /**
   * An attempt failed (closed by the relay or host when `byHost`, else given up on here). A refusal stops the
   * client; otherwise the others carry on, and only when none is left is the link lost (and retried).
   */
  private attemptLost(a: Attempt, code: number, reason: string, byHost: boolean): void {
    if (!this.tries.has(a)) return;
    this.logger.debug(`bridge client: attempt ${a.n} ended (${code})`);
    if (byHost) this.endAttempt(a);
    else this.dropAttempt(a, code, reason);
    const refused = REFUSALS.has(code) || (this.pairing !== undefined && code === CloseCode.rateLimited);
    if (this.phase !== 'handshake' || (this.tries.size > 0 && !refused)) return;
    this.lost(code, reason, byHost);
  }

  private guardAttempt(a: Attempt, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger.error(`bridge client: internal error (${errorName(e)})`);
      this.attemptLost(a, CloseCode.internalError, 'internal error', false);
    }
  }

  /** The host registered us: online. */
  private accepted(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = 'online';
    this.attempt = 0;
    this.rejoins = 0;
    this.replaced = 0;
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
    // The relay closes a host's old connection's devices with 'host replaced' when the host comes back on a new
    // one (after its own network outage): the host is reachable right now, so the next try goes at once (with a
    // little jitter), not after a backoff. Bounded per outage, since the relay's word on it is not authenticated.
    const rejoin = code === CloseCode.hostOffline && reason === 'host replaced' && this.rejoins++ < MAX_REJOINS;
    const delay = rejoin ? Math.floor(REJOIN_JITTER_MS * cryptoUniform()) : reconnectDelay(this.attempt++, now - this.offlineSince, { ...DEFAULT_PACING, ...this.o.backoff });
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
    if (this.stagger) this.o.clock.clearTimeout(this.stagger);
    this.stagger = undefined;
    for (const a of [...this.tries]) this.dropAttempt(a, CloseCode.normal, 'reconnecting');
    disposeAll(this.socketSubs.splice(0));
    this.socket = undefined;
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


