// The host's pairing offers (what the QR code shows): at most one live offer at a time, each with a fresh
// one-time 32-byte psk for Noise_IKpsk2, derived from 16 random bytes that the compact QR code carries
// (derivePairingPsk in pairingPayload.ts says why 128 bits are enough) (docs/protocol.md §Pairing). Rules, all decided here:
//  - create() replaces (invalidates) the previous offer;
//  - an offer is single use: the first pairing handshake that COMPLETES (key confirmation from the device,
//    see src/core/bridge/bridgeHost.ts) consumes it, and its psk is zeroed;
//  - an expired offer is refused (default lifetime 5 minutes);
//  - rate limit: after MAX_FAILURES failed pairing attempts within FAILURE_WINDOW_MS, every pairing attempt
//    is refused for LOCKOUT_MS. A 128-bit secret cannot be guessed anyway; the limit bounds the work an
//    attacker can make the host do and the number of SAS guesses a man in the middle gets.
import { randomBytes } from '@noble/hashes/utils.js';
import { zeroize } from '../base/bytes';
import type { Clock } from '../base/clock';
import { nullLogger, type Logger } from '../base/logger';
import { derivePairingPsk, PSK_SEED_LENGTH, type PairingOffer } from './pairingPayload';

export const DEFAULT_OFFER_LIFETIME_MS = 5 * 60_000;
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 60_000;
export const LOCKOUT_MS = 60_000;

/** One pairing handshake in progress: which offer it used, and its own copy of the psk. */
export interface PairingAttempt {
  readonly offerId: number;
  readonly psk: Uint8Array;
}

export type PairingRefusal = 'no-offer' | 'expired' | 'rate-limited';

export type BeginResult = { ok: true; attempt: PairingAttempt } | { ok: false; reason: PairingRefusal };

interface LiveOffer {
  id: number;
  psk: Uint8Array;
  seed: Uint8Array;
  expiresAt: number;
}

export class PairingOffers {
  private offer: LiveOffer | undefined;
  private nextId = 1;
  private failures: number[] = [];
  private relayUrl: string;
  private lockedUntil = 0;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(
    private readonly o: { clock: Clock; hostId: string; hostPublicKey: Uint8Array; relayUrl: string; logger?: Logger },
  ) {
    this.relayUrl = o.relayUrl;
    this.clock = o.clock;
    this.logger = o.logger ?? nullLogger;
  }

  /** A new offer (for the QR code); the previous one, if any, stops working now. The psk is a copy. */
  create(lifetimeMs = DEFAULT_OFFER_LIFETIME_MS): PairingOffer {
    if (!Number.isFinite(lifetimeMs) || lifetimeMs <= 0) throw new RangeError('"lifetimeMs" must be positive');
    this.cancel();
    // The offer's lifetime is rounded down to whole seconds: the QR carries seconds, and the host must
    // never accept an offer the phone already considers expired.
    const expiresAt = Math.floor((this.clock.now() + lifetimeMs) / 1000) * 1000;
    const seed = randomBytes(PSK_SEED_LENGTH);
    this.offer = { id: this.nextId++, psk: derivePairingPsk(seed), seed, expiresAt };
    this.logger.info(`pairing: new offer #${this.offer.id}, expires in ${Math.round(lifetimeMs / 1000)} s`);
    return {
      hostId: this.o.hostId,
      hostPublicKey: this.o.hostPublicKey.slice(),
      psk: this.offer.psk.slice(),
      pskSeed: this.offer.seed.slice(),
      expiresAt,
      relayUrl: this.relayUrl,
    };
  }

  /** Invalidates the current offer (if any) and zeroes its psk. */
  cancel(): void {
    if (this.offer) zeroize(this.offer.psk, this.offer.seed);
    this.offer = undefined;
  }

  /** When the live offer expires (ms), or undefined when there is none (none made, consumed or expired). */
  get currentExpiresAt(): number | undefined {
    return this.live()?.expiresAt;
  }

  /**
   * Where new offers tell devices to find the relay (a tunnel's public URL once it is up). Offers already
   * made keep the address they were made with.
   */
  setRelayUrl(url: string): void {
    this.relayUrl = url;
  }

  /** True while pairing is refused because of too many failures. */
  get lockedOut(): boolean {
    return this.clock.now() < this.lockedUntil;
  }

  /**
   * Starts a pairing handshake against the live offer. Security: a refusal here (no offer, an expired one)
   * is not counted as a failed attempt — it proves no knowledge of any offer, and counting junk let anyone
   * who knows the host id lock pairing out for good. Only attempts that got past Noise message 1 count
   * (`fail`); junk is bounded by the relay's per-source limits instead.
   */
  begin(): BeginResult {
    if (this.lockedOut) return { ok: false, reason: 'rate-limited' };
    if (!this.offer) return { ok: false, reason: 'no-offer' };
    if (!this.live()) return { ok: false, reason: 'expired' };
    return { ok: true, attempt: { offerId: this.offer.id, psk: this.offer.psk.slice() } };
  }

  /**
   * The attempt's handshake completed with key confirmation: consumes the offer if it is still the live,
   * unexpired one. False means the offer was replaced, used by someone else, or expired meanwhile; the
   * caller must then reject the device. Always zeroes the attempt's psk copy.
   */
  complete(attempt: PairingAttempt): boolean {
    zeroize(attempt.psk);
    const offer = this.live();
    if (!offer || offer.id !== attempt.offerId) {
      this.recordFailure();
      return false;
    }
    // Single use: gone the moment one device completed with it.
    this.cancel();
    this.failures = [];
    this.logger.info(`pairing: offer #${attempt.offerId} used`);
    return true;
  }

  /**
   * The attempt failed AFTER a valid message 1 (no key confirmation: a wrong psk, or a disconnect before
   * confirming): counted towards the lockout.
   */
  fail(attempt?: PairingAttempt): void {
    if (attempt) zeroize(attempt.psk);
    this.recordFailure();
  }

  /** The attempt ended before proving anything (junk or an undecryptable message 1): not counted. */
  release(attempt: PairingAttempt): void {
    zeroize(attempt.psk);
  }

  private live(): LiveOffer | undefined {
    if (this.offer && this.clock.now() >= this.offer.expiresAt) this.cancel();
    return this.offer;
  }

  private recordFailure(): void {
    const now = this.clock.now();
    if (now < this.lockedUntil) return;
    this.failures = this.failures.filter((t) => now - t < FAILURE_WINDOW_MS);
    this.failures.push(now);
    if (this.failures.length >= MAX_FAILURES) {
      this.lockedUntil = now + LOCKOUT_MS;
      this.failures = [];
      this.logger.warn(`pairing: ${MAX_FAILURES} failed attempts within ${FAILURE_WINDOW_MS / 1000} s; refusing pairing for ${LOCKOUT_MS / 1000} s`);
    }
  }
}
