// Benchmark: full in-process Noise IK handshakes (both sides: two messages written and read, split) and
// transport encryption of 1 KiB frames. Returns medians and p99 of real per-iteration timings, plus the
// cost of one X25519 DH: an IK handshake does 8 DHs and 2 key generations across both sides, which is
// nearly all of its time.
import { randomBytes } from '@noble/hashes/utils.js';
import { dh, generateKeyPair, nobleX25519, type X25519 } from '../src/core/noise/dh';
import { nativeX25519 } from '../src/node/host/nativeX25519';
import { HandshakeState } from '../src/core/noise/handshakeState';
import { SecureChannel } from '../src/core/bridge/secureChannel';

const HANDSHAKES = 300;
const WARMUP = 20;
const FRAMES = 2000;

/** The q-quantile (0..1) of `samples`, nearest-rank. */
function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** One complete IK handshake; returns both channels. */
function handshake(initS: ReturnType<typeof generateKeyPair>, respS: ReturnType<typeof generateKeyPair>, prologue: Uint8Array, x25519: X25519 = nobleX25519) {
  const init = new HandshakeState({ pattern: 'IK', initiator: true, prologue, s: initS, rs: respS.publicKey, x25519 });
  const resp = new HandshakeState({ pattern: 'IK', initiator: false, prologue, s: respS, x25519 });
  resp.readMessage(init.writeMessage());
  init.readMessage(resp.writeMessage());
  return { a: SecureChannel.fromHandshake(init), b: SecureChannel.fromHandshake(resp) };
}

export async function run(): Promise<Record<string, unknown>> {
  const initS = generateKeyPair();
  const respS = generateKeyPair();
  const prologue = randomBytes(16);
  for (let i = 0; i < WARMUP; i++) handshake(initS, respS, prologue);
  const times: number[] = [];
  for (let i = 0; i < HANDSHAKES; i++) {
    const t0 = performance.now();
    handshake(initS, respS, prologue);
    times.push(performance.now() - t0);
  }

  const { a, b } = handshake(initS, respS, prologue);
  const kib = randomBytes(1024);
  const enc: number[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const t0 = performance.now();
    const frame = a.encrypt(kib);
    enc.push((performance.now() - t0) * 1000);
    b.decrypt(frame);
  }
  a.close();
  b.close();

  const dhTimes: number[] = [];
  for (let i = 0; i < HANDSHAKES; i++) {
    const t0 = performance.now();
    dh(initS, respS.publicKey);
    dhTimes.push(performance.now() - t0);
  }
  // The same handshakes with Node's native X25519 (what the host runs), measured in the same run.
  for (let i = 0; i < WARMUP; i++) handshake(initS, respS, prologue, nativeX25519);
  const native: number[] = [];
  for (let i = 0; i < HANDSHAKES; i++) {
    const t0 = performance.now();
    handshake(initS, respS, prologue, nativeX25519);
    native.push(performance.now() - t0);
  }
  return {
    /** Both sides on noble (portable; the phone's side of a handshake is half of this). */
    handshake_ms: { p50: round(quantile(times, 0.5)), p99: round(quantile(times, 0.99)), n: times.length },
    /** Both sides on Node's native X25519 (the host's implementation). */
    handshake_native_ms: { p50: round(quantile(native, 0.5)), p99: round(quantile(native, 0.99)), n: native.length },
    handshake_native_speedup: round(quantile(times, 0.5) / quantile(native, 0.5), 1),
    transport_encrypt_1kib_us: { p50: round(quantile(enc, 0.5), 1), n: enc.length },
    x25519_dh_ms: { p50: round(quantile(dhTimes, 0.5)), n: dhTimes.length },
  };
}
