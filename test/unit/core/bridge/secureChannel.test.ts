// The encrypted transport: round trips, and every way a frame can be wrong (tampered, replayed,
// reordered, truncated, oversized, garbage) killing the channel with the right code and close code.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { CloseCode } from '../../../../src/core/wire/closeCodes';
import { CipherState, MAX_NONCE } from '../../../../src/core/noise/cipherState';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { HandshakeState } from '../../../../src/core/noise/handshakeState';
import { NoiseError } from '../../../../src/core/noise/noiseError';
import { ChannelError, MAX_FRAME, MAX_PLAINTEXT, SecureChannel, type ChannelErrorCode } from '../../../../src/core/bridge/secureChannel';

const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** Two completed IKpsk2 handshake states. */
function handshake(): { init: HandshakeState; resp: HandshakeState } {
  const respS = generateKeyPair();
  const psk = bytes(32);
  const prologue = bytes(8);
  const init = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue, s: generateKeyPair(), rs: respS.publicKey, psk });
  const resp = new HandshakeState({ pattern: 'IKpsk2', initiator: false, prologue, s: respS, psk });
  resp.readMessage(init.writeMessage());
  init.readMessage(resp.writeMessage());
  return { init, resp };
}

/** A connected channel pair: a (initiator) and b (responder). */
function channels(optsA?: { rekeyInterval?: number }, optsB?: { rekeyInterval?: number }): { a: SecureChannel; b: SecureChannel } {
  const { init, resp } = handshake();
  return { a: SecureChannel.fromHandshake(init, optsA), b: SecureChannel.fromHandshake(resp, optsB) };
}

/** A channel pair over fixed transport keys: cheap enough to make one per tampered byte. */
function keyedChannels(): { a: SecureChannel; b: SecureChannel } {
  const [k1, k2, hash] = [bytes(32), bytes(32), bytes(32)];
  const cs = (k: Uint8Array): CipherState => {
    const c = new CipherState();
    c.initializeKey(k);
    return c;
  };
  return { a: SecureChannel.fromCipherStates(cs(k1), cs(k2), hash), b: SecureChannel.fromCipherStates(cs(k2), cs(k1), hash) };
}

function throwsChannel(fn: () => unknown, code: ChannelErrorCode, closeCode: number): void {
  assert.throws(fn, (e: unknown) => e instanceof ChannelError && e.code === code && e.closeCode === closeCode);
}

/** The channel refuses everything from now on, with CHANNEL_ERR_CLOSED. */
function assertDead(ch: SecureChannel, closeCode: number): void {
  assert.equal(ch.closed, true);
  throwsChannel(() => ch.encrypt(bytes(1)), 'CHANNEL_ERR_CLOSED', closeCode);
  throwsChannel(() => ch.decrypt(bytes(40)), 'CHANNEL_ERR_CLOSED', closeCode);
}

