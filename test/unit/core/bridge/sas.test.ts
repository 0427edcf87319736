import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SAS_WORD_COUNT, SAS_WORDS, shortAuthString } from '../../../../src/core/bridge/sas';

describe('shortAuthString', () => {
  it('has a word list of 256 distinct lower-case words, one per byte value', () => {
    assert.equal(SAS_WORDS.length, 256);
    assert.equal(new Set(SAS_WORDS).size, 256);
    for (const w of SAS_WORDS) assert.match(w, /^[a-z]{3,8}$/);
  });

  it('gives the same words for the same handshake hash and four words from the list', () => {
    const h = new Uint8Array(randomBytes(32));
    const a = shortAuthString(h);
    assert.equal(a, shortAuthString(h.slice()));
    const words = a.split(' ');
    assert.equal(words.length, SAS_WORD_COUNT);
    for (const w of words) assert.ok(SAS_WORDS.includes(w), w);
  });

  it('changes when any bit of the handshake hash changes', () => {
    const h = new Uint8Array(randomBytes(32));
    const base = shortAuthString(h);
    for (const i of [0, 15, 31]) {
      const flipped = h.slice();
      flipped[i]! ^= 1;
      assert.notEqual(shortAuthString(flipped), base);
    }
  });

  it('is not simply the first bytes of the hash (domain separated)', () => {
    const h = new Uint8Array(32);
    assert.notEqual(shortAuthString(h), [0, 0, 0, 0].map((i) => SAS_WORDS[i]).join(' '));
  });

  it('spreads over the whole word list', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) for (const w of shortAuthString(new Uint8Array(randomBytes(32))).split(' ')) seen.add(w);
    // 1600 draws from 256 words: missing more than a few would mean a biased mapping.
    assert.ok(seen.size > 240, `only ${seen.size} distinct words`);
  });

  it('refuses a hash that is not 32 bytes', () => {
    assert.throws(() => shortAuthString(new Uint8Array(31)), TypeError);
    assert.throws(() => shortAuthString('x' as unknown as Uint8Array), TypeError);
  });
});
