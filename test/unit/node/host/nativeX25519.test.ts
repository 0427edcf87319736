import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bytesToHex, hexToBytes } from '../../../../src/core/base/bytes';
import { dh, generateKeyPair, keyPairFromSecret, nobleX25519 } from '../../../../src/core/noise/dh';
import { HandshakeState } from '../../../../src/core/noise/handshakeState';
import { NoiseError } from '../../../../src/core/noise/noiseError';
import { nativeX25519 } from '../../../../src/node/host/nativeX25519';

const VECTORS = path.resolve(__dirname, '../../../../../test/vectors/noise-cacophony.json');

describe('nativeX25519', () => {
  it('agrees with noble on public keys and shared secrets for 50 random key pairs', () => {
    for (let i = 0; i < 50; i++) {
      const a = generateKeyPair();
      const b = generateKeyPair();
      assert.equal(bytesToHex(nativeX25519.getPublicKey(a.secretKey)), bytesToHex(a.publicKey));
      assert.equal(bytesToHex(dh(a, b.publicKey, nativeX25519)), bytesToHex(dh(a, b.publicKey, nobleX25519)));
    }
  });

  it('matches the RFC 7748 §6.1 Diffie-Hellman example', () => {
    const alice = keyPairFromSecret(hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), nativeX25519);
    assert.equal(bytesToHex(alice.publicKey), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    const shared = dh(alice, hexToBytes('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'), nativeX25519);
    assert.equal(bytesToHex(shared), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  });

  it('refuses a low-order public key with NOISE_ERR_KEY', () => {
    const a = generateKeyPair(nativeX25519);
    assert.throws(() => dh(a, new Uint8Array(32), nativeX25519), (e: unknown) => e instanceof NoiseError && e.code === 'NOISE_ERR_KEY');
  });

  it('passes every IK and XX Noise test vector when both sides use it', () => {
    const { vectors } = JSON.parse(fs.readFileSync(VECTORS, 'utf8')) as { vectors: Record<string, string & unknown>[] };
    let ran = 0;
    for (const v of vectors.filter((x) => /_(IK|XX)_/.test(x.protocol_name as string))) {
      const pattern = (v.protocol_name as string).split('_')[1] as 'IK' | 'XX';
      const key = (hex: string | undefined) => (hex ? keyPairFromSecret(hexToBytes(hex), nativeX25519) : undefined);
      const init = new HandshakeState({ pattern, initiator: true, prologue: hexToBytes(v.init_prologue as string), s: key(v.init_static as string), e: key(v.init_ephemeral as string), rs: v.init_remote_static ? hexToBytes(v.init_remote_static as string) : undefined, x25519: nativeX25519 });
      const resp = new HandshakeState({ pattern, initiator: false, prologue: hexToBytes(v.resp_prologue as string), s: key(v.resp_static as string), e: key(v.resp_ephemeral as string), x25519: nativeX25519 });
      const messages = v.messages as unknown as { payload: string; ciphertext: string }[];
      const rounds = pattern === 'IK' ? 2 : 3;
      for (let i = 0; i < rounds; i++) {
        const [w, r] = i % 2 === 0 ? [init, resp] : [resp, init];
        const ct = w.writeMessage(hexToBytes(messages[i]!.payload));
        assert.equal(bytesToHex(ct), messages[i]!.ciphertext, `${v.protocol_name} message ${i}`);
        assert.equal(bytesToHex(r.readMessage(ct)), messages[i]!.payload);
      }
      ran++;
    }
    assert.ok(ran >= 2, 'no IK/XX vectors found');
  });
});
