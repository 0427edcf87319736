// The pairing offer carried by the QR code: a URL `<web-ui-origin>/#<payload>` (docs/protocol.md §Pairing
// URL). Two payload formats, both parsed:
//  - format 2 (written by default): base32 of the bytes 0x02 ‖ hostId(32) ‖ hostStaticPub(32) ‖
//    pskSeed(16) ‖ expiresAtSeconds(u32 BE) ‖ [relayWsUrl UTF-8]. Base32 is inside the QR alphanumeric
//    mode, so the code of a LAN or tunnel link is version 6 (41×41 modules: 23 lines of half blocks), which
//    fits an 80×24 terminal; format 1 needed version 10 (31 lines);
//  - format 1: base64url(compact JSON) {"v":1,"h":hostId,"k":hostStaticPub,"p":psk,"x":expiresAtSeconds,
//    "r"?:relayWsUrl}, still written for offers without a seed and read from older hosts' links.
// The fragment is never sent to any server by a browser (RFC 3986 §3.5), so the one-time secret reaches
// only the phone that scanned the code. The relay URL is present only when it is not the page origin's.
// Parsing is strict and names what is wrong (PAIRING_ERR_*), never the values.
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as z from 'zod';
import { base32ToBytes, base64urlToBytes, bytesToBase32, bytesToBase64url, equalBytes, utf8Decode, utf8Encode } from '../base/bytes';
import { HOST_ID_PATTERN } from '../wire/relayAuth';

export const PAIRING_VERSION = 1;
/** The compact binary format (base32 fragment). */
export const PAIRING_VERSION_COMPACT = 2;
export const KEY_LENGTH = 32;
export const PSK_SEED_LENGTH = 16;
const PSK_INFO = utf8Encode('walkie pairing psk v2');

/**
 * The 32-byte Noise psk of a format-2 offer, from its 16-byte seed (HKDF-SHA-256, RFC 5869).
 * Security decision: the QR code carries 128 secret bits instead of 256 so that it fits a terminal. The
 * psk only binds the first handshake to whoever saw the code; 2^128 is far beyond online guessing (an offer
 * is single use, lives 5 minutes and the host refuses pairing after 5 failures a minute) and beyond offline
 * search too (message 1 of IKpsk2 also needs the host's static DH). HKDF keeps the psk uniformly random and
 * 32 bytes, as Noise requires.
 */
export function derivePairingPsk(seed: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== PSK_SEED_LENGTH) throw new RangeError(`the psk seed must be ${PSK_SEED_LENGTH} bytes`);
  return hkdf(sha256, seed, undefined, PSK_INFO, KEY_LENGTH);
}
/** A QR code stays scannable well below this; anything longer is junk. */
const MAX_URL_LENGTH = 2048;

export interface PairingOffer {
  hostId: string;
  /** The host's static X25519 key (the Noise responder's `s`). */
  hostPublicKey: Uint8Array;
  /** The one-time 32-byte pre-shared key of this offer. */
  psk: Uint8Array;
  /** The 16 bytes the psk is derived from (derivePairingPsk): present on offers that can be written in
   *  the compact format 2; absent on offers read from a format-1 link. */
  pskSeed?: Uint8Array;
  /** Milliseconds since the epoch (whole seconds on the wire). */
  expiresAt: number;
  /** ws:// or wss:// base URL of the relay; devices connect to `<relayUrl>/v1/device/<hostId>`. */
  relayUrl: string;
}

export type PairingErrorCode =
  /** Not an http(s) URL with a fragment, or too long. */
  | 'PAIRING_ERR_URL'
  /** The fragment is neither base32 of a compact payload nor base64url of UTF-8 JSON. */
  | 'PAIRING_ERR_ENCODING'
  /** A pairing version this build does not speak. */
  | 'PAIRING_ERR_VERSION'
  /** A field is missing, malformed, or of the wrong length. */
  | 'PAIRING_ERR_FIELDS'
  /** The offer has expired. */
  | 'PAIRING_ERR_EXPIRED';

