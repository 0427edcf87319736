// HandshakeState of Noise rev 34 §5.3 for Noise_<pattern>_25519_ChaChaPoly_SHA256, pattern one of IK,
// IKpsk2, XX, NNpsk0 (§7, §9). writeMessage/readMessage process one handshake message each, alternating,
// initiator first; split() yields the transport cipher states once the last message is processed.
// Any failure aborts the handshake for good (later calls → NOISE_ERR_STATE) and zeroes what it owns.
import { concatBytes, isBytes } from '../base/bytes';
import { CipherState, TAGLEN } from './cipherState';
import { checkShared, DHLEN, dh, generateKeyPair, nobleX25519, type KeyPair, type X25519 } from './dh';
import { NoiseError, type NoiseErrorCode } from './noiseError';
import { parsePattern, SUPPORTED_PATTERNS, type HandshakePattern, type Token } from './patterns';
import { SymmetricState } from './symmetricState';

export type PatternName = (typeof SUPPORTED_PATTERNS)[number];

export interface HandshakeOptions {
  pattern: PatternName;
  initiator: boolean;
  prologue: Uint8Array;
  /** Our static key pair (IK: both sides; XX: both sides). Borrowed: destroy() does not zero it. */
  s?: KeyPair;
  /**
   * Our static key when its secret is held where this code cannot read it (the phone's non-extractable
   * WebCrypto key): its public key, and DH with it for the peer keys this handshake will meet, computed
   * in advance (src/core/noise/staticKey.ts). Instead of `s`.
   */
  sealed?: { publicKey: Uint8Array; dh(publicKey: Uint8Array): Uint8Array };
  /** The peer's static public key known in advance (IK initiator: the responder's pre-message). */
  rs?: Uint8Array;
  /** The 32-byte pre-shared key (IKpsk2, NNpsk0). Copied; the copy is zeroed after use. */
  psk?: Uint8Array;
  /** tests only: a fixed ephemeral key pair (copied). Never set it in production: e must be fresh. */
  e?: KeyPair;
  /** The X25519 implementation (default: noble; the host passes Node's native one). */
  x25519?: X25519;
}

/** Noise rev 34 §8: messages, handshake and transport alike, are at most 65535 bytes. */
export const MAX_MESSAGE_LENGTH = 65535;
/** Noise rev 34 §9.1: a psk is 32 bytes. */
export const PSK_LENGTH = 32;

/** The full protocol name (§8), e.g. "Noise_IK_25519_ChaChaPoly_SHA256". */
export function protocolName(pattern: PatternName): string {
  return `Noise_${pattern}_25519_ChaChaPoly_SHA256`;
}

/** The pattern of a supported full protocol name, or undefined for anything else. */
export function patternOfProtocolName(name: string): PatternName | undefined {
  return SUPPORTED_PATTERNS.find((p) => protocolName(p) === name);
}

const EMPTY = new Uint8Array(0);
const copyKeyPair = (kp: KeyPair): KeyPair => ({ publicKey: kp.publicKey.slice(), secretKey: kp.secretKey.slice() });
const validKeyPair = (kp: KeyPair | undefined): boolean =>
  kp !== undefined && isBytes(kp.publicKey) && kp.publicKey.length === DHLEN && isBytes(kp.secretKey) && kp.secretKey.length === DHLEN;

export class HandshakeState {
  private readonly pattern: HandshakePattern;
  private readonly initiator: boolean;
  private readonly ss: SymmetricState;
  private readonly s: KeyPair | undefined;
  private readonly sealed: HandshakeOptions['sealed'];
  private readonly sPublic: Uint8Array | undefined;
  private readonly x25519: X25519;
  private e: KeyPair | undefined;
  private rs: Uint8Array | undefined;
  private re: Uint8Array | undefined;
  private psk: Uint8Array | undefined;
  private index = 0;
  private state: 'running' | 'complete' | 'split' | 'failed' | 'destroyed' = 'running';
  private finalHash: Uint8Array | undefined;

