// Byte helpers: labelled assertions, constant-time equality, hex, strict base64url and base32, strict UTF-8.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import {
  abytes,
  base32ToBytes,
  base64urlToBytes,
  bytesToBase32,
  bytesToBase64url,
  bytesToHex,
  concatBytes,
  equalBytes,
  hexToBytes,
  utf8Decode,
  utf8Encode,
  zeroize,
} from '../../../../src/core/base/bytes';

const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

describe('bytes', () => {
  it('abytes returns its argument and names it in TypeError / RangeError', () => {
    const b = bytes(4);
    assert.equal(abytes(b, 4, 'key'), b);
    assert.throws(() => abytes('xx', 4, 'key'), (e: unknown) => e instanceof TypeError && e.message.includes('"key"'));
    assert.throws(() => abytes(b, 32, 'key'), (e: unknown) => e instanceof RangeError && /"key".*length 32.*length=4/.test(e.message));
  });

  it('equalBytes compares content and length', () => {
    const a = bytes(32);
    assert.equal(equalBytes(a, a.slice()), true);
    const b = a.slice();
    b[31]! ^= 1;
    assert.equal(equalBytes(a, b), false);
    assert.equal(equalBytes(a, a.subarray(0, 31)), false);
    assert.equal(equalBytes(new Uint8Array(0), new Uint8Array(0)), true);
  });

  it('concatBytes joins in order and zeroize clears', () => {
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3);
    assert.deepEqual(concatBytes(a, new Uint8Array(0), b), Uint8Array.of(1, 2, 3));
    zeroize(a, undefined, b);
    assert.deepEqual([...a, ...b], [0, 0, 0]);
  });

  it('round-trips hex and rejects odd lengths and non-hex characters', () => {
    const b = bytes(33);
    assert.deepEqual(hexToBytes(bytesToHex(b)), b);
    assert.deepEqual(hexToBytes('00fFaB'), Uint8Array.of(0, 255, 171));
    for (const bad of ['0', 'zz', '0x00', ' 00', '0g']) assert.throws(() => hexToBytes(bad), RangeError, bad);
  });

  it('round-trips base64url for every length and matches Node', () => {
    for (let n = 0; n < 70; n++) {
      const b = bytes(n);
      const text = bytesToBase64url(b);
      assert.equal(text, Buffer.from(b).toString('base64url'));
      assert.deepEqual(base64urlToBytes(text), b);
    }
  });

  it('rejects base64url junk with a clear error', () => {
    const cases: [string, RegExp][] = [
      ['abc=', /invalid character at index 3/],
      ['ab+c', /invalid character at index 2/],
      ['ab/c', /invalid character/],
      ['ab c', /invalid character/],
      ['abcé', /invalid character/],
      ['abcde', /impossible length/],
      ['AB', /not canonical/], // 'B' leaves non-zero trailing bits
      ['AAB', /not canonical/],
    ];
    for (const [text, message] of cases) assert.throws(() => base64urlToBytes(text), (e: unknown) => e instanceof RangeError && message.test(e.message), text);
    assert.throws(() => base64urlToBytes(42 as unknown as string), TypeError);
  });

  it('never throws anything but RangeError on random base64url-ish strings', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .\u00e9';
    for (let i = 0; i < 500; i++) {
      let text = '';
      for (let j = randomInt(0, 40); j > 0; j--) text += alphabet[randomInt(0, alphabet.length)];
      try {
        const out = base64urlToBytes(text);
        assert.equal(bytesToBase64url(out), text, 'whatever decodes re-encodes to the same text');
      } catch (e) {
        assert.ok(e instanceof RangeError, String(e));
      }
    }
  });

  it('encodes base32 as RFC 4648 §10 does (without padding) and round-trips every length', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(bytesToBase32(utf8Encode(plain)), encoded);
      assert.equal(utf8Decode(base32ToBytes(encoded)), plain);
    }
    for (let n = 0; n < 90; n++) {
      const b = bytes(n);
      const text = bytesToBase32(b);
      assert.match(text, /^[A-Z2-7]*$/);
      assert.equal(text.length, Math.ceil((n * 8) / 5));
      assert.deepEqual(base32ToBytes(text), b);
    }
  });

  it('rejects base32 junk with a clear error, and whatever decodes re-encodes to the same text', () => {
    const cases: [string, RegExp][] = [
      ['MZXW6===', /invalid character at index 5/],
      ['mzxw6', /invalid character at index 0/],
      ['MZ1W6', /invalid character at index 2/],
      ['MZXW6YTBO', /impossible length/],
      ['M', /impossible length/],
      ['MZ', /not canonical/], // 'f' is MY: Z leaves non-zero trailing bits
    ];
    for (const [text, message] of cases) assert.throws(() => base32ToBytes(text), (e: unknown) => e instanceof RangeError && message.test(e.message), text);
    assert.throws(() => base32ToBytes(42 as unknown as string), TypeError);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abc01=';
    for (let i = 0; i < 500; i++) {
      let text = '';
      for (let j = randomInt(0, 40); j > 0; j--) text += alphabet[randomInt(0, alphabet.length)];
      try {
        assert.equal(bytesToBase32(base32ToBytes(text)), text);
      } catch (e) {
        assert.ok(e instanceof RangeError, String(e));
      }
    }
  });

  it('round-trips UTF-8 and rejects malformed UTF-8', () => {
    const text = 'Walkie ✓ — 🦊';
    assert.deepEqual(utf8Encode(text), new Uint8Array(Buffer.from(text, 'utf8')));
    assert.equal(utf8Decode(utf8Encode(text)), text);
    assert.equal(utf8Decode(utf8Encode('\ufeffbom')), '\ufeffbom');
    assert.throws(() => utf8Decode(Uint8Array.of(0xc3)), TypeError);
    assert.throws(() => utf8Decode(Uint8Array.of(0xff, 0xfe, 0x41)), TypeError);
  });
});
