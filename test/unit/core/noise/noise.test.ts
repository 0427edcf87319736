// The Noise handshake (HandshakeState over SymmetricState/CipherState): round trips with generated keys,
// wrong keys and psks, calls out of order, junk input, and the cipher state's nonce rules.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { utf8Encode } from '../../../../src/core/base/bytes';
import { CipherState, MAX_NONCE } from '../../../../src/core/noise/cipherState';
import { dh, generateKeyPair, keyPairFromSecret } from '../../../../src/core/noise/dh';
import { HandshakeState, type HandshakeOptions, type PatternName } from '../../../../src/core/noise/handshakeState';
import { NoiseError, type NoiseErrorCode } from '../../../../src/core/noise/noiseError';
import { parsePattern } from '../../../../src/core/noise/patterns';

const prologue = utf8Encode('walkie test prologue');
const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** Asserts that `fn` throws a NoiseError with `code`. */
function throwsNoise(fn: () => unknown, code: NoiseErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof NoiseError && e.code === code);
}

/** An initiator and a responder for `pattern` with fresh keys; `over` tweaks either side's options. */
function pair(pattern: PatternName, over: { init?: Partial<HandshakeOptions>; resp?: Partial<HandshakeOptions> } = {}) {
  const initS = generateKeyPair();
  const respS = generateKeyPair();
  const psk = pattern.includes('psk') ? bytes(32) : undefined;
  const init = new HandshakeState({ pattern, initiator: true, prologue, s: initS, rs: respS.publicKey, psk, ...over.init });
  const resp = new HandshakeState({ pattern, initiator: false, prologue, s: respS, psk, ...over.resp });
  return { init, resp, initS, respS, psk };
}

/** Runs an interactive handshake to completion, checking each payload arrives. */
function complete(init: HandshakeState, resp: HandshakeState): void {
  for (let i = 0; !init.isComplete; i++) {
    const [w, r] = i % 2 === 0 ? [init, resp] : [resp, init];
    const payload = bytes(i * 7);
    assert.deepEqual(r.readMessage(w.writeMessage(payload)), payload);
  }
  assert.ok(resp.isComplete);
}

