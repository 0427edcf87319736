// The host's end of the relay (docs/relay.md): one WebSocket to /v1/host that authenticates with the host's
// Ed25519 identity (src/core/wire/relayAuth.ts) and multiplexes every device as a `conn`. Implements HostLink, so
// the channel code in src/core never sees the relay. Reconnects by itself with exponential backoff and full
// jitter; every onOpen is matched by exactly one onClose, whoever closed the conn and however the link fell.
// Staggered attempts (issue 17): early in an outage an attempt the relay has not answered within about a
// second is joined by another (at most STAGGER.max at once), so a link whose attempt was swallowed by a dead
// network is back within a second of the network returning. The first attempt to get the relay's challenge
// wins and alone signs it; the others are closed unsigned, so the relay never sees two proofs of this host
// (a second one would replace the first: CloseCode.hostReplaced, which stops the link for good).
import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { cryptoUniform, DEFAULT_PACING, reconnectDelay, type ReconnectPacing } from '../../core/base/backoff';
import { systemClock, type Clock, type TimerHandle } from '../../core/base/clock';
import { CloseCode } from '../../core/wire/closeCodes';
import { Emitter } from '../../core/base/event';
import type { HostLink } from '../../core/bridge/links';
import { nullLogger, type Logger } from '../../core/base/logger';
import { ED25519_KEY_LENGTH, hostIdFromSecret, signRelayChallenge } from '../../core/wire/relayAuth';
import { RelayError } from '../../relay/relayError';
import { CONN_HEADER_LENGTH, DEFAULT_LIMITS } from '../../relay/relayLimits';
import { decodeConnFrame, encodeConnFrame, HOST_PATH, isForwardableCloseCode, parseControl, RelayToHostSchema } from '../../relay/relayProtocol';
import { errorName } from '../../core/base/errorName';

export interface RelayHostLinkOptions {
  /** The relay's base URL, ws:// or wss:// (the /v1/host path is added). */
  relayUrl: string;
  /** The host's 32-byte Ed25519 identity secret. Kept in memory only; never sent. */
  identitySecret: Uint8Array;
  clock?: Clock;
  logger?: Logger;
  /**
   * Backoff: the first retry waits up to baseMs, doubling per failure up to capMs (full jitter); for the first
   * fastForMs of an outage at most fastCapMs (src/core/base/backoff.ts `reconnectDelay`).
   */
  backoff?: Partial<ReconnectPacing>;
  /** No message, ping or pong from the relay for this long → the link is presumed dead and reconnects. */
  idleTimeoutMs?: number;
  /** The host pings the relay this often (a WebSocket ping; every relay answers it with a pong). */
  pingIntervalMs?: number;
  /** Staggered attempts: another joins after about `delayMs`, at most `max` at once (STAGGER by default). */
  stagger?: { delayMs: number; max: number };
}

/**
 * Staggered attempts while in the fast-retry period of an outage (the same pacing as the device's,
 * src/core/bridge/bridgeClient.ts STAGGER): one more attempt about every second (±25 % jitter), at most three.
 */
export const STAGGER = { delayMs: 1_000, max: 3 } as const;
/** An attempt the relay has not challenged in this long (TCP, TLS, upgrade, challenge) is given up. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/** A fresh 32-byte Ed25519 identity secret for a host. */
export function generateHostIdentity(): Uint8Array {
  return new Uint8Array(randomBytes(ED25519_KEY_LENGTH));
}

/**
 * Heartbeat: the relay pings every 30 s, which alone would leave a silently dropped link (packets lost, no
 * close) unnoticed for over a minute. The host pings too, every 10 s, and gives up after 25 s of silence.
 */
const DEFAULT_PING_INTERVAL_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 25_000;

