import assert from 'node:assert/strict';
import { hkdfSync, randomBytes } from 'node:crypto';
import { base32ToBytes, bytesToBase32, bytesToBase64url, utf8Encode } from '../../../../src/core/base/bytes';
import { derivePairingPsk, encodePairingUrl, PairingError, parsePairingUrl, relayUrlForOrigin, type PairingOffer } from '../../../../src/core/pairing/pairingPayload';

const hostId = bytesToBase64url(new Uint8Array(randomBytes(32)));
const offer = (over: Partial<PairingOffer> = {}): PairingOffer => ({
  hostId,
  hostPublicKey: new Uint8Array(randomBytes(32)),
  psk: new Uint8Array(randomBytes(32)),
  expiresAt: 1_700_000_300_000,
  relayUrl: 'wss://relay.example.com',
  ...over,
});
/** An offer as PairingOffers makes it: the psk derived from a 16-byte seed (written in format 2). */
const seeded = (over: Partial<PairingOffer> = {}): PairingOffer => {
  const pskSeed = new Uint8Array(randomBytes(16));
  return offer({ psk: derivePairingPsk(pskSeed), pskSeed, ...over });
};
const fragment = (json: unknown) => 'https://relay.example.com/#' + bytesToBase64url(utf8Encode(JSON.stringify(json)));
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PairingError, String(e));
    return e.code;
  }
  assert.fail('did not throw');
};