  /** Initialize(handshake_pattern, initiator, prologue, s, e, rs, re) of §5.3. */
  constructor(o: HandshakeOptions) {
    const pattern = SUPPORTED_PATTERNS.includes(o?.pattern) ? parsePattern(o.pattern) : undefined;
    if (!pattern) throw new NoiseError('NOISE_ERR_STATE', 'unsupported handshake pattern');
    if (!isBytes(o.prologue)) throw new NoiseError('NOISE_ERR_STATE', 'prologue must be a Uint8Array');
    this.pattern = pattern;
    this.initiator = o.initiator === true;
    const mine = this.initiator ? pattern.initiatorPreMessage : pattern.responderPreMessage;
    const theirs = this.initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage;
    const sentByMe = pattern.messages.filter((_, i) => i % 2 === (this.initiator ? 0 : 1)).flat();
    // Fail early and closed on missing or malformed keys rather than half-way through the handshake.
    const sealedOk = o.sealed !== undefined && o.s === undefined && isBytes(o.sealed.publicKey) && o.sealed.publicKey.length === DHLEN && typeof o.sealed.dh === 'function';
    if ((mine.includes('s') || sentByMe.includes('s')) && !validKeyPair(o.s) && !sealedOk) throw new NoiseError('NOISE_ERR_KEY', 'pattern needs a 32-byte static key pair');
    if (theirs.includes('s') && !(isBytes(o.rs) && o.rs.length === DHLEN)) throw new NoiseError('NOISE_ERR_KEY', "pattern needs the peer's 32-byte static public key");
    if (pattern.psk && !(isBytes(o.psk) && o.psk.length === PSK_LENGTH)) throw new NoiseError('NOISE_ERR_KEY', `pattern needs a ${PSK_LENGTH}-byte psk`);
    if (o.e !== undefined && !validKeyPair(o.e)) throw new NoiseError('NOISE_ERR_KEY', 'ephemeral key pair must be 32-byte keys');
    if (mine.includes('e') || theirs.includes('e')) throw new NoiseError('NOISE_ERR_STATE', 'ephemeral pre-messages are not supported');

    this.x25519 = o.x25519 ?? nobleX25519;
    this.s = o.s;
    this.sealed = o.s ? undefined : o.sealed;
    this.sPublic = o.s?.publicKey ?? this.sealed?.publicKey;
    this.e = o.e && copyKeyPair(o.e);
    this.rs = theirs.includes('s') ? o.rs!.slice() : undefined;
    this.psk = pattern.psk ? o.psk!.slice() : undefined;
    this.ss = new SymmetricState(protocolName(o.pattern));
    this.ss.mixHash(o.prologue);
    // §7.1: pre-message public keys are hashed, initiator's first, then the responder's.
    for (const [tokens, isMine] of [[pattern.initiatorPreMessage, this.initiator], [pattern.responderPreMessage, !this.initiator]] as const) {
      if (tokens.includes('s')) this.ss.mixHash(isMine ? this.sPublic! : this.rs!);
    }
  }

  get isComplete(): boolean {
    return this.state === 'complete' || this.state === 'split';
  }

  /** The handshake hash h (§5.2, §11.2): a channel-binding value, available once the handshake is complete. */
  get handshakeHash(): Uint8Array {
    if (!this.finalHash) throw new NoiseError('NOISE_ERR_STATE', 'handshake hash before the handshake completed');
    return this.finalHash.slice();
  }

  /** The peer's static public key: known in advance (IK initiator) or learned from an "s" token. */
  get remoteStaticPublicKey(): Uint8Array | undefined {
    return this.rs?.slice();
  }