export class RelayHostLink implements HostLink {
  readonly hostId: string;
  private readonly openEmitter = new Emitter<number>((e) => this.onListenerError(e));
  private readonly frameEmitter = new Emitter<{ conn: number; frame: Uint8Array }>((e) => this.onListenerError(e));
  private readonly closeEmitter = new Emitter<number>((e) => this.onListenerError(e));
  private readonly stateEmitter = new Emitter<'online' | 'offline'>((e) => this.onListenerError(e));
  readonly onOpen = this.openEmitter.event;
  readonly onFrame = this.frameEmitter.event;
  readonly onClose = this.closeEmitter.event;
  readonly onState = this.stateEmitter.event;

  private readonly secret: Uint8Array;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoff: ReconnectPacing;
  private readonly idleTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private pingTimer: TimerHandle | undefined;
  /** When the link was lost (undefined while online or before the first connect). */
  private offlineSince: number | undefined;
  private readonly url: string;
  private readonly legacyUrl: string;
  private useLegacyPath = false;
  private ws: WebSocket | undefined;
  /** Attempts not yet challenged by the relay; the first challenged one becomes `ws`. */
  private readonly tries = new Set<WebSocket>();
  private stagger: TimerHandle | undefined;
  private readonly staggerOptions: { delayMs: number; max: number };
  private readonly attemptTimeoutMs: number;
  private online = false;
  private readonly conns = new Set<number>();
  private attempt = 0;
  private retryTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(o: RelayHostLinkOptions) {
    if (o.identitySecret.length !== ED25519_KEY_LENGTH) throw new RangeError('"identitySecret" expected 32 bytes');
    const url = new URL(o.relayUrl);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new TypeError('"relayUrl" expected a ws:// or wss:// URL');
    this.secret = new Uint8Array(o.identitySecret);
    this.hostId = hostIdFromSecret(this.secret);
    // /v1/host/<hostId>: the id up front lets a load balancer route by it (consistent hashing); the relay
    // still makes us prove it.
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${HOST_PATH}/${this.hostId}`;
    this.url = url.toString();
    // A relay from before /v1/host/<id> answers it 404: such a relay is then reached at plain /v1/host.
    url.pathname = url.pathname.slice(0, -(this.hostId.length + 1));
    this.legacyUrl = url.toString();
    this.clock = o.clock ?? systemClock;
    this.logger = o.logger ?? nullLogger;
    this.backoff = { ...DEFAULT_PACING, ...o.backoff };
    this.idleTimeoutMs = o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.pingIntervalMs = o.pingIntervalMs ?? Math.min(DEFAULT_PING_INTERVAL_MS, Math.max(1, Math.floor(this.idleTimeoutMs / 2.5)));
    this.staggerOptions = o.stagger ?? STAGGER;
    this.attemptTimeoutMs = Math.min(ATTEMPT_TIMEOUT_MS, this.idleTimeoutMs);
  }

  get isOnline(): boolean {
    return this.online;
  }

  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.connect();
  }

  send(conn: number, frame: Uint8Array): void {
    if (frame.length > DEFAULT_LIMITS.maxPayload) {
      throw new RelayError('RELAY_ERR_PAYLOAD_TOO_LARGE', `a frame is at most ${DEFAULT_LIMITS.maxPayload} bytes`);
    }
    // A conn that is gone already got (or is about to get) onClose: a late send is dropped, not an error.
    if (!this.online || !this.conns.has(conn) || !this.ws) return;
    this.ws.send(encodeConnFrame(conn, frame), { binary: true });
  }

  close(conn: number, code: number, reason: string): void {
    if (!this.conns.has(conn)) return;
    const safeCode = isForwardableCloseCode(code) ? code : CloseCode.policyViolation;
    if (this.online && this.ws) this.ws.send(JSON.stringify({ type: 'close', conn, code: safeCode, reason: clampReason(reason) }));
    this.dropConn(conn);
  }

  dispose(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.dropTries();
    this.teardown(CloseCode.goingAway);
    this.secret.fill(0);
    this.openEmitter.dispose();
    this.frameEmitter.dispose();
    this.closeEmitter.dispose();
    this.stateEmitter.dispose();
  }

  private connect(): void {
    if (this.state !== 'running') return;
    this.startAttempt();
    this.armStagger();
  }

  private startAttempt(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.useLegacyPath ? this.legacyUrl : this.url, { perMessageDeflate: false, maxPayload: DEFAULT_LIMITS.maxPayload + CONN_HEADER_LENGTH, handshakeTimeout: this.attemptTimeoutMs });
    } catch {
      if (this.tries.size === 0 && !this.ws) this.scheduleReconnect();
      return;
    }
    this.tries.add(ws);
    this.logger.debug(`relay link: attempt (${this.tries.size} in flight)`);
    // An attempt swallowed by a dead network (no answer, no close) is given up on; another may be under way.
    const timer = this.clock.setTimeout(() => this.tries.has(ws) && ws.terminate(), this.attemptTimeoutMs);
    ws.on('error', () => {}); // 'close' follows every error; that is where the link reacts.
    ws.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 404 && !this.useLegacyPath) {
        this.logger.info('relay link: the relay does not know /v1/host/<id>; using /v1/host');
        this.useLegacyPath = true;
      }
      ws.terminate();
    });
    ws.on('message', (data, isBinary) => {
      // The relay's first word (its challenge): this attempt wins, the others are closed before they sign.
      if (this.tries.has(ws)) this.adopt(ws);
      if (this.ws === ws) this.onMessage(ws, data, isBinary);
    });
    ws.on('ping', () => this.ws === ws && this.touch());
    ws.on('pong', () => this.ws === ws && this.touch());
    ws.on('close', (code) => {
      this.clock.clearTimeout(timer);
      if (this.tries.delete(ws)) {
        if (this.tries.size === 0 && !this.ws) this.scheduleReconnect();
        return;
      }
      if (this.ws !== ws) return;
      this.logger.info(`relay link: closed by the relay (${code})`);
      this.teardown();
      // Another process proved the same identity after us: fighting over the id would only flap both.
      if (code === CloseCode.hostReplaced) {
        this.logger.warn('relay link: another host with this identity took over; not reconnecting');
        this.state = 'stopped';
        return;
      }
      this.scheduleReconnect();
    });
  }

  /** The attempt the relay answered first becomes the link. */
  private adopt(ws: WebSocket): void {
    this.tries.delete(ws);
    this.dropTries();
    this.ws = ws;
    this.touch();
    this.pingSoon(ws);
  }

  /** Closes every attempt in flight (none of them signed anything) and stops starting more. */
  private dropTries(): void {
    if (this.stagger !== undefined) this.clock.clearTimeout(this.stagger);
    this.stagger = undefined;
    const tries = [...this.tries];
    this.tries.clear();
    for (const t of tries) t.terminate();
  }

  /** Starts another attempt beside the ones in flight after about a second, while that may help (STAGGER). */
  private armStagger(): void {
    if (this.stagger !== undefined) this.clock.clearTimeout(this.stagger);
    this.stagger = undefined;
    const { delayMs, max } = this.staggerOptions;
    if (this.state !== 'running' || this.ws || max <= 1) return;
    // Late in a long outage the relay is probably down, not the path to it: one attempt at a time then.
    if (this.offlineSince !== undefined && this.clock.now() - this.offlineSince >= this.backoff.fastForMs) return;
    this.stagger = this.clock.setTimeout(
      () => {
        this.stagger = undefined;
        if (this.state !== 'running' || this.ws || this.tries.size === 0) return;
        // Only while none got through to the relay: an open one is about to be challenged.
        if (this.tries.size < max && ![...this.tries].some((t) => t.readyState === WebSocket.OPEN)) this.startAttempt();
        this.armStagger();
      },
      Math.round(delayMs * (0.75 + 0.5 * cryptoUniform())),
    );
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    this.touch();
    const bytes = data as Buffer;
    if (isBinary) {
      const decoded = this.online ? decodeConnFrame(bytes) : undefined;
      if (!decoded) return this.protocolError(ws, 'short frame');
      if (!this.conns.has(decoded.conn)) return; // a frame racing our own close of that conn
      this.frameEmitter.fire({ conn: decoded.conn, frame: decoded.payload });
      return;
    }
    const msg = parseControl(RelayToHostSchema, bytes.toString('utf8'));
    if (!msg) return this.protocolError(ws, 'bad control message');
    switch (msg.type) {
      case 'challenge':
        if (this.online) return this.protocolError(ws, 'unexpected challenge');
        ws.send(JSON.stringify({ type: 'auth', ...signRelayChallenge(this.secret, msg.nonce) }));
        return;
      case 'ready':
        // The relay must name us by the id our key implies; anything else is not our relay talking.
        if (this.online || msg.hostId !== this.hostId) return this.protocolError(ws, 'unexpected ready');
        this.online = true;
        this.attempt = 0;
        this.offlineSince = undefined;
        this.logger.info('relay link: online');
        this.stateEmitter.fire('online');
        return;
      case 'open':
        if (!this.online || this.conns.has(msg.conn)) return this.protocolError(ws, 'unexpected open');
        this.conns.add(msg.conn);
        this.openEmitter.fire(msg.conn);
        return;
      case 'close':
        if (this.conns.has(msg.conn)) this.dropConn(msg.conn);
        return;
    }
  }

  private protocolError(ws: WebSocket, reason: string): void {
    this.logger.warn(`relay link: protocol error (${reason})`);
    try {
      ws.close(CloseCode.protocolError, 'protocol error');
    } catch {
      ws.terminate();
    }
  }

  private dropConn(conn: number): void {
    if (!this.conns.delete(conn)) return;
    this.closeEmitter.fire(conn);
  }

  /** Forgets the current socket: every conn gets onClose, then the link goes offline. */
  private teardown(code?: number): void {
    const ws = this.ws;
    this.ws = undefined;
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
    if (ws) {
      try {
        if (code !== undefined) ws.close(code, 'host going away');
        else ws.terminate();
      } catch {
        ws.terminate();
      }
    }
    for (const conn of [...this.conns]) this.dropConn(conn);
    if (this.online) {
      this.online = false;
      this.logger.info('relay link: offline');
      this.stateEmitter.fire('offline');
    }
  }

  private scheduleReconnect(): void {
    if (this.state !== 'running') return;
    const now = this.clock.now();
    this.offlineSince ??= now;
    const delay = reconnectDelay(this.attempt++, now - this.offlineSince, this.backoff);
    this.logger.debug(`relay link: reconnecting in ${delay} ms`);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  /** Pings the relay every pingIntervalMs while this socket is the link's; its pong re-arms the idle timer. */
  private pingSoon(ws: WebSocket): void {
    this.pingTimer = this.clock.setTimeout(() => {
      this.pingTimer = undefined;
      if (this.ws !== ws) return;
      try {
        ws.ping();
      } catch {
        // closing already: 'close' follows
      }
      this.pingSoon(ws);
    }, this.pingIntervalMs);
  }

  /** Re-arms the idle timer: a relay that stopped pinging (a half-open TCP connection) is given up on. */
  private touch(): void {
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    const ws = this.ws;
    this.idleTimer = this.clock.setTimeout(() => {
      if (this.ws !== ws || !ws) return;
      this.logger.info('relay link: the relay went silent');
      ws.terminate();
    }, this.idleTimeoutMs);
  }

  private readonly onListenerError = (e: unknown): void => {
    this.logger.error(`relay link: a listener threw (${errorName(e)})`);
  };
}

/** A close reason the relay will accept: at most 123 UTF-8 bytes. */
function clampReason(reason: string): string {
  let out = reason;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}
