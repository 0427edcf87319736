// The HTTP endpoint agents call their hooks on: 127.0.0.1 only, one unguessable path per session
// (`/hook/<secret>`, 256 bits from crypto randomness, compared in constant time), POST + JSON only, with a
// body cap. It is transport only: each route's handler parses the body and decides. A handler's answer is
// held until it settles; if the agent hangs up first (Esc kills a waiting hook) the handler's AbortSignal
// fires so the pending approval can be cancelled. Anything unexpected gets an HTTP error, which an
// `onFailure: "block"` gate entry turns into a blocked tool (fail closed).
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Disposable } from '../../core/base/dispose';
import { nullLogger, type Logger } from '../../core/base/logger';
import { errorName } from '../../core/base/errorName';

/** Returns the JSON answer, or undefined to answer HTTP 400 (the agent treats that as a failed hook). */
export type HookHandler = (body: unknown, signal: AbortSignal) => Promise<unknown> | unknown;

export interface HookRoute extends Disposable {
  /** http://127.0.0.1:PORT/hook/SECRET. Holds the secret: never log it. */
  readonly url: string;
}

export interface HookServerOptions {
  readonly logger?: Logger;
  /** Largest accepted body (a Write's hook input carries the whole proposed file). Default 8 MiB. */
  readonly maxBodyBytes?: number;
  /** How long a request may take to send its body. Default 10 s. */
  readonly bodyTimeoutMs?: number;
}

interface Route {
  readonly digest: Buffer;
  readonly handler: HookHandler;
}

const PATH_PREFIX = '/hook/';

export class HookServer implements Disposable {
  private readonly routes = new Set<Route>();
  private readonly logger: Logger;
  private readonly maxBodyBytes: number;
  private readonly bodyTimeoutMs: number;
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    options: HookServerOptions,
  ) {
    this.logger = options.logger ?? nullLogger;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
    server.on('request', (req, res) => this.onRequest(req, res));
  }

  /** Listens on 127.0.0.1 on a free port. */
  static async listen(options: HookServerOptions = {}): Promise<HookServer> {
    const server = http.createServer();
    // A held gate request may wait as long as an approval: no server-side request timeout.
    server.requestTimeout = 0;
    server.headersTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new HookServer(server, options);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Adds a route with a fresh secret. Dispose it to make the URL answer 404 again. */
  addRoute(handler: HookHandler): HookRoute {
    const secret = crypto.randomBytes(32).toString('base64url');
    const route: Route = { digest: digest(secret), handler };
    this.routes.add(route);
    return { url: `http://127.0.0.1:${this.port}${PATH_PREFIX}${secret}`, dispose: () => this.routes.delete(route) };
  }

  /** Stops listening and drops every open connection (held hooks see a failure and block). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.routes.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  dispose(): void {
    void this.close();
  }

  private findRoute(url: string | undefined): Route | undefined {
    if (!url || !url.startsWith(PATH_PREFIX)) return undefined;
    const d = digest(url.slice(PATH_PREFIX.length));
    let found: Route | undefined;
    // Security: compare fixed-length digests in constant time, and visit every route either way.
    for (const r of this.routes) if (crypto.timingSafeEqual(r.digest, d)) found = r;
    return found;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const route = this.findRoute(req.url);
    if (!route) return reply(res, 404);
    if (req.method !== 'POST') return reply(res, 405);
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return reply(res, 415);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBodyBytes) return reply(res, 413, true);

    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const bodyTimer = setTimeout(() => finish(408), this.bodyTimeoutMs);
    const finish = (status: number) => {
      if (done) return;
      done = true;
      clearTimeout(bodyTimer);
      reply(res, status, true);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > this.maxBodyBytes) return finish(413);
      chunks.push(c);
    });
    req.on('error', () => finish(400));
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(bodyTimer);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        this.logger.warn('hook: dropped a body that is not JSON');
        return reply(res, 400);
      }
      this.dispatch(route, body, res);
    });
  }

  private dispatch(route: Route, body: unknown, res: http.ServerResponse): void {
    const abort = new AbortController();
    // The agent hung up before the answer (Esc, its hook timeout): tell the handler.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    Promise.resolve()
      .then(() => route.handler(body, abort.signal))
      .then(
        (answer) => {
          if (res.writableEnded || res.destroyed) return;
          if (answer === undefined) return reply(res, 400);
          const text = JSON.stringify(answer);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        },
        (e: unknown) => {
          this.logger.error(`hook: handler failed: ${errorName(e)}`);
          if (!res.writableEnded && !res.destroyed) reply(res, 500);
        },
      );
  }
}

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s, 'utf8').digest();
}

function reply(res: http.ServerResponse, status: number, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 0, ...(close ? { connection: 'close' } : {}) });
  res.end();
}
