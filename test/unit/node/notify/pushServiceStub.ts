// A push service on 127.0.0.1 for tests and the bench: it checks every request the way a real one does
// (RFC 8292 VAPID JWT: ES256 over header.payload with the key in `k=`, `aud` = this origin, `exp` within
// 24 hours, `sub` present; RFC 8030 TTL/Urgency/Topic headers) and keeps the body, which the test decrypts
// as the browser would (RFC 8291 §3.4 key derivation, RFC 8188 aes128gcm record).
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PushRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The decoded, verified JWT claims; undefined when verification failed (then `problem` says why). */
  claims?: { aud: string; exp: number; sub: string };
  problem?: string;
  receivedAt: number;
}

export class PushServiceStub {
  readonly requests: PushRequest[] = [];
  /** The status to answer (per path; '*' for all). */
  readonly statusFor = new Map<string, number>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private waiters: Array<() => void> = [];

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  endpoint(id: string): string {
    return `${this.origin}/push/${id}`;
  }

  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(() => this.requests.length >= count && resolve()));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: PushRequest = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), receivedAt: performance.now() };
      try {
        request.claims = verifyVapid(String(req.headers.authorization ?? ''), this.origin);
      } catch (e) {
        request.problem = (e as Error).message;
      }
      this.requests.push(request);
      const status = this.statusFor.get(request.path) ?? this.statusFor.get('*') ?? (request.problem ? 403 : 201);
      res.writeHead(status).end();
      for (const w of this.waiters) w();
    });
  }
}

/** RFC 8292 §3: `Authorization: vapid t=<JWT>, k=<public key>`; returns the claims or throws why not. */
export function verifyVapid(header: string, origin: string, now = Date.now()): { aud: string; exp: number; sub: string } {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
  if (!m) throw new Error('no vapid Authorization header');
  const [signingInput, signature] = [m[1]!.split('.').slice(0, 2).join('.'), m[1]!.split('.')[2]!];
  const point = Buffer.from(m[2]!, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
  const header0 = JSON.parse(Buffer.from(m[1]!.split('.')[0]!, 'base64url').toString('utf8')) as { alg?: string; typ?: string };
  if (header0.alg !== 'ES256') throw new Error('alg is not ES256');
  const ok = crypto.verify('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('bad ES256 signature');
  const claims = JSON.parse(Buffer.from(m[1]!.split('.')[1]!, 'base64url').toString('utf8')) as { aud?: unknown; exp?: unknown; sub?: unknown };
  if (claims.aud !== origin) throw new Error('aud is not the push service origin');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now || claims.exp * 1000 > now + 24 * 3600_000) throw new Error('exp is not within 24 hours');
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) throw new Error('sub is missing');
  return { aud: claims.aud, exp: claims.exp, sub: claims.sub };
}

/** The vapid `k=` parameter of a request. */
export function vapidKeyOf(headers: http.IncomingHttpHeaders): string {
  return /k=([A-Za-z0-9_-]+)/.exec(String(headers.authorization ?? ''))?.[1] ?? '';
}

/** A browser's subscription keys: a P-256 key pair and a 16-byte auth secret (W3C Push API). */
export function makeSubscriber(): { ecdh: crypto.ECDH; p256dh: string; auth: string } {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') };
}

/**
 * Decrypts an `aes128gcm` Web Push body as the browser does. RFC 8188 §2.1 header: salt(16) rs(4) idlen(1)
 * keyid(idlen = the sender's ephemeral public key). RFC 8291 §3.3–3.4: IKM = HKDF(auth, ecdh_secret,
 * "WebPush: info\0" ‖ ua_public ‖ as_public, 32); CEK = HKDF(salt, IKM, "Content-Encoding: aes128gcm\0", 16);
 * NONCE = HKDF(salt, IKM, "Content-Encoding: nonce\0", 12). One record, ending with the 0x02 delimiter and
 * zero padding.
 */
export function decryptAes128gcm(body: Buffer, uaPrivate: Buffer, auth: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (idlen !== 65 || record.length > rs) throw new Error('not a single-record aes128gcm body');
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(uaPrivate);
  const secret = ecdh.computeSecret(asPublic);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), asPublic]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', secret, auth, info, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}
