// The one error type of the Noise layer. Every failure inside a handshake or a cipher state — a bad MAC,
// a malformed message, a low-order key, a call out of order — surfaces as a NoiseError with a fixed code,
// so callers branch on `code` and never on messages, and nothing from the peer leaks into a message.

export type NoiseErrorCode =
  /** An AEAD tag did not verify: wrong key, wrong psk, tampered or out-of-order message. */
  | 'NOISE_ERR_DECRYPT'
  /** A call out of order (wrong turn, after completion, after an earlier failure, after destroy). */
  | 'NOISE_ERR_STATE'
  /** A message too long (over 65535 bytes, Noise rev 34 §3) or too short to hold what the pattern expects. */
  | 'NOISE_ERR_LENGTH'
  /** The 64-bit nonce reached 2^64-1, which is reserved (Noise rev 34 §5.1). */
  | 'NOISE_ERR_NONCE_EXHAUSTED'
  /** A key is missing, malformed, or yields an all-zero / low-order Diffie-Hellman result. */
  | 'NOISE_ERR_KEY';

export class NoiseError extends Error {
  override readonly name = 'NoiseError';

  constructor(
    readonly code: NoiseErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