describe('pairingPayload', () => {
  it('round-trips an offer through the URL, leaving out the relay when it is the page origin', () => {
    const o = offer();
    const url = encodePairingUrl('https://relay.example.com/', o);
    assert.match(url, /^https:\/\/relay\.example\.com\/#[A-Za-z0-9_-]+$/);
    const parsed = parsePairingUrl(url);
    assert.deepEqual(parsed, o);
    const json = JSON.parse(Buffer.from(url.split('#')[1]!, 'base64url').toString('utf8'));
    assert.deepEqual(Object.keys(json).sort(), ['h', 'k', 'p', 'v', 'x']);
  });

  it('carries the relay URL when it differs from the page origin', () => {
    const o = offer({ relayUrl: 'ws://127.0.0.1:8787' });
    const parsed = parsePairingUrl(encodePairingUrl('https://walkie.example.org', o));
    assert.equal(parsed.relayUrl, 'ws://127.0.0.1:8787');
  });

  it('puts the app at a site with a path, naming the relay in the payload; a bad app URL is refused', () => {
    const o = offer({ relayUrl: 'wss://relay.example.com' });
    const url = encodePairingUrl('https://me.example.io/walkie/', o);
    assert.match(url, /^https:\/\/me\.example\.io\/walkie\/#[A-Za-z0-9_-]+$/);
    assert.equal(parsePairingUrl(url).relayUrl, 'wss://relay.example.com');
    assert.throws(() => encodePairingUrl('https://me.example.io/walkie/?x=1', o), (e: unknown) => e instanceof PairingError && e.code === 'PAIRING_ERR_URL');
    assert.throws(() => encodePairingUrl('ftp://me.example.io/', o), (e: unknown) => e instanceof PairingError && e.code === 'PAIRING_ERR_URL');
  });

  it('maps http origins to ws and https origins to wss', () => {
    assert.equal(relayUrlForOrigin('http://127.0.0.1:9000'), 'ws://127.0.0.1:9000');
    assert.equal(relayUrlForOrigin('https://a.example'), 'wss://a.example');
  });

  it('stores the expiry in whole seconds', () => {
    const parsed = parsePairingUrl(encodePairingUrl('https://relay.example.com', offer({ expiresAt: 1_700_000_300_999 })));
    assert.equal(parsed.expiresAt, 1_700_000_300_000);
  });

  it('refuses an expired offer when given the time', () => {
    const url = encodePairingUrl('https://relay.example.com', offer());
    assert.equal(code(() => parsePairingUrl(url, 1_700_000_300_000)), 'PAIRING_ERR_EXPIRED');
    assert.doesNotThrow(() => parsePairingUrl(url, 1_700_000_299_999));
  });

  it('refuses junk with a code naming what is wrong', () => {
    const good = { v: 1, h: hostId, k: bytesToBase64url(new Uint8Array(32)), p: bytesToBase64url(new Uint8Array(32)), x: 1_700_000_300 };
    assert.equal(code(() => parsePairingUrl('')), 'PAIRING_ERR_URL');
    assert.equal(code(() => parsePairingUrl('https://relay.example.com/')), 'PAIRING_ERR_URL');
    assert.equal(code(() => parsePairingUrl('ftp://x/#abc')), 'PAIRING_ERR_URL');
    assert.equal(code(() => parsePairingUrl('https://x/#' + 'A'.repeat(5000))), 'PAIRING_ERR_URL');
    assert.equal(code(() => parsePairingUrl(42 as unknown as string)), 'PAIRING_ERR_URL');
    assert.equal(code(() => parsePairingUrl('https://x/#not*base64')), 'PAIRING_ERR_ENCODING');
    assert.equal(code(() => parsePairingUrl('https://x/#' + bytesToBase64url(utf8Encode('{nope')))), 'PAIRING_ERR_ENCODING');
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, v: 2 }))), 'PAIRING_ERR_VERSION');
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, k: bytesToBase64url(new Uint8Array(31)) }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, p: undefined }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, h: 'short' }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, x: -1 }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, r: 'javascript:alert(1)' }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, extra: 1 }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl(fragment([1, 2]))), 'PAIRING_ERR_FIELDS');
    // 43 characters whose last one carries non-zero leftover bits: not canonical base64url.
    assert.equal(code(() => parsePairingUrl(fragment({ ...good, k: 'A'.repeat(42) + 'B' }))), 'PAIRING_ERR_FIELDS');
  });

  it('never puts the psk in an error message', () => {
    const psk = bytesToBase64url(new Uint8Array(randomBytes(32)));
    try {
      parsePairingUrl(fragment({ v: 1, h: 'bad', k: 'x', p: psk, x: 1 }));
      assert.fail('did not throw');
    } catch (e) {
      assert.ok(!String(e).includes(psk));
    }
  });

  it('writes a seeded offer in the compact format 2: base32 capitals, half the length, same offer back', () => {
    const o = seeded();
    const url = encodePairingUrl('http://192.168.100.200:51234/', { ...o, relayUrl: 'ws://192.168.100.200:51234' });
    assert.match(url, /^http:\/\/192\.168\.100\.200:51234\/#[A-Z2-7]+$/);
    // 1 + 32 + 32 + 16 + 4 bytes → 136 base32 characters (format 1 of the same offer: 203 base64url characters).
    assert.equal(url.split('#')[1]!.length, 136);
    assert.ok(encodePairingUrl('http://192.168.100.200:51234/', { ...o, relayUrl: 'ws://192.168.100.200:51234' }, { format: 1 }).split('#')[1]!.length > 200);
    assert.deepEqual(parsePairingUrl(url), { ...o, relayUrl: 'ws://192.168.100.200:51234' });
    // With the relay elsewhere, and its expiry checked the same way.
    const elsewhere = parsePairingUrl(encodePairingUrl('https://me.example.io/walkie/', o));
    assert.equal(elsewhere.relayUrl, 'wss://relay.example.com');
    assert.deepEqual(elsewhere.psk, o.psk);
    const u2 = encodePairingUrl('https://relay.example.com', o);
    assert.equal(code(() => parsePairingUrl(u2, 1_700_000_300_000)), 'PAIRING_ERR_EXPIRED');
    assert.doesNotThrow(() => parsePairingUrl(u2, 1_700_000_299_999));
  });

  it('derives the psk from the seed with HKDF-SHA-256 (RFC 5869), so both sides get the same 32 bytes', () => {
    // Computed independently with Node's crypto.hkdfSync (empty salt, info "walkie pairing psk v2").
    const seed = new Uint8Array(16).map((_, i) => i);
    const expected = new Uint8Array(hkdfSync('sha256', seed, new Uint8Array(0), 'walkie pairing psk v2', 32));
    assert.deepEqual(derivePairingPsk(seed), expected);
    assert.throws(() => derivePairingPsk(new Uint8Array(32)), RangeError);
  });

  it('still writes format 1 on request and reads it (links from older hosts keep working)', () => {
    const o = seeded();
    const url = encodePairingUrl('https://relay.example.com', o, { format: 1 });
    assert.match(url, /#eyJ2Ijox/); // base64url of {"v":1
    const { pskSeed: _, ...withoutSeed } = o;
    assert.deepEqual(parsePairingUrl(url), withoutSeed);
  });

  it('refuses bad compact payloads with a code naming what is wrong, never the secret', () => {
    const o = seeded();
    const good = base32ToBytes(encodePairingUrl('https://relay.example.com', o).split('#')[1]!);
    const with_ = (edit: (b: Uint8Array) => Uint8Array) => 'https://relay.example.com/#' + bytesToBase32(edit(good.slice()));
    assert.equal(code(() => parsePairingUrl(with_((b) => ((b[0] = 3), b)))), 'PAIRING_ERR_VERSION');
    assert.equal(code(() => parsePairingUrl(with_((b) => b.subarray(0, 80)))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl(with_((b) => (b.fill(0, 81, 85), b)))), 'PAIRING_ERR_FIELDS');
    const junkRelay = (r: string) => with_((b) => { const out = new Uint8Array(b.length + r.length); out.set(b); out.set(utf8Encode(r), b.length); return out; });
    assert.equal(code(() => parsePairingUrl(junkRelay('javascript:alert(1)'))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl('https://relay.example.com/#' + bytesToBase32(new Uint8Array([...good, 0xff, 0xfe])))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => parsePairingUrl('https://relay.example.com/#MZ')), 'PAIRING_ERR_ENCODING');
    assert.equal(code(() => parsePairingUrl('https://relay.example.com/#A')), 'PAIRING_ERR_ENCODING');
    // An offer whose psk does not come from its seed would make a link that cannot pair: refused.
    assert.equal(code(() => encodePairingUrl('https://relay.example.com', { ...o, psk: new Uint8Array(32) })), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => encodePairingUrl('https://relay.example.com', { ...o, pskSeed: new Uint8Array(8) })), 'PAIRING_ERR_FIELDS');
    const seedText = bytesToBase64url(o.pskSeed!);
    try {
      parsePairingUrl(with_((b) => ((b[0] = 9), b)));
    } catch (e) {
      assert.ok(!String(e).includes(seedText));
    }
  });

  it('refuses to encode an offer with a malformed key', () => {
    assert.equal(code(() => encodePairingUrl('https://relay.example.com', offer({ psk: new Uint8Array(16) }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => encodePairingUrl('file:///etc', offer())), 'PAIRING_ERR_URL');
  });
});
