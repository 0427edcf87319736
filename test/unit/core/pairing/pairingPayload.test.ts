import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bytesToBase64url, utf8Encode } from '../../../../src/core/base/bytes';
import { encodePairingUrl, PairingError, parsePairingUrl, relayUrlForOrigin, type PairingOffer } from '../../../../src/core/pairing/pairingPayload';

const hostId = bytesToBase64url(new Uint8Array(randomBytes(32)));
const offer = (over: Partial<PairingOffer> = {}): PairingOffer => ({
  hostId,
  hostPublicKey: new Uint8Array(randomBytes(32)),
  psk: new Uint8Array(randomBytes(32)),
  expiresAt: 1_700_000_300_000,
  relayUrl: 'wss://relay.example.com',
  ...over,
});
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

  it('refuses to encode an offer with a malformed key', () => {
    assert.equal(code(() => encodePairingUrl('https://relay.example.com', offer({ psk: new Uint8Array(16) }))), 'PAIRING_ERR_FIELDS');
    assert.equal(code(() => encodePairingUrl('file:///etc', offer())), 'PAIRING_ERR_URL');
  });
});
