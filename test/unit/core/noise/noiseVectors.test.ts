// Runs the Noise test vectors (cacophony JSON format, see test/vectors/README.md) through HandshakeState
// and the transport cipher states: every handshake message, every transport message, the handshake hash.
// The file is $NOISE_VECTORS when set, else test/vectors/noise-cacophony.json.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bytesToHex, hexToBytes } from '../../../../src/core/base/bytes';
import type { CipherState } from '../../../../src/core/noise/cipherState';
import { keyPairFromSecret } from '../../../../src/core/noise/dh';
import { HandshakeState, patternOfProtocolName } from '../../../../src/core/noise/handshakeState';

// The built test lives at out/test/unit/core/.
const ROOT = path.resolve(__dirname, '../../../../..');
const FILE = process.env.NOISE_VECTORS ? path.resolve(process.env.NOISE_VECTORS) : path.join(ROOT, 'test/vectors/noise-cacophony.json');

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_static?: string;
  init_ephemeral?: string;
  init_remote_static?: string;
  init_psks?: string[];
  resp_prologue: string;
  resp_static?: string;
  resp_ephemeral?: string;
  resp_remote_static?: string;
  resp_psks?: string[];
  handshake_hash?: string;
  messages: { payload: string; ciphertext: string }[];
}

const vectors = (JSON.parse(fs.readFileSync(FILE, 'utf8')) as { vectors: Vector[] }).vectors;

function side(v: Vector, initiator: boolean): HandshakeState {
  const pattern = patternOfProtocolName(v.protocol_name);
  assert.ok(pattern, `unsupported protocol ${v.protocol_name}`);
  const p = initiator ? 'init_' : 'resp_';
  const field = (name: string): string | undefined => (v as unknown as Record<string, string | undefined>)[p + name];
  const psks = (initiator ? v.init_psks : v.resp_psks) ?? [];
  assert.ok(psks.length <= 1, `${v.protocol_name}: more psks than Walkie's patterns use`);
  const s = field('static');
  const e = field('ephemeral');
  const rs = field('remote_static');
  return new HandshakeState({
    pattern,
    initiator,
    prologue: hexToBytes(field('prologue') ?? ''),
    s: s ? keyPairFromSecret(hexToBytes(s)) : undefined,
    e: e ? keyPairFromSecret(hexToBytes(e)) : undefined,
    rs: rs ? hexToBytes(rs) : undefined,
    psk: psks[0] ? hexToBytes(psks[0]) : undefined,
  });
}

describe('Noise test vectors', () => {
  it('has vectors to run', () => {
    assert.ok(vectors.length > 0, `no vectors in ${FILE}`);
  });

  vectors.forEach((v, i) => {
    it(`${v.protocol_name} (vector ${i})`, () => {
      console.log(`      running ${v.protocol_name}`);
      const init = side(v, true);
      const resp = side(v, false);
      let transport: { init: { send: CipherState; recv: CipherState }; resp: { send: CipherState; recv: CipherState } } | undefined;
      v.messages.forEach((m, j) => {
        const initiatorSends = j % 2 === 0;
        const payload = hexToBytes(m.payload);
        if (!transport) {
          const [sender, receiver] = initiatorSends ? [init, resp] : [resp, init];
          const ciphertext = sender.writeMessage(payload);
          assert.equal(bytesToHex(ciphertext), m.ciphertext, `message ${j} ciphertext`);
          assert.equal(bytesToHex(receiver.readMessage(ciphertext)), m.payload, `message ${j} payload`);
          assert.equal(init.isComplete, resp.isComplete, `message ${j}: both sides agree on completion`);
          if (init.isComplete) {
            assert.deepEqual(init.handshakeHash, resp.handshakeHash);
            if (v.handshake_hash) assert.equal(bytesToHex(init.handshakeHash), v.handshake_hash, 'handshake hash');
            transport = { init: init.split(), resp: resp.split() };
          }
        } else {
          const [sender, receiver] = initiatorSends ? [transport.init, transport.resp] : [transport.resp, transport.init];
          const ciphertext = sender.send.encryptWithAd(new Uint8Array(0), payload);
          assert.equal(bytesToHex(ciphertext), m.ciphertext, `message ${j} ciphertext`);
          assert.equal(bytesToHex(receiver.recv.decryptWithAd(new Uint8Array(0), ciphertext)), m.payload, `message ${j} payload`);
        }
      });
      assert.ok(transport, 'the handshake completed');
    });
  });
});