export class PairingError extends Error {
  override readonly name = 'PairingError';
  constructor(
    readonly code: PairingErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const B64Key = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const WsUrl = z.string().max(512).regex(/^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/);

const PayloadSchema = z.strictObject({
  v: z.literal(PAIRING_VERSION),
  h: z.string().regex(HOST_ID_PATTERN),
  k: B64Key,
  p: B64Key,
  x: z.number().int().positive().max(2 ** 40),
  r: WsUrl.optional(),
});

const ORIGIN = /^(https?):\/\/([^\s/?#@]+)$/;

/** The relay URL a page at `origin` talks to when the offer names none: same host, ws(s) scheme. */
export function relayUrlForOrigin(origin: string): string {
  const m = ORIGIN.exec(trimSlash(origin));
  if (!m) throw new PairingError('PAIRING_ERR_URL', 'origin must be http(s)://host[:port]');
  return `${m[1] === 'https' ? 'wss' : 'ws'}://${m[2]}`;
}

const APP_URL = /^(https?:\/\/[^\s/?#@]+)(\/[^\s?#]*)?$/;

/**
 * `<app URL>/#<payload>`. The app URL is where the phone opens the web app: the relay's origin, or a site
 * the user trusts to serve it (then the relay only forwards ciphertext). The relay URL is included only
 * when it differs from the one the app's origin implies. Format 2 (compact) when the offer has a psk seed,
 * unless `format: 1` is asked for.
 */
export function encodePairingUrl(appUrl: string, offer: PairingOffer, options: { format?: 1 | 2 } = {}): string {
  const m = APP_URL.exec(trimSlash(appUrl));
  if (!m) throw new PairingError('PAIRING_ERR_URL', 'the app URL must be http(s)://host[:port][/path]');
  const base = trimSlash(appUrl);
  const sameRelay = relayUrlForOrigin(m[1]!) === trimSlash(offer.relayUrl);
  const format = options.format ?? (offer.pskSeed ? PAIRING_VERSION_COMPACT : PAIRING_VERSION);
  if (format === PAIRING_VERSION_COMPACT) return `${base}/#${encodeCompact(offer, sameRelay)}`;
  const payload = {
    v: PAIRING_VERSION,
    h: offer.hostId,
    k: bytesToBase64url(offer.hostPublicKey),
    p: bytesToBase64url(offer.psk),
    x: Math.floor(offer.expiresAt / 1000),
    ...(sameRelay ? {} : { r: trimSlash(offer.relayUrl) }),
  };
  // Validate what we write, so a bad host id or key fails here rather than on the phone.
  const checked = PayloadSchema.safeParse(payload);
  if (!checked.success) throw new PairingError('PAIRING_ERR_FIELDS', describe(checked.error));
  return `${base}/#${bytesToBase64url(utf8Encode(JSON.stringify(payload)))}`;
}

/** Fixed part of a format-2 payload: version, host id, host key, psk seed, expiry. */
const COMPACT_FIXED = 1 + 32 + KEY_LENGTH + PSK_SEED_LENGTH + 4;

function encodeCompact(offer: PairingOffer, sameRelay: boolean): string {
  const fail = (what: string) => new PairingError('PAIRING_ERR_FIELDS', what);
  if (!HOST_ID_PATTERN.test(offer.hostId)) throw fail('h: invalid_string');
  if (!(offer.hostPublicKey instanceof Uint8Array) || offer.hostPublicKey.length !== KEY_LENGTH) throw fail('k: invalid length');
  if (!offer.pskSeed || offer.pskSeed.length !== PSK_SEED_LENGTH) throw fail('pskSeed: invalid length');
  // The link must open the same channel the host will accept: its psk has to come from this seed.
  if (!equalBytes(derivePairingPsk(offer.pskSeed), offer.psk)) throw fail('p: not derived from pskSeed');
  const seconds = Math.floor(offer.expiresAt / 1000);
  if (!Number.isInteger(seconds) || seconds <= 0 || seconds > 0xffffffff) throw fail('x: out of range');
  const relay = sameRelay ? new Uint8Array(0) : utf8Encode(trimSlash(offer.relayUrl));
  if (relay.length && !WsUrl.safeParse(trimSlash(offer.relayUrl)).success) throw fail('r: invalid_string');
  const out = new Uint8Array(COMPACT_FIXED + relay.length);
  out[0] = PAIRING_VERSION_COMPACT;
  out.set(base64urlToBytes(offer.hostId), 1);
  out.set(offer.hostPublicKey, 33);
  out.set(offer.pskSeed, 65);
  new DataView(out.buffer).setUint32(81, seconds);
  out.set(relay, COMPACT_FIXED);
  return bytesToBase32(out);
}

/** A format-2 payload (the fragment is all base32 capitals, which no format-1 payload can be). */
function decodeCompact(fragment: string, origin: string): PairingOffer {
  let bytes: Uint8Array;
  try {
    bytes = base32ToBytes(fragment);
  } catch {
    throw new PairingError('PAIRING_ERR_ENCODING', 'the fragment is not base32');
  }
  if (bytes[0] !== PAIRING_VERSION_COMPACT) throw new PairingError('PAIRING_ERR_VERSION', 'unsupported pairing version');
  if (bytes.length < COMPACT_FIXED) throw new PairingError('PAIRING_ERR_FIELDS', 'the payload is too short');
  const seconds = new DataView(bytes.buffer, bytes.byteOffset).getUint32(81);
  if (seconds === 0) throw new PairingError('PAIRING_ERR_FIELDS', 'x: out of range');
  let relayUrl = relayUrlForOrigin(origin);
  if (bytes.length > COMPACT_FIXED) {
    let r: string;
    try {
      r = utf8Decode(bytes.subarray(COMPACT_FIXED));
    } catch {
      throw new PairingError('PAIRING_ERR_FIELDS', 'r: not UTF-8');
    }
    if (!WsUrl.safeParse(r).success) throw new PairingError('PAIRING_ERR_FIELDS', 'r: invalid_string');
    relayUrl = r;
  }
  const pskSeed = bytes.slice(65, 81);
  return {
    hostId: bytesToBase64url(bytes.subarray(1, 33)),
    hostPublicKey: bytes.slice(33, 65),
    psk: derivePairingPsk(pskSeed),
    pskSeed,
    expiresAt: seconds * 1000,
    relayUrl,
  };
}

/**
 * Parses a scanned or pasted pairing URL. With `now` (ms), an expired offer is refused too.
 * @throws PairingError naming what is wrong.
 */
export function parsePairingUrl(url: string, now?: number): PairingOffer {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) throw new PairingError('PAIRING_ERR_URL', 'not a pairing URL');
  const hash = url.indexOf('#');
  if (hash < 0) throw new PairingError('PAIRING_ERR_URL', 'the URL has no #fragment');
  const beforeHash = url.slice(0, hash);
  const m = /^(https?:\/\/[^\s/?#@]+)(\/[^\s#]*)?$/.exec(beforeHash);
  if (!m) throw new PairingError('PAIRING_ERR_URL', 'not an http(s) URL');
  const fragment = url.slice(hash + 1);
  if (/^[A-Z2-7]+$/.test(fragment)) {
    const offer = decodeCompact(fragment, m[1]!);
    if (now !== undefined && now >= offer.expiresAt) throw new PairingError('PAIRING_ERR_EXPIRED', 'this pairing code has expired: show a new one');
    return offer;
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(base64urlToBytes(fragment)));
  } catch {
    throw new PairingError('PAIRING_ERR_ENCODING', 'the fragment is not base64url JSON');
  }
  if (typeof json === 'object' && json !== null && 'v' in json && (json as { v: unknown }).v !== PAIRING_VERSION) {
    throw new PairingError('PAIRING_ERR_VERSION', 'unsupported pairing version');
  }
  const r = PayloadSchema.safeParse(json);
  if (!r.success) throw new PairingError('PAIRING_ERR_FIELDS', describe(r.error));
  const p = r.data;
  let hostPublicKey: Uint8Array;
  let psk: Uint8Array;
  try {
    hostPublicKey = base64urlToBytes(p.k);
    psk = base64urlToBytes(p.p);
  } catch {
    throw new PairingError('PAIRING_ERR_FIELDS', 'k or p is not canonical base64url');
  }
  const offer: PairingOffer = { hostId: p.h, hostPublicKey, psk, expiresAt: p.x * 1000, relayUrl: p.r ?? relayUrlForOrigin(m[1]!) };
  if (now !== undefined && now >= offer.expiresAt) throw new PairingError('PAIRING_ERR_EXPIRED', 'this pairing code has expired: show a new one');
  return offer;
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/** Field paths and issue codes only: never the (secret) values. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
    .join('; ');
}
