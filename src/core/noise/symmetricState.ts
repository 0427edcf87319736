// SymmetricState of Noise rev 34 §5.2 with SHA-256 as HASH (§12.5, HASHLEN = 32) and the HKDF of §4.3
// built on HMAC-SHA256. It owns a CipherState, the chaining key ck and the handshake hash h.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8Encode } from '../base/bytes';
import { CipherState } from './cipherState';

export const HASHLEN = 32;

/**
 * HKDF(chaining_key, input_key_material, num_outputs) of Noise rev 34 §4.3 (RFC 5869 with the chaining
 * key as salt, empty info, 2 or 3 outputs of HASHLEN).
 */
export function hkdf(chainingKey: Uint8Array, ikm: Uint8Array, outputs: 2 | 3): Uint8Array[] {
  const tempKey = hmac(sha256, chainingKey, ikm);
  const out1 = hmac(sha256, tempKey, Uint8Array.of(0x01));
  const out2 = hmac(sha256, tempKey, concatBytes(out1, Uint8Array.of(0x02)));
  const result = [out1, out2];
  if (outputs === 3) result.push(hmac(sha256, tempKey, concatBytes(out2, Uint8Array.of(0x03))));
  tempKey.fill(0);
  return result;
}

export class SymmetricState {
  readonly cipherState = new CipherState();
  private ck: Uint8Array;
  private h: Uint8Array;

  /**
   * InitializeSymmetric(protocol_name): h = protocol_name zero-padded to HASHLEN if it fits, else
   * HASH(protocol_name); ck = h; the cipher state has no key.
   */
  constructor(protocolName: string) {
    const name = utf8Encode(protocolName);
    if (name.length <= HASHLEN) {
      this.h = new Uint8Array(HASHLEN);
      this.h.set(name);
    } else {
      this.h = sha256(name);
    }
    this.ck = this.h.slice();
    this.cipherState.initializeKey(undefined);
  }

  /** MixKey(ikm): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k). */
  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = hkdf(this.ck, ikm, 2) as [Uint8Array, Uint8Array];
    this.ck.fill(0);
    this.ck = ck;
    this.cipherState.initializeKey(tempK);
    tempK.fill(0);
  }

  /** MixHash(data): h = HASH(h || data). */
  mixHash(data: Uint8Array): void {
    this.h = sha256.create().update(this.h).update(data).digest();
  }

  /** MixKeyAndHash(ikm): ck, temp_h, temp_k = HKDF(ck, ikm, 3); MixHash(temp_h); InitializeKey(temp_k). Used for psk (§9). */
  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, tempH, tempK] = hkdf(this.ck, ikm, 3) as [Uint8Array, Uint8Array, Uint8Array];
    this.ck.fill(0);
    this.ck = ck;
    this.mixHash(tempH);
    this.cipherState.initializeKey(tempK);
    tempK.fill(0);
  }

  /** GetHandshakeHash(): h (a copy). */
  getHandshakeHash(): Uint8Array {
    return this.h.slice();
  }

  /** EncryptAndHash(plaintext): ciphertext = EncryptWithAd(h, plaintext); MixHash(ciphertext). */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipherState.encryptWithAd(this.h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** DecryptAndHash(ciphertext): plaintext = DecryptWithAd(h, ciphertext); MixHash(ciphertext). */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.cipherState.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** Split(): temp_k1, temp_k2 = HKDF(ck, empty, 2); two cipher states keyed with them (initiator→responder first). */
  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf(this.ck, new Uint8Array(0), 2) as [Uint8Array, Uint8Array];
    const c1 = new CipherState();
    const c2 = new CipherState();
    c1.initializeKey(k1);
    c2.initializeKey(k2);
    k1.fill(0);
    k2.fill(0);
    return [c1, c2];
  }

  /** Zeroes ck and the cipher key; h stays (it is public once the handshake is over). */
  destroy(): void {
    this.ck.fill(0);
    this.cipherState.destroy();
  }
}
