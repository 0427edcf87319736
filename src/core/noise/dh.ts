// The DH functions of Noise rev 34 §4.1 for Curve25519 (X25519, RFC 7748): GENERATE_KEYPAIR, DH, DHLEN.
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { isBytes } from '../base/bytes';
import { NoiseError } from './noiseError';

/** DHLEN for 25519 (Noise rev 34 §12.1). */
export const DHLEN = 32;

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * The raw X25519 function (RFC 7748 §5), behind an interface so that a platform can supply a faster one:
 * the host uses Node's native crypto (src/node/host/nativeX25519.ts, ~20× faster here), the phone uses noble.
 * Validation (lengths, low-order keys, all-zero output) stays in this file whatever the implementation.
 */
export interface X25519 {
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** A fresh key pair, where the implementation has a faster way than getPublicKey(random). */
  generateKeyPair?(): KeyPair;
}

/** The portable default: @noble/curves. */
export const nobleX25519: X25519 = x25519;

/** A key pair from a 32-byte X25519 secret (clamped by X25519 itself, RFC 7748 §5). Copies the secret. */
export function keyPairFromSecret(secret: Uint8Array, impl: X25519 = nobleX25519): KeyPair {
  if (!isBytes(secret) || secret.length !== DHLEN) throw new NoiseError('NOISE_ERR_KEY', `secret key must be ${DHLEN} bytes`);
  const secretKey = secret.slice();
  try {
    return { publicKey: impl.getPublicKey(secretKey), secretKey };
  } catch {
    secretKey.fill(0);
    throw new NoiseError('NOISE_ERR_KEY', 'invalid secret key');
  }
}

/** GENERATE_KEYPAIR(): a fresh key pair from the platform CSPRNG. */
export function generateKeyPair(impl: X25519 = nobleX25519): KeyPair {
  if (impl.generateKeyPair) return impl.generateKeyPair();
  const secret = randomBytes(DHLEN);
  try {
    return keyPairFromSecret(secret, impl);
  } finally {
    secret.fill(0);
  }
}

/**
 * DH(key_pair, public_key): X25519. Noise rev 34 §12.1 allows an all-zero output to go unchecked, but
 * we fail closed: a low-order public key (rejected by noble before the ladder, RFC 7748 §6.1) or an
 * all-zero shared secret means the peer contributed nothing, so the handshake must not go on.
 */
export function dh(keyPair: KeyPair, publicKey: Uint8Array, impl: X25519 = nobleX25519): Uint8Array {
  if (!isBytes(publicKey) || publicKey.length !== DHLEN) throw new NoiseError('NOISE_ERR_KEY', `public key must be ${DHLEN} bytes`);
  let shared: Uint8Array;
  try {
    shared = impl.getSharedSecret(keyPair.secretKey, publicKey);
  } catch {
    throw new NoiseError('NOISE_ERR_KEY', 'invalid (low-order) public key');
  }
  return checkShared(shared);
}

/** A shared secret, whoever computed it, must be 32 bytes and not all zero (see dh above). */
export function checkShared(shared: Uint8Array): Uint8Array {
  if (!isBytes(shared) || shared.length !== DHLEN) throw new NoiseError('NOISE_ERR_KEY', `shared secret must be ${DHLEN} bytes`);
  let acc = 0;
  for (const b of shared) acc |= b;
  if (acc === 0) throw new NoiseError('NOISE_ERR_KEY', 'all-zero shared secret');
  return shared;
}