describe('SecureChannel', () => {
  it('carries messages both ways and shares the handshake hash', () => {
    const { a, b } = channels();
    assert.deepEqual(a.handshakeHash, b.handshakeHash);
    for (const n of [0, 1, 1024, MAX_PLAINTEXT]) {
      const m = bytes(n);
      const frame = a.encrypt(m);
      assert.equal(frame.length, n + 16);
      assert.deepEqual(b.decrypt(frame), m);
      assert.deepEqual(a.decrypt(b.encrypt(m)), m);
    }
  });

  it('refuses a handshake that is not complete', () => {
    const init = new HandshakeState({ pattern: 'XX', initiator: true, prologue: bytes(0), s: generateKeyPair() });
    assert.throws(() => SecureChannel.fromHandshake(init), (e: unknown) => e instanceof NoiseError && e.code === 'NOISE_ERR_STATE');
  });

  it('kills the channel on a frame with any single byte flipped', () => {
    const { a, b } = channels();
    const frame = a.encrypt(bytes(40));
    for (let i = 0; i < frame.length; i++) {
      const { a: a2, b: b2 } = keyedChannels();
      const good = a2.encrypt(bytes(40));
      const bad = good.slice();
      bad[i]! ^= 1 << randomInt(0, 8);
      throwsChannel(() => b2.decrypt(bad), 'CHANNEL_ERR_DECRYPT', CloseCode.badFrame);
      assertDead(b2, CloseCode.badFrame);
      throwsChannel(() => b2.decrypt(good), 'CHANNEL_ERR_CLOSED', CloseCode.badFrame);
    }
    assert.deepEqual(b.decrypt(frame).length, 40);
  });

  it('kills the channel on a replayed frame', () => {
    const { a, b } = channels();
    const frame = a.encrypt(bytes(10));
    b.decrypt(frame);
    throwsChannel(() => b.decrypt(frame), 'CHANNEL_ERR_DECRYPT', CloseCode.badFrame);
    assertDead(b, CloseCode.badFrame);
  });

  it('kills the channel on reordered frames', () => {
    const { a, b } = channels();
    const first = a.encrypt(bytes(10));
    const second = a.encrypt(bytes(10));
    throwsChannel(() => b.decrypt(second), 'CHANNEL_ERR_DECRYPT', CloseCode.badFrame);
    assertDead(b, CloseCode.badFrame);
    throwsChannel(() => b.decrypt(first), 'CHANNEL_ERR_CLOSED', CloseCode.badFrame);
  });

  it('kills the channel on a truncated frame', () => {
    for (const keep of [0, 1, 15, 16, 25]) {
      const { a, b } = channels();
      const frame = a.encrypt(bytes(10));
      throwsChannel(() => b.decrypt(frame.subarray(0, keep)), 'CHANNEL_ERR_DECRYPT', CloseCode.badFrame);
      assertDead(b, CloseCode.badFrame);
    }
  });

  it('kills the channel on an oversized frame with tooLarge', () => {
    const { b } = channels();
    throwsChannel(() => b.decrypt(new Uint8Array(MAX_FRAME + 1)), 'CHANNEL_ERR_TOO_LARGE', CloseCode.tooLarge);
    assertDead(b, CloseCode.tooLarge);
  });

  it('refuses an oversized plaintext without killing the channel', () => {
    const { a, b } = channels();
    throwsChannel(() => a.encrypt(new Uint8Array(MAX_PLAINTEXT + 1)), 'CHANNEL_ERR_TOO_LARGE', CloseCode.tooLarge);
    assert.equal(a.closed, false);
    assert.deepEqual(b.decrypt(a.encrypt(Uint8Array.of(1))), Uint8Array.of(1));
  });

  it('kills the channel on garbage frames and non-bytes', () => {
    for (let i = 0; i < 200; i++) {
      const { b } = keyedChannels();
      throwsChannel(() => b.decrypt(bytes(randomInt(0, 300))), 'CHANNEL_ERR_DECRYPT', CloseCode.badFrame);
      assertDead(b, CloseCode.badFrame);
    }
    const { b } = channels();
    throwsChannel(() => b.decrypt('not bytes' as unknown as Uint8Array), 'CHANNEL_ERR_DECRYPT', CloseCode.badFrame);
    assertDead(b, CloseCode.badFrame);
  });

  it('refuses use after close() with CHANNEL_ERR_CLOSED and the normal close code', () => {
    const { a, b } = channels();
    const frame = a.encrypt(bytes(3));
    b.close();
    b.close();
    assertDead(b, CloseCode.normal);
    throwsChannel(() => b.decrypt(frame), 'CHANNEL_ERR_CLOSED', CloseCode.normal);
  });

  it('rekeys every rekeyInterval messages per direction, in step on both sides', () => {
    const { a, b } = channels({ rekeyInterval: 3 }, { rekeyInterval: 3 });
    for (let i = 0; i < 20; i++) {
      const m = bytes(i);
      assert.deepEqual(b.decrypt(a.encrypt(m)), m);
      if (i % 2) assert.deepEqual(a.decrypt(b.encrypt(m)), m);
    }
  });

  it('fails against a peer that did not rekey', () => {
    const { a, b } = channels({ rekeyInterval: 3 });
    for (let i = 0; i < 3; i++) b.decrypt(a.encrypt(bytes(5)));
    throwsChannel(() => b.decrypt(a.encrypt(bytes(5))), 'CHANNEL_ERR_DECRYPT', CloseCode.badFrame);
    assertDead(b, CloseCode.badFrame);
  });

  it('stops with CHANNEL_ERR_NONCE_EXHAUSTED at the reserved nonce', () => {
    const { init, resp } = handshake();
    const x = init.split();
    const y = resp.split();
    x.send.setNonce(MAX_NONCE - 1n);
    y.recv.setNonce(MAX_NONCE - 1n);
    const a = SecureChannel.fromCipherStates(x.send, x.recv, init.handshakeHash);
    const b = SecureChannel.fromCipherStates(y.send, y.recv, resp.handshakeHash);
    assert.deepEqual(b.decrypt(a.encrypt(Uint8Array.of(9))), Uint8Array.of(9));
    throwsChannel(() => a.encrypt(Uint8Array.of(9)), 'CHANNEL_ERR_NONCE_EXHAUSTED', CloseCode.internalError);
    assertDead(a, CloseCode.internalError);
    throwsChannel(() => b.decrypt(bytes(17)), 'CHANNEL_ERR_NONCE_EXHAUSTED', CloseCode.internalError);
  });

  it('refuses a non-positive rekey interval', () => {
    const { init } = handshake();
    assert.throws(() => SecureChannel.fromHandshake(init, { rekeyInterval: 0 }), RangeError);
  });
});