describe('HandshakeState', () => {
  for (const pattern of ['IK', 'IKpsk2', 'XX', 'NNpsk0'] as const) {
    it(`completes a ${pattern} handshake with generated keys and agrees on keys and hash`, () => {
      const { init, resp, initS, respS } = pair(pattern);
      complete(init, resp);
      assert.deepEqual(init.handshakeHash, resp.handshakeHash);
      if (pattern !== 'NNpsk0') {
        assert.deepEqual(resp.remoteStaticPublicKey, initS.publicKey);
        assert.deepEqual(init.remoteStaticPublicKey, respS.publicKey);
      }
      const a = init.split();
      const b = resp.split();
      const msg = bytes(100);
      assert.deepEqual(b.recv.decryptWithAd(new Uint8Array(0), a.send.encryptWithAd(new Uint8Array(0), msg)), msg);
      assert.deepEqual(a.recv.decryptWithAd(new Uint8Array(0), b.send.encryptWithAd(new Uint8Array(0), msg)), msg);
    });
  }

  it('gives every handshake a different hash (fresh ephemerals)', () => {
    const one = pair('IK');
    complete(one.init, one.resp);
    const two = pair('IK', { init: { s: one.initS, rs: one.respS.publicKey }, resp: { s: one.respS } });
    complete(two.init, two.resp);
    assert.notDeepEqual(one.init.handshakeHash, two.init.handshakeHash);
  });

  it('fails IKpsk2 with NOISE_ERR_DECRYPT when the psks differ', () => {
    const { init, resp } = pair('IKpsk2', { resp: { psk: bytes(32) } });
    resp.readMessage(init.writeMessage());
    throwsNoise(() => init.readMessage(resp.writeMessage()), 'NOISE_ERR_DECRYPT');
  });

  it('fails NNpsk0 with NOISE_ERR_DECRYPT on the first message when the psks differ', () => {
    const { init, resp } = pair('NNpsk0', { resp: { psk: bytes(32) } });
    throwsNoise(() => resp.readMessage(init.writeMessage()), 'NOISE_ERR_DECRYPT');
  });

  it("fails IK with NOISE_ERR_DECRYPT when the initiator has the wrong responder static key", () => {
    const { init, resp } = pair('IK', { init: { rs: generateKeyPair().publicKey } });
    throwsNoise(() => resp.readMessage(init.writeMessage()), 'NOISE_ERR_DECRYPT');
  });

  it('fails when the prologues differ', () => {
    const { init, resp } = pair('XX', { resp: { prologue: utf8Encode('another prologue') } });
    resp.readMessage(init.writeMessage());
    throwsNoise(() => init.readMessage(resp.writeMessage()), 'NOISE_ERR_DECRYPT');
  });

  it('refuses calls out of order with NOISE_ERR_STATE', () => {
    const { init, resp } = pair('IK');
    throwsNoise(() => init.readMessage(new Uint8Array(96)), 'NOISE_ERR_STATE');
    throwsNoise(() => resp.writeMessage(), 'NOISE_ERR_STATE');
    throwsNoise(() => init.split(), 'NOISE_ERR_STATE');
    throwsNoise(() => init.handshakeHash, 'NOISE_ERR_STATE');
    const m1 = init.writeMessage();
    throwsNoise(() => init.writeMessage(), 'NOISE_ERR_STATE');
    resp.readMessage(m1);
    init.readMessage(resp.writeMessage());
    throwsNoise(() => init.writeMessage(), 'NOISE_ERR_STATE');
    throwsNoise(() => resp.readMessage(new Uint8Array(48)), 'NOISE_ERR_STATE');
    init.split();
    throwsNoise(() => init.split(), 'NOISE_ERR_STATE');
  });

  it('is unusable after a failure and after destroy', () => {
    const { init, resp } = pair('IK');
    const m1 = init.writeMessage();
    throwsNoise(() => resp.readMessage(m1.subarray(0, 40)), 'NOISE_ERR_LENGTH');
    throwsNoise(() => resp.readMessage(m1), 'NOISE_ERR_STATE');
    init.destroy();
    throwsNoise(() => init.readMessage(new Uint8Array(48)), 'NOISE_ERR_STATE');
  });

  it('refuses missing or malformed keys with NOISE_ERR_KEY', () => {
    const s = generateKeyPair();
    throwsNoise(() => new HandshakeState({ pattern: 'IK', initiator: true, prologue, s }), 'NOISE_ERR_KEY');
    throwsNoise(() => new HandshakeState({ pattern: 'IK', initiator: false, prologue }), 'NOISE_ERR_KEY');
    throwsNoise(() => new HandshakeState({ pattern: 'IK', initiator: true, prologue, s, rs: bytes(31) }), 'NOISE_ERR_KEY');
    throwsNoise(() => new HandshakeState({ pattern: 'IKpsk2', initiator: false, prologue, s, psk: bytes(16) }), 'NOISE_ERR_KEY');
    throwsNoise(() => new HandshakeState({ pattern: 'NNpsk0', initiator: true, prologue }), 'NOISE_ERR_KEY');
    throwsNoise(() => new HandshakeState({ pattern: 'XX' as PatternName, initiator: true, prologue, s: { publicKey: bytes(32), secretKey: bytes(8) } }), 'NOISE_ERR_KEY');
    throwsNoise(() => new HandshakeState({ pattern: 'KK' as PatternName, initiator: true, prologue, s }), 'NOISE_ERR_STATE');
  });

  it('refuses a low-order remote static key with NOISE_ERR_KEY', () => {
    const s = generateKeyPair();
    const init = new HandshakeState({ pattern: 'IK', initiator: true, prologue, s, rs: new Uint8Array(32) });
    throwsNoise(() => init.writeMessage(), 'NOISE_ERR_KEY');
    throwsNoise(() => dh(s, Uint8Array.of(1, ...new Uint8Array(31))), 'NOISE_ERR_KEY');
  });

  it('refuses handshake messages over 65535 bytes with NOISE_ERR_LENGTH', () => {
    const { init, resp } = pair('IK');
    throwsNoise(() => init.writeMessage(new Uint8Array(65535)), 'NOISE_ERR_LENGTH');
    throwsNoise(() => resp.readMessage(new Uint8Array(65536)), 'NOISE_ERR_LENGTH');
  });

  it('throws nothing but NoiseError when reading 1,000 random messages', () => {
    const respS = generateKeyPair();
    const patterns: PatternName[] = ['IK', 'IKpsk2', 'XX', 'NNpsk0'];
    const psk = bytes(32);
    const codes = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const pattern = patterns[i % patterns.length]!;
      const resp = new HandshakeState({ pattern, initiator: false, prologue, s: respS, psk });
      try {
        resp.readMessage(bytes(randomInt(0, 201)));
        // XX's first message is a bare ephemeral + plaintext payload: any 32+ bytes read fine.
        assert.equal(pattern, 'XX', 'only XX accepts an unauthenticated first message');
      } catch (e) {
        assert.ok(e instanceof NoiseError, `threw ${String(e)}`);
        codes.add(e.code);
      }
    }
    assert.ok(codes.has('NOISE_ERR_DECRYPT') && codes.has('NOISE_ERR_LENGTH'), [...codes].join());
  });
});

