// The DH functions of Noise rev 34 §4.1 for Curve25519 (X25519, RFC 7748): GENERATE_KEYPAIR, DH, DHLEN.
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { isBytes } from '../bytes';
import { NoiseError } from './noiseError';

/** DHLEN for 25519 (Noise rev 34 §12.1). */
export const DHLEN = 32;

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A key pair from a 32-byte X25519 secret (clamped by X25519 itself, RFC 7748 §5). Copies the secret. */
export function keyPairFromSecret(secret: Uint8Array): KeyPair {
  if (!isBytes(secret) || secret.length !== DHLEN) throw new NoiseError('NOISE_ERR_KEY', `secret key must be ${DHLEN} bytes`);
  const secretKey = secret.slice();
  try {
    return { publicKey: x25519.getPublicKey(secretKey), secretKey };
  } catch {
    secretKey.fill(0);
    throw new NoiseError('NOISE_ERR_KEY', 'invalid secret key');
  }
}

/** GENERATE_KEYPAIR(): a fresh key pair from the platform CSPRNG. */
export function generateKeyPair(): KeyPair {
  const secret = randomBytes(DHLEN);
  try {
    return keyPairFromSecret(secret);
  } finally {
    secret.fill(0);
  }
}

/**
 * DH(key_pair, public_key): X25519. Noise rev 34 §12.1 allows an all-zero output to go unchecked, but
 * we fail closed: a low-order public key (rejected by noble before the ladder, RFC 7748 §6.1) or an
 * all-zero shared secret means the peer contributed nothing, so the handshake must not go on.
 */
export function dh(keyPair: KeyPair, publicKey: Uint8Array): Uint8Array {
  if (!isBytes(publicKey) || publicKey.length !== DHLEN) throw new NoiseError('NOISE_ERR_KEY', `public key must be ${DHLEN} bytes`);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(keyPair.secretKey, publicKey);
  } catch {
    throw new NoiseError('NOISE_ERR_KEY', 'invalid (low-order) public key');
  }
  let acc = 0;
  for (const b of shared) acc |= b;
  if (acc === 0) throw new NoiseError('NOISE_ERR_KEY', 'all-zero shared secret');
  return shared;
}