  /** WriteMessage(payload, message_buffer) of §5.3: returns the handshake message to send. */
  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    this.assertTurn(true);
    return this.guard('NOISE_ERR_STATE', () => {
      if (!isBytes(payload)) throw new NoiseError('NOISE_ERR_LENGTH', 'payload must be a Uint8Array');
      const parts: Uint8Array[] = [];
      for (const token of this.pattern.messages[this.index]!) {
        if (token === 'e') {
          // Fresh ephemeral per handshake (§5.3 GENERATE_KEYPAIR); a fixed one only from tests.
          this.e ??= generateKeyPair(this.x25519);
          parts.push(this.e.publicKey.slice());
          this.ss.mixHash(this.e.publicKey);
          if (this.pattern.psk) this.ss.mixKey(this.e.publicKey); // §9.2: psk patterns mix e into the key.
        } else if (token === 's') {
          parts.push(this.ss.encryptAndHash(this.sPublic!));
        } else {
          this.processKeyToken(token);
        }
      }
      parts.push(this.ss.encryptAndHash(payload));
      const message = concatBytes(...parts);
      if (message.length > MAX_MESSAGE_LENGTH) throw new NoiseError('NOISE_ERR_LENGTH', `handshake message over ${MAX_MESSAGE_LENGTH} bytes`);
      this.advance();
      return message;
    });
  }

  /** ReadMessage(message, payload_buffer) of §5.3: returns the decrypted payload. */
  readMessage(message: Uint8Array): Uint8Array {
    this.assertTurn(false);
    return this.guard('NOISE_ERR_DECRYPT', () => {
      if (!isBytes(message)) throw new NoiseError('NOISE_ERR_LENGTH', 'message must be a Uint8Array');
      if (message.length > MAX_MESSAGE_LENGTH) throw new NoiseError('NOISE_ERR_LENGTH', `handshake message over ${MAX_MESSAGE_LENGTH} bytes`);
      let offset = 0;
      const take = (n: number): Uint8Array => {
        if (message.length - offset < n) throw new NoiseError('NOISE_ERR_LENGTH', 'handshake message too short');
        const part = message.slice(offset, offset + n);
        offset += n;
        return part;
      };
      for (const token of this.pattern.messages[this.index]!) {
        if (token === 'e') {
          this.re = take(DHLEN);
          this.ss.mixHash(this.re);
          if (this.pattern.psk) this.ss.mixKey(this.re); // §9.2
        } else if (token === 's') {
          const temp = take(this.ss.cipherState.hasKey() ? DHLEN + TAGLEN : DHLEN);
          this.rs = this.ss.decryptAndHash(temp);
        } else {
          this.processKeyToken(token);
        }
      }
      const rest = message.subarray(offset);
      if (this.ss.cipherState.hasKey() && rest.length < TAGLEN) throw new NoiseError('NOISE_ERR_LENGTH', 'handshake message too short');
      const payload = this.ss.decryptAndHash(rest);
      this.advance();
      return payload;
    });
  }

  /**
   * Split() of §5.2, oriented for this side: the initiator sends with the first cipher state and the
   * responder with the second. Once only; afterwards ck and e are zeroed.
   */
  split(): { send: CipherState; recv: CipherState } {
    if (this.state !== 'complete') throw new NoiseError('NOISE_ERR_STATE', this.state === 'split' ? 'already split' : 'split before the handshake completed');
    const [c1, c2] = this.ss.split();
    this.state = 'split';
    this.wipe();
    return this.initiator ? { send: c1, recv: c2 } : { send: c2, recv: c1 };
  }

  /** Zeroes the ephemeral key, the psk copy and the symmetric state; the handshake can no longer be used. */
  destroy(): void {
    this.wipe();
    if (this.state !== 'split') this.state = 'destroyed';
  }

  /** DH tokens (ee, es, se, ss) and psk, per §5.3 and §9.2. */
  private processKeyToken(token: Exclude<Token, 'e' | 's'>): void {
    if (token === 'psk') {
      this.ss.mixKeyAndHash(this.psk!);
      return;
    }
    // "es": DH(e, rs) for the initiator, DH(s, re) for the responder; "se" the mirror image.
    const S = 'static' as const;
    const [mineKey, theirKey] = {
      ee: [this.e, this.re],
      ss: [S, this.rs],
      es: this.initiator ? [this.e, this.rs] : [S, this.re],
      se: this.initiator ? [S, this.re] : [this.e, this.rs],
    }[token] as [KeyPair | typeof S | undefined, Uint8Array | undefined];
    if (!mineKey || !theirKey || (mineKey === S && !this.s && !this.sealed)) throw new NoiseError('NOISE_ERR_KEY', `missing key for "${token}"`);
    const shared = mineKey !== S ? dh(mineKey, theirKey, this.x25519) : this.s ? dh(this.s, theirKey, this.x25519) : checkShared(this.sealed!.dh(theirKey).slice());
    this.ss.mixKey(shared);
    shared.fill(0);
  }

  private assertTurn(writing: boolean): void {
    if (this.state !== 'running') throw new NoiseError('NOISE_ERR_STATE', `handshake is ${this.state}`);
    const initiatorsTurn = this.index % 2 === 0;
    if ((initiatorsTurn === this.initiator) !== writing) throw new NoiseError('NOISE_ERR_STATE', writing ? 'not our turn to write' : 'not our turn to read');
  }

  private advance(): void {
    this.index++;
    if (this.index === this.pattern.messages.length) {
      this.state = 'complete';
      this.finalHash = this.ss.getHandshakeHash();
    }
  }

  /** Runs one message's processing; any failure aborts the handshake (§5.3: on error, delete it). */
  private guard<T>(fallback: NoiseErrorCode, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.state = 'failed';
      this.wipe();
      throw e instanceof NoiseError ? e : new NoiseError(fallback, 'handshake message processing failed');
    }
  }

  private wipe(): void {
    this.e?.secretKey.fill(0);
    this.e = undefined;
    this.psk?.fill(0);
    this.psk = undefined;
    this.ss.destroy();
  }
}
