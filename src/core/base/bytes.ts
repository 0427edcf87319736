// Byte helpers shared by every layer: labelled assertions in the noble style (a TypeError for the wrong
// type, a RangeError for the wrong length, both naming the argument), constant-time comparison, hex,
// base64url (RFC 4648 §5, unpadded, strict), UTF-8 and zeroization. Pure TypeScript: no Node, no DOM.
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** True when `value` is a Uint8Array (including Node Buffers, which are subclasses). */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array');
}

const label = (title: string): string => (title ? `"${title}" ` : '');

/**
 * Asserts that `value` is a Uint8Array (of exactly `length` bytes when given) and returns it.
 * @throws TypeError when it is not a Uint8Array, RangeError when its length is wrong.
 */
export function abytes(value: unknown, length?: number, title = ''): Uint8Array {
  if (isBytes(value) && (length === undefined || value.length === length)) return value;
  const ofLength = length === undefined ? '' : ` of length ${length}`;
  if (!isBytes(value)) throw new TypeError(`${label(title)}expected Uint8Array${ofLength}, got type=${typeof value}`);
  throw new RangeError(`${label(title)}expected Uint8Array${ofLength}, got length=${value.length}`);
}

/**
 * Compares two byte arrays in time that depends only on their lengths, never on where they differ
 * (a MAC or key comparison must not leak the position of the first mismatching byte).
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  abytes(a, undefined, 'a');
  abytes(b, undefined, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Concatenates byte arrays into a fresh one. */
export function concatBytes(...arrays: Uint8Array[]): Uint8Array {
  let total = 0;
  arrays.forEach((a, i) => (total += abytes(a, undefined, `arrays[${i}]`).length));
  const out = new Uint8Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** Overwrites every given array with zeros (best effort: JS engines may have made copies). */
export function zeroize(...arrays: (Uint8Array | undefined)[]): void {
  for (const a of arrays) a?.fill(0);
}

const HEX = '0123456789abcdef';

/** Lower-case hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Decodes hex (either case, no prefix, no whitespace).
 * @throws TypeError when `hex` is not a string, RangeError on odd length or a non-hex character.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError(`"hex" expected string, got type=${typeof hex}`);
  if (hex.length % 2 !== 0) throw new RangeError(`"hex" expected an even number of characters, got ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new RangeError(`"hex" has a non-hex character near index ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

// RFC 4648 §5: the URL- and filename-safe alphabet. Walkie always writes it unpadded.
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_VALUE[B64URL.charCodeAt(i)] = i;

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function bytesToBase64url(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes unpadded base64url, strictly: only the RFC 4648 §5 alphabet, no padding, no whitespace, no
 * impossible length, and no non-zero leftover bits (so every byte string has exactly one encoding — a
 * key or token cannot be smuggled in two spellings).
 * @throws TypeError when `text` is not a string, RangeError on anything that is not canonical base64url.
 */
export function base64urlToBytes(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"base64url" expected string, got type=${typeof text}`);
  if (text.length % 4 === 1) throw new RangeError(`"base64url" has an impossible length ${text.length}`);
  const values = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? B64URL_VALUE[code]! : -1;
    if (v < 0) throw new RangeError(`"base64url" has an invalid character at index ${i}`);
    values[i] = v;
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < values.length; i += 4) {
    const n = (values[i]! << 18) | (values[i + 1]! << 12) | (values[i + 2]! << 6) | values[i + 3]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = values.length - i;
  if (rest === 2) {
    if (values[i + 1]! & 15) throw new RangeError('"base64url" is not canonical (non-zero trailing bits)');
    out[o++] = (values[i]! << 2) | (values[i + 1]! >> 4);
  } else if (rest === 3) {
    if (values[i + 2]! & 3) throw new RangeError('"base64url" is not canonical (non-zero trailing bits)');
    const n = (values[i]! << 18) | (values[i + 1]! << 12) | (values[i + 2]! << 6);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
  }
  return out;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B32_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B32.length; i++) B32_VALUE[B32.charCodeAt(i)] = i;

/**
 * Unpadded base32 (RFC 4648 §6, upper case) of `bytes`. Its alphabet is inside a QR code's alphanumeric
 * mode (5.5 bits per character instead of byte mode's 8), which is why pairing links use it.
 */
export function bytesToBase32(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31]!;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31]!;
  return out;
}

/**
 * Decodes unpadded upper-case base32, strictly: only the RFC 4648 §6 alphabet, no padding, no impossible
 * length (1, 3 or 6 characters past a multiple of 8) and no non-zero leftover bits, so every byte string has
 * exactly one encoding.
 * @throws TypeError when `text` is not a string, RangeError on anything that is not canonical base32.
 */
export function base32ToBytes(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"base32" expected string, got type=${typeof text}`);
  const rest = text.length % 8;
  if (rest === 1 || rest === 3 || rest === 6) throw new RangeError(`"base32" has an impossible length ${text.length}`);
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? B32_VALUE[code]! : -1;
    if (v < 0) throw new RangeError(`"base32" has an invalid character at index ${i}`);
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  if (acc & ((1 << bits) - 1)) throw new RangeError('"base32" is not canonical (non-zero trailing bits)');
  return out;
}

/** UTF-8 bytes of `text`. */
export function utf8Encode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got type=${typeof text}`);
  return utf8ToBytes(text);
}

// TextDecoder exists in every runtime Walkie targets (Node, browsers, the extension host), but core's
// ES2022 lib does not declare it: describe just what is used.
type FatalDecoder = { decode(bytes: Uint8Array): string };
type DecoderConstructor = new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => FatalDecoder;
let decoder: FatalDecoder | undefined;

/**
 * Decodes UTF-8 strictly: malformed input is an error, never silently replaced with U+FFFD; a leading
 * byte-order mark is kept, so decoding is the exact inverse of utf8Encode.
 * @throws TypeError when `bytes` is not a Uint8Array or is not valid UTF-8.
 */
export function utf8Decode(bytes: Uint8Array): string {
  abytes(bytes, undefined, 'bytes');
  decoder ??= new (globalThis as unknown as { TextDecoder: DecoderConstructor }).TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return decoder.decode(bytes);
}
