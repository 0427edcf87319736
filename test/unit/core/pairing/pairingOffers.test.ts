import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bytesToBase64url } from '../../../../src/core/base/bytes';
import { ManualClock } from '../../../../src/core/base/clock';
import { DEFAULT_OFFER_LIFETIME_MS, FAILURE_WINDOW_MS, LOCKOUT_MS, MAX_FAILURES, PairingOffers } from '../../../../src/core/pairing/pairingOffers';

function setup() {
  const clock = new ManualClock();
  const hostPublicKey = new Uint8Array(randomBytes(32));
  const offers = new PairingOffers({ clock, hostId: bytesToBase64url(new Uint8Array(randomBytes(32))), hostPublicKey, relayUrl: 'ws://127.0.0.1:1' });
  return { clock, offers, hostPublicKey };
}

function begin(offers: PairingOffers) {
  const r = offers.begin();
  assert.ok(r.ok, `refused: ${!r.ok && r.reason}`);
  return r.attempt;
}

describe('PairingOffers', () => {
  it('makes an offer with a fresh 32-byte psk, the host key and an expiry in whole seconds', () => {
    const { clock, offers, hostPublicKey } = setup();
    const a = offers.create();
    const b = offers.create();
    assert.equal(a.psk.length, 32);
    assert.notDeepEqual(a.psk, b.psk);
    assert.deepEqual(a.hostPublicKey, hostPublicKey);
    assert.equal(a.expiresAt % 1000, 0);
    assert.ok(a.expiresAt <= clock.now() + DEFAULT_OFFER_LIFETIME_MS && a.expiresAt > clock.now() + DEFAULT_OFFER_LIFETIME_MS - 1000);
  });

  it('hands each attempt a copy of the live psk', () => {
    const { offers } = setup();
    const offer = offers.create();
    const attempt = begin(offers);
    assert.deepEqual(attempt.psk, offer.psk);
    assert.notEqual(attempt.psk, offer.psk);
  });

  it('is single use: consumed by the first completed attempt, and zeroes the attempt psk', () => {
    const { offers } = setup();
    offers.create();
    const first = begin(offers);
    const second = begin(offers);
    assert.equal(offers.complete(first), true);
    assert.deepEqual(first.psk, new Uint8Array(32));
    assert.equal(offers.complete(second), false);
    assert.deepEqual(offers.begin(), { ok: false, reason: 'no-offer' });
    assert.equal(offers.currentExpiresAt, undefined);
  });

  it('refuses an expired offer', () => {
    const { clock, offers } = setup();
    offers.create(10_000);
    clock.advance(10_000);
    assert.deepEqual(offers.begin(), { ok: false, reason: 'expired' });
  });

  it('refuses to complete an attempt whose offer expired meanwhile', () => {
    const { clock, offers } = setup();
    offers.create(10_000);
    const attempt = begin(offers);
    clock.advance(10_000);
    assert.equal(offers.complete(attempt), false);
  });

  it('invalidates the previous offer when a new one is made', () => {
    const { offers } = setup();
    offers.create();
    const old = begin(offers);
    const fresh = offers.create();
    assert.equal(offers.complete(old), false);
    const attempt = begin(offers);
    assert.deepEqual(attempt.psk, fresh.psk);
    assert.equal(offers.complete(attempt), true);
  });

  it(`refuses pairing for ${LOCKOUT_MS / 1000} s after ${MAX_FAILURES} failures within ${FAILURE_WINDOW_MS / 1000} s`, () => {
    const { clock, offers } = setup();
    offers.create(10 * 60_000);
    for (let i = 0; i < MAX_FAILURES - 1; i++) offers.fail(begin(offers));
    assert.equal(offers.lockedOut, false);
    offers.fail(begin(offers));
    assert.equal(offers.lockedOut, true);
    assert.deepEqual(offers.begin(), { ok: false, reason: 'rate-limited' });
    clock.advance(LOCKOUT_MS - 1);
    assert.deepEqual(offers.begin(), { ok: false, reason: 'rate-limited' });
    clock.advance(1);
    assert.equal(begin(offers).psk.length, 32);
  });

  it('forgets failures older than the window', () => {
    const { clock, offers } = setup();
    offers.create(10 * 60_000);
    for (let i = 0; i < MAX_FAILURES - 1; i++) offers.fail(begin(offers));
    clock.advance(FAILURE_WINDOW_MS);
    offers.fail(begin(offers));
    assert.equal(offers.lockedOut, false);
  });

  it('does not count refused attempts (no offer) or released ones: junk cannot lock pairing out', () => {
    const { offers } = setup();
    for (let i = 0; i < MAX_FAILURES * 4; i++) assert.equal(offers.begin().ok, false);
    offers.create();
    for (let i = 0; i < MAX_FAILURES * 4; i++) offers.release(begin(offers));
    assert.equal(offers.lockedOut, false);
    assert.equal(offers.begin().ok, true);
  });

  it('zeroes the psk of a failed attempt', () => {
    const { offers } = setup();
    offers.create();
    const attempt = begin(offers);
    offers.fail(attempt);
    assert.deepEqual(attempt.psk, new Uint8Array(32));
  });

  it('refuses a non-positive lifetime', () => {
    assert.throws(() => setup().offers.create(0), RangeError);
  });
});
