// CipherState of Noise rev 34 §5.1 with the ChaChaPoly cipher functions of §12.3: a key k (or none) and
// a 64-bit nonce n. ENCRYPT/DECRYPT are ChaCha20-Poly1305 (RFC 8439) with a 96-bit nonce made of 32 zero
// bits followed by n as a little-endian 64-bit integer.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { NoiseError } from './noiseError';

/** Key length of the cipher (Noise rev 34 §5: 32 bytes). */
export const KEYLEN = 32;
/** AEAD tag length of ChaChaPoly. */
export const TAGLEN = 16;
/** 2^64-1: reserved, never used to encrypt a message (§5.1); REKEY uses it (§4.2). */
export const MAX_NONCE = 0xffff_ffff_ffff_ffffn;

const EMPTY = new Uint8Array(0);

/** The 96-bit ChaChaPoly nonce for counter `n` (Noise rev 34 §12.3). */
function chachaNonce(n: bigint): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, n, true);
  return nonce;
}

export class CipherState {
  private k: Uint8Array | undefined;
  private n = 0n;

  /** InitializeKey(key): sets k (copied) and resets n to zero. `undefined` means "empty". */
  initializeKey(key: Uint8Array | undefined): void {
    if (key !== undefined && key.length !== KEYLEN) throw new NoiseError('NOISE_ERR_KEY', `cipher key must be ${KEYLEN} bytes`);
    this.k?.fill(0);
    this.k = key?.slice();
    this.n = 0n;
  }

  hasKey(): boolean {
    return this.k !== undefined;
  }

  /** SetNonce(nonce): for out-of-order transports (§5.1); Walkie's channel never calls it outside tests. */
  setNonce(nonce: bigint): void {
    if (nonce < 0n || nonce > MAX_NONCE) throw new NoiseError('NOISE_ERR_STATE', 'nonce out of range');
    this.n = nonce;
  }

  /** The nonce the next encrypt/decrypt will use. */
  get nonce(): bigint {
    return this.n;
  }

  /** EncryptWithAd(ad, plaintext): ENCRYPT(k, n++, ad, plaintext), or the plaintext itself without a key. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.k) return plaintext.slice();
    if (this.n === MAX_NONCE) throw new NoiseError('NOISE_ERR_NONCE_EXHAUSTED', 'nonce exhausted: rehandshake');
    const out = chacha20poly1305(this.k, chachaNonce(this.n), ad).encrypt(plaintext);
    this.n++;
    return out;
  }

  /**
   * DecryptWithAd(ad, ciphertext): DECRYPT(k, n++, ad, ciphertext). On authentication failure n is not
   * incremented (§5.1) and NOISE_ERR_DECRYPT is thrown; the caller must treat its session as dead.
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (!this.k) return ciphertext.slice();
    if (this.n === MAX_NONCE) throw new NoiseError('NOISE_ERR_NONCE_EXHAUSTED', 'nonce exhausted: rehandshake');
    if (ciphertext.length < TAGLEN) throw new NoiseError('NOISE_ERR_DECRYPT', 'ciphertext shorter than its tag');
    let out: Uint8Array;
    try {
      out = chacha20poly1305(this.k, chachaNonce(this.n), ad).decrypt(ciphertext);
    } catch {
      throw new NoiseError('NOISE_ERR_DECRYPT', 'authentication failed');
    }
    this.n++;
    return out;
  }

  /**
   * Rekey(): k = REKEY(k), the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes) (§4.2, §11.3).
   * The nonce is not reset.
   */
  rekey(): void {
    if (!this.k) throw new NoiseError('NOISE_ERR_STATE', 'rekey without a key');
    const next = chacha20poly1305(this.k, chachaNonce(MAX_NONCE), EMPTY).encrypt(new Uint8Array(KEYLEN));
    this.k.fill(0);
    this.k = next.slice(0, KEYLEN);
    next.fill(0);
  }

  /** Zeroes the key and forgets it. */
  destroy(): void {
    this.k?.fill(0);
    this.k = undefined;
  }
}
