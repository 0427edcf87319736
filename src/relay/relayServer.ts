// The Walkie relay (docs/relay.md): a node:http server that serves the web UI and /healthz, and two
// WebSocket endpoints — /v1/host (or /v1/host/<hostId>) for hosts (challenge–response authenticated) and
// /v1/device/<hostId> for devices — between which it forwards opaque binary frames. It sees only Noise
// ciphertext and routing ids, persists nothing, and logs only counts, ids and codes. Which node holds a
// host is the HostDirectory's business (a local map, or Redis for a cluster of nodes); /metrics counts.
// Given TlsCredentials it serves HTTPS/WSS itself, swapping in a renewed certificate without a restart.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { systemClock, type Clock, type TimerHandle } from '../core/base/clock';
import { CloseCode } from '../core/wire/closeCodes';
import { nullLogger, type Logger } from '../core/base/logger';
import { HOST_ID_PATTERN } from '../core/wire/relayAuth';
import { authenticateHost } from './hostAuthenticator';
import type { DeviceTarget, HostDirectory } from './hostDirectory';
import { HostSession } from './hostSession';
import { LocalHostDirectory } from './localHostDirectory';
import { RelayError } from './relayError';
import { CONN_HEADER_LENGTH, resolveLimits, type RelayLimits } from './relayLimits';
import { closePeer, failPeer, shortId, type RelayContext } from './relayPeer';
import { DEVICE_PATH_PREFIX, HOST_PATH } from './relayProtocol';
import { SECURITY_HEADERS, sendText, serveStatic } from './staticFiles';
import { SourceLimiter, sourceOf } from './sourceLimiter';
import type { TlsCredentials, TlsPair } from './tlsCredentials';

export interface RelayServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The address to bind; 127.0.0.1 unless told otherwise (0.0.0.0 for LAN mode or behind a proxy). */
  host?: string;
  /** The web UI folder (dist/webview); without it only /healthz and the WebSocket endpoints answer. */
  webRoot?: string;
  logger?: Logger;
  clock?: Clock;
  limits?: Partial<RelayLimits>;
  /**
   * Behind a reverse proxy: take the source address from the right-most X-Forwarded-For entry (set only
   * when the relay is reachable through the proxy alone, or anyone could name any source).
   */
  trustProxy?: boolean;
  /** Where host ids live: a LocalHostDirectory unless given (a RedisHostDirectory for a cluster). */
  directory?: (ctx: RelayContext) => HostDirectory;
  /** Serve HTTPS/WSS with this certificate and key (watched and reloaded while the relay runs). */
  tls?: TlsCredentials;
}