describe('patterns', () => {
  it('applies psk modifiers at the start of the first or the end of the nth message', () => {
    assert.deepEqual(parsePattern('NNpsk0')?.messages, [['psk', 'e'], ['e', 'ee']]);
    assert.deepEqual(parsePattern('IKpsk2')?.messages, [['e', 'es', 's', 'ss'], ['e', 'ee', 'se', 'psk']]);
    assert.equal(parsePattern('IKpsk3'), undefined);
    assert.equal(parsePattern('QQ'), undefined);
  });
});

describe('CipherState', () => {
  it('passes data through unencrypted before it has a key', () => {
    const c = new CipherState();
    assert.equal(c.hasKey(), false);
    assert.deepEqual(c.encryptWithAd(new Uint8Array(0), Uint8Array.of(1, 2)), Uint8Array.of(1, 2));
  });

  it('refuses the reserved nonce 2^64-1 with NOISE_ERR_NONCE_EXHAUSTED', () => {
    const c = new CipherState();
    c.initializeKey(bytes(32));
    c.setNonce(MAX_NONCE - 1n);
    c.encryptWithAd(new Uint8Array(0), new Uint8Array(1));
    throwsNoise(() => c.encryptWithAd(new Uint8Array(0), new Uint8Array(1)), 'NOISE_ERR_NONCE_EXHAUSTED');
    throwsNoise(() => c.decryptWithAd(new Uint8Array(0), new Uint8Array(17)), 'NOISE_ERR_NONCE_EXHAUSTED');
  });

  it('does not advance the nonce when authentication fails', () => {
    const k = bytes(32);
    const a = new CipherState();
    const b = new CipherState();
    a.initializeKey(k);
    b.initializeKey(k);
    const ct = a.encryptWithAd(new Uint8Array(0), bytes(10));
    throwsNoise(() => b.decryptWithAd(Uint8Array.of(1), ct), 'NOISE_ERR_DECRYPT');
    assert.equal(b.nonce, 0n);
    b.decryptWithAd(new Uint8Array(0), ct);
    assert.equal(b.nonce, 1n);
  });

  it('rekeys both sides to the same new key without resetting the nonce', () => {
    const k = bytes(32);
    const [a, b, stale] = [new CipherState(), new CipherState(), new CipherState()];
    for (const c of [a, b, stale]) c.initializeKey(k);
    a.rekey();
    const ct = a.encryptWithAd(new Uint8Array(0), Uint8Array.of(7));
    throwsNoise(() => stale.decryptWithAd(new Uint8Array(0), ct), 'NOISE_ERR_DECRYPT');
    b.rekey();
    assert.deepEqual(b.decryptWithAd(new Uint8Array(0), ct), Uint8Array.of(7));
    assert.equal(a.nonce, 1n);
  });
});

describe('dh', () => {
  it('derives the same public key from the same secret and agrees on the shared secret', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    assert.deepEqual(keyPairFromSecret(a.secretKey).publicKey, a.publicKey);
    assert.deepEqual(dh(a, b.publicKey), dh(b, a.publicKey));
    throwsNoise(() => keyPairFromSecret(bytes(31)), 'NOISE_ERR_KEY');
  });
});
