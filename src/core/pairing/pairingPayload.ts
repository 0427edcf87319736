// The pairing offer carried by the QR code: a URL `<web-ui-origin>/#<payload>` whose fragment holds
// base64url(compact JSON) {"v":1,"h":hostId,"k":hostStaticPub,"p":psk,"x":expiresAtSeconds,"r"?:relayWsUrl}
// (docs/protocol.md §Pairing URL). The fragment is never sent to any server by a browser (RFC 3986 §3.5),
// so the one-time psk reaches only the phone that scanned the code. `r` is present only when the relay is
// not at the page origin. Parsing is strict and names what is wrong (PAIRING_ERR_*), never the values.
import * as z from 'zod';
import { base64urlToBytes, bytesToBase64url, utf8Decode, utf8Encode } from '../base/bytes';
import { HOST_ID_PATTERN } from '../wire/relayAuth';

export const PAIRING_VERSION = 1;
export const KEY_LENGTH = 32;
/** A QR code stays scannable well below this; anything longer is junk. */
const MAX_URL_LENGTH = 2048;

export interface PairingOffer {
  hostId: string;
  /** The host's static X25519 key (the Noise responder's `s`). */
  hostPublicKey: Uint8Array;
  /** The one-time 32-byte pre-shared key of this offer. */
  psk: Uint8Array;
  /** Milliseconds since the epoch (whole seconds on the wire). */
  expiresAt: number;
  /** ws:// or wss:// base URL of the relay; devices connect to `<relayUrl>/v1/device/<hostId>`. */
  relayUrl: string;
}

export type PairingErrorCode =
  /** Not an http(s) URL with a fragment, or too long. */
  | 'PAIRING_ERR_URL'
  /** The fragment is not base64url of UTF-8 JSON. */
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
 * when it differs from the one the app's origin implies.
 */
export function encodePairingUrl(appUrl: string, offer: PairingOffer): string {
  const m = APP_URL.exec(trimSlash(appUrl));
  if (!m) throw new PairingError('PAIRING_ERR_URL', 'the app URL must be http(s)://host[:port][/path]');
  const base = trimSlash(appUrl);
  const sameRelay = relayUrlForOrigin(m[1]!) === trimSlash(offer.relayUrl);
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
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(base64urlToBytes(url.slice(hash + 1))));
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