/** TLS 1.2 is the floor: every browser and Node that runs the phone page or the host speaks it. */
const secureContextOf = (pair: TlsPair) => ({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' as const });

/** How long close() waits for peers to finish the closing handshake before cutting them off. */
const CLOSE_GRACE_MS = 1000;

export class RelayServer {
  private readonly ctx: RelayContext;
  private readonly server: http.Server | https.Server;
  private readonly hostWss: WebSocketServer;
  private readonly deviceWss: WebSocketServer;
  private readonly hosts: HostDirectory;
  /** Every open socket, with whether it answered the last ping. */
  private readonly sockets = new Map<WebSocket, { alive: boolean }>();
  private pendingHosts = 0;
  private readonly trustProxy: boolean;
  private readonly sourceLimiter: SourceLimiter;
  private webRoot: string | undefined;
  private heartbeat: TimerHandle | undefined;
  private state: 'new' | 'listening' | 'closed' = 'new';

  constructor(private readonly options: RelayServerOptions = {}) {
    this.ctx = { limits: resolveLimits(options.limits), logger: options.logger ?? nullLogger, clock: options.clock ?? systemClock };
    this.trustProxy = options.trustProxy === true;
    this.hosts = options.directory ? options.directory(this.ctx) : new LocalHostDirectory(this.ctx);
    const { upgradesPerSec, upgradesBurst, maxPendingHostsPerSource } = this.ctx.limits;
    this.sourceLimiter = new SourceLimiter({ upgradesPerSec, upgradesBurst, maxPendingHostsPerSource }, () => this.ctx.clock.now());
    const common = { noServer: true, clientTracking: false, perMessageDeflate: false } as const;
    // Compression is off: ciphertext does not compress, and compressing attacker-influenced data next to
    // secrets is how CRIME-style leaks start. maxPayload is enforced by ws (over it → close 1009).
    this.deviceWss = new WebSocketServer({ ...common, maxPayload: this.ctx.limits.maxPayload });
    this.hostWss = new WebSocketServer({ ...common, maxPayload: this.ctx.limits.maxPayload + CONN_HEADER_LENGTH });
    const serverOptions = { requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 };
    this.server = options.tls
      ? https.createServer({ ...serverOptions, ...secureContextOf(options.tls.pair), handshakeTimeout: 10_000 })
      : http.createServer(serverOptions);
    this.server.keepAliveTimeout = 5_000;
    this.server.on('request', (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
    // A failed TLS handshake (a scanner, a client that does not trust the certificate) is not worth a log line.
    this.server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());
  }

  async start(): Promise<{ port: number; url: string }> {
    if (this.state !== 'new') throw new RelayError('RELAY_ERR_CLOSED', 'a relay starts once');
    const bind = this.options.host ?? '127.0.0.1';
    if (this.options.webRoot !== undefined) {
      try {
        this.webRoot = await fs.promises.realpath(this.options.webRoot);
      } catch {
        this.ctx.logger.warn('relay: the web root does not exist; serving no static files');
      }
    }
    await this.hosts.start?.();
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(new RelayError('RELAY_ERR_LISTEN', `cannot listen on ${bind}:${this.options.port ?? 0}`, { cause: e }));
      this.server.once('error', onError);
      this.server.listen(this.options.port ?? 0, bind, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.server.on('error', () => this.ctx.logger.error('relay: server error'));
    this.state = 'listening';
    this.scheduleHeartbeat();
    // New handshakes get the new pair; connections already open keep theirs (setSecureContext).
    this.options.tls?.watch((pair) => (this.server as https.Server).setSecureContext(secureContextOf(pair)));
    const port = (this.server.address() as { port: number }).port;
    const host = bind.includes(':') ? `[${bind}]` : bind;
    this.ctx.logger.info(`relay: listening on port ${port}${this.options.tls ? ' (TLS)' : ''}`);
    return { port, url: `${this.options.tls ? 'https' : 'http'}://${host}:${port}/` };
  }

  stats(): { hosts: number; devices: number } {
    let devices = 0;
    for (const h of this.hosts.localSessions()) devices += h.deviceCount;
    return { hosts: this.hosts.localHostCount, devices };
  }

  /**
   * Stops accepting (upgrades get 503), withdraws this node's hosts from the directory and closes every
   * peer with 1001 (going away), which hosts and devices treat as "reconnect now" — behind a load balancer
   * they land on another node. Peers still open after `graceMs` are cut off. Also the SIGTERM drain.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.state === 'closed') return;
    const wasListening = this.state === 'listening';
    this.state = 'closed';
    if (this.heartbeat !== undefined) this.ctx.clock.clearTimeout(this.heartbeat);
    this.options.tls?.close();
    for (const session of [...this.hosts.localSessions()]) session.end(CloseCode.goingAway, 'relay shutting down');
    const open = [...this.sockets.keys()];
    const closed = open.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))));
    for (const ws of open) closePeer(ws, CloseCode.goingAway, 'relay shutting down');
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (grace = setTimeout(resolve, graceMs)))]);
    clearTimeout(grace);
    // After the sockets (their close events still reach the directory), before the server goes away.
    await this.hosts.close().catch(() => this.ctx.logger.warn('relay: the directory did not close cleanly'));
    for (const ws of open) ws.terminate();
    if (!wasListening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.ctx.logger.info('relay: closed');
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return sendText(res, 405, 'method not allowed\n');
      }
      const pathname = pathOf(req.url);
      if (pathname === '/healthz') return sendText(res, 200, '{"ok":true}', 'application/json; charset=utf-8');
      if (pathname === '/metrics') return sendText(res, 200, this.metricsText(), 'text/plain; version=0.0.4; charset=utf-8');
      if (pathname === undefined || !this.webRoot || pathname.startsWith('/v1/')) return sendText(res, 404, 'not found\n');
      serveStatic(req, res, this.webRoot, pathname).catch(() => res.destroy());
    } catch {
      res.destroy();
    }
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      const pathname = pathOf(req.url);
      if (this.state !== 'listening') return rejectUpgrade(socket, 503);
      // Per-source limits first (security): one address cannot use up what every host and device shares.
      const source = sourceOf(req, this.trustProxy);
      if (!this.sourceLimiter.admit(source)) return rejectUpgrade(socket, 429);
      // Route (and refuse) before the WebSocket handshake: a wrong path never becomes a WebSocket.
      // /v1/host/<hostId> states the id up front so a load balancer can route by it; the connection must
      // still prove that very id (a stated id is a routing hint, never an identity).
      const stated = pathname?.startsWith(`${HOST_PATH}/`) ? pathname.slice(HOST_PATH.length + 1) : undefined;
      if (stated !== undefined && !HOST_ID_PATTERN.test(stated)) return rejectUpgrade(socket, 404);
      if (pathname === HOST_PATH || stated !== undefined) {
        if (this.pendingHosts >= this.ctx.limits.maxPendingHosts) return rejectUpgrade(socket, 503);
        const release = this.sourceLimiter.holdPendingHost(source);
        if (!release) return rejectUpgrade(socket, 429);
        this.pendingHosts++;
        let counted = true;
        const uncount = (): void => {
          if (counted) this.pendingHosts--;
          counted = false;
          release();
        };
        socket.once('close', uncount);
        return this.hostWss.handleUpgrade(req, socket, head, (ws) => {
          socket.off('close', uncount);
          this.acceptHost(ws, uncount, stated);
        });
      }
      if (pathname?.startsWith(DEVICE_PATH_PREFIX)) {
        const hostId = pathname.slice(DEVICE_PATH_PREFIX.length);
        if (!HOST_ID_PATTERN.test(hostId)) return rejectUpgrade(socket, 404);
        return this.upgradeDevice(req, socket, head, hostId);
      }
      rejectUpgrade(socket, 404);
    } catch {
      socket.destroy();
    }
  }

  private track(ws: WebSocket): void {
    const peer = { alive: true };
    this.sockets.set(ws, peer);
    ws.on('pong', () => (peer.alive = true));
    ws.on('close', () => this.sockets.delete(ws));
    // ws reports protocol violations (oversize → 1009, bad UTF-8 → 1007) as 'error' and closes the socket
    // itself; an 'error' without a listener would crash the process.
    ws.on('error', () => {});
  }

  private acceptHost(ws: WebSocket, uncount: () => void, stated: string | undefined): void {
    this.track(ws);
    authenticateHost(
      ws,
      this.ctx,
      (hostId) => {
        uncount();
        if (stated !== undefined && stated !== hostId) {
          return failPeer(ws, new RelayError('RELAY_ERR_AUTH_FAILED', 'host id mismatch'), this.ctx, 'host');
        }
        this.onHostProven(ws, hostId);
      },
      uncount,
    );
  }

  private onHostProven(ws: WebSocket, hostId: string): void {
    if (this.state !== 'listening') return closePeer(ws, CloseCode.goingAway, 'relay shutting down');
    const old = this.hosts.localSession(hostId);
    if (!old && this.hosts.localHostCount >= this.ctx.limits.maxHosts) {
      return failPeer(ws, new RelayError('RELAY_ERR_TOO_MANY_HOSTS', 'too many hosts'), this.ctx, 'host');
    }
    const session = new HostSession(hostId, ws, this.ctx);
    const announced = this.hosts.hostOnline(session);
    ws.on('close', () => {
      session.end(CloseCode.hostOffline, 'host offline');
      this.hosts.hostOffline(session);
      this.ctx.logger.info(`relay: host ${shortId(hostId)} offline (${this.hosts.localHostCount} hosts)`);
    });
    const ready = (): void => {
      try {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ready', hostId }));
      } catch {
        ws.terminate();
      }
    };
    if (announced instanceof Promise) announced.then(ready, ready);
    else ready();
    this.ctx.logger.info(`relay: host ${shortId(hostId)} online (${this.hosts.localHostCount} hosts)`);
  }

  /** Asks the directory where the host is (in a cluster: Redis, before the upgrade), then upgrades. */
  private upgradeDevice(req: http.IncomingMessage, socket: Duplex, head: Buffer, hostId: string): void {
    const accept = (target: DeviceTarget | undefined): void => {
      if (socket.destroyed) return;
      this.deviceWss.handleUpgrade(req, socket, head, (ws) => {
        this.track(ws);
        if (!target || this.state !== 'listening') {
          return failPeer(ws, new RelayError('RELAY_ERR_HOST_OFFLINE', 'host offline'), this.ctx, 'device');
        }
        target.attach(ws);
      });
    };
    const found = this.hosts.findHost(hostId);
    if (found instanceof Promise) found.then(accept, () => socket.destroy()).catch(() => socket.destroy());
    else accept(found);
  }

  /** Prometheus text format: this node's counts (every node answers for itself). */
  private metricsText(): string {
    const { hosts, devices } = this.stats();
    const values: Record<string, number> = { walkie_relay_hosts: hosts, walkie_relay_host_devices: devices, walkie_relay_sockets: this.sockets.size, walkie_relay_pending_hosts: this.pendingHosts, ...this.hosts.metrics(), ...this.options.tls?.metrics() };
    return Object.entries(values).map(([k, v]) => `# TYPE ${k} ${k.endsWith('_total') ? 'counter' : 'gauge'}\n${k} ${v}\n`).join('');
  }

  /** Every heartbeatMs: terminate peers that missed the previous ping, ping the rest. */
  private scheduleHeartbeat(): void {
    this.heartbeat = this.ctx.clock.setTimeout(() => {
      for (const [ws, peer] of this.sockets) {
        if (!peer.alive) {
          this.ctx.logger.debug('relay: terminating a peer that missed a pong');
          ws.terminate();
          continue;
        }
        peer.alive = false;
        try {
          ws.ping();
        } catch {
          ws.terminate();
        }
      }
      if (this.state === 'listening') this.scheduleHeartbeat();
    }, this.ctx.limits.heartbeatMs);
  }
}

/** The path of a request URL, or undefined when it does not parse. */
function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://relay.invalid').pathname;
  } catch {
    return undefined;
  }
}

const STATUS_TEXT: Record<number, string> = { 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function rejectUpgrade(socket: Duplex, status: 404 | 429 | 503): void {
  const headers = Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n${headers}\r\n`);
}
