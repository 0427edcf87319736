// The encrypted transport after a Noise handshake: one WebSocket binary message carries exactly one Noise
// transport message (Noise rev 34 §5, §11.4: ciphertext = ENCRYPT(k, n, empty ad, plaintext)). Nonces are
// implicit counters, so a dropped, replayed, reordered, truncated or tampered frame fails authentication;
// the first failure kills the channel for good (a peer must reconnect and re-handshake). Each direction
// rekeys deterministically every REKEY_INTERVAL messages (§11.3), with no signalling.
import { isBytes } from '../base/bytes';
import { CloseCode } from '../wire/closeCodes';
import type { CipherState } from '../noise/cipherState';
import type { HandshakeState } from '../noise/handshakeState';
import { NoiseError } from '../noise/noiseError';

/** One Noise transport message (§3: at most 65535 bytes). */
export const MAX_FRAME = 65535;
/** The largest plaintext that fits in one frame (the frame carries a 16-byte Poly1305 tag). */
export const MAX_PLAINTEXT = MAX_FRAME - 16;
/** Messages per direction between deterministic rekeys (§11.3). */
export const REKEY_INTERVAL = 65536;

const EMPTY = new Uint8Array(0);

export type ChannelErrorCode = 'CHANNEL_ERR_DECRYPT' | 'CHANNEL_ERR_TOO_LARGE' | 'CHANNEL_ERR_CLOSED' | 'CHANNEL_ERR_NONCE_EXHAUSTED';

export class ChannelError extends Error {
  override readonly name = 'ChannelError';

  constructor(
    readonly code: ChannelErrorCode,
    /** The WebSocket close code the caller should close the socket with. */
    readonly closeCode: number,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface SecureChannelOptions {
  /** Messages per direction between rekeys; both peers must agree. Default REKEY_INTERVAL. */
  rekeyInterval?: number;
}

export class SecureChannel {
  /** The Noise handshake hash (§11.2): identical on both sides, usable for channel binding. */
  readonly handshakeHash: Uint8Array;
  private readonly rekeyInterval: number;
  private sent = 0;
  private received = 0;
  /** Set once the channel is closed or dead; later calls report it with this close code. */
  private deadCode: number | undefined;

  private constructor(
    private readonly send: CipherState,
    private readonly recv: CipherState,
    handshakeHash: Uint8Array,
    opts: SecureChannelOptions,
  ) {
    const interval = opts.rekeyInterval ?? REKEY_INTERVAL;
    if (!Number.isSafeInteger(interval) || interval < 1) throw new RangeError('"rekeyInterval" must be a positive integer');
    this.rekeyInterval = interval;
    this.handshakeHash = handshakeHash.slice();
  }

  /** The transport of a completed handshake (splits it, which zeroes its chaining key and ephemeral). */
  static fromHandshake(hs: HandshakeState, opts: SecureChannelOptions = {}): SecureChannel {
    if (!hs.isComplete) throw new NoiseError('NOISE_ERR_STATE', 'handshake is not complete');
    const hash = hs.handshakeHash;
    const { send, recv } = hs.split();
    return new SecureChannel(send, recv, hash, opts);
  }

  /** A channel over already split cipher states (for tests that need to place the nonce). */
  static fromCipherStates(send: CipherState, recv: CipherState, handshakeHash: Uint8Array, opts: SecureChannelOptions = {}): SecureChannel {
    return new SecureChannel(send, recv, handshakeHash, opts);
  }

  get closed(): boolean {
    return this.deadCode !== undefined;
  }

  /**
   * Encrypts one message into one frame. A plaintext over MAX_PLAINTEXT is refused without touching the
   * channel (nothing was encrypted, so the caller may split it and go on).
   */
  encrypt(plaintext: Uint8Array): Uint8Array {
    this.assertOpen();
    if (!isBytes(plaintext)) throw new TypeError('"plaintext" expected Uint8Array');
    if (plaintext.length > MAX_PLAINTEXT) throw new ChannelError('CHANNEL_ERR_TOO_LARGE', CloseCode.tooLarge, `plaintext over ${MAX_PLAINTEXT} bytes`);
    let frame: Uint8Array;
    try {
      frame = this.send.encryptWithAd(EMPTY, plaintext);
    } catch (e) {
      throw this.die(e);
    }
    if (++this.sent % this.rekeyInterval === 0) this.send.rekey();
    return frame;
  }

  /**
   * Decrypts one frame. Anything but the next authentic frame from the peer — tampered, replayed,
   * reordered, truncated, oversized, not bytes at all — throws a ChannelError and kills the channel.
   */
  decrypt(frame: Uint8Array): Uint8Array {
    this.assertOpen();
    if (!isBytes(frame)) throw this.die(new ChannelError('CHANNEL_ERR_DECRYPT', CloseCode.badFrame, 'frame is not bytes'));
    if (frame.length > MAX_FRAME) throw this.die(new ChannelError('CHANNEL_ERR_TOO_LARGE', CloseCode.tooLarge, `frame over ${MAX_FRAME} bytes`));
    let plaintext: Uint8Array;
    try {
      plaintext = this.recv.decryptWithAd(EMPTY, frame);
    } catch (e) {
      throw this.die(e);
    }
    if (++this.received % this.rekeyInterval === 0) this.recv.rekey();
    return plaintext;
  }

  /** Closes the channel and zeroes both keys. Idempotent. */
  close(): void {
    this.deadCode ??= CloseCode.normal;
    this.send.destroy();
    this.recv.destroy();
  }

  private assertOpen(): void {
    if (this.deadCode !== undefined) throw new ChannelError('CHANNEL_ERR_CLOSED', this.deadCode, 'channel is closed');
  }

  /** Fail closed: the first error zeroes the keys and the channel stays dead. Returns the error to throw. */
  private die(cause: unknown): ChannelError {
    const error =
      cause instanceof ChannelError
        ? cause
        : cause instanceof NoiseError && cause.code === 'NOISE_ERR_NONCE_EXHAUSTED'
          ? new ChannelError('CHANNEL_ERR_NONCE_EXHAUSTED', CloseCode.internalError, 'nonce exhausted: re-handshake')
          : new ChannelError('CHANNEL_ERR_DECRYPT', CloseCode.badFrame, 'frame failed to authenticate');
    this.deadCode = error.closeCode;
    this.send.destroy();
    this.recv.destroy();
    return error;
  }
}
