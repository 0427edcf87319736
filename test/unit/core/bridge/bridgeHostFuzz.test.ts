import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { BridgeClient } from '../../../../src/core/bridge/bridgeClient';
import { BridgeHost } from '../../../../src/core/bridge/bridgeHost';
import { bytesToBase64url, concatBytes } from '../../../../src/core/base/bytes';
import { prologueFor } from '../../../../src/core/bridge/channelHandshake';
import { ManualClock } from '../../../../src/core/base/clock';
import { DeviceRegistry } from '../../../../src/core/pairing/deviceRegistry';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { HandshakeState } from '../../../../src/core/noise/handshakeState';
import { PairingOffers } from '../../../../src/core/pairing/pairingOffers';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { nativeX25519 } from '../../../../src/node/host/nativeX25519';
import { FakeRelay, settle, type FakeDeviceSocket } from './fakeBridgeLinks';

const OPS = 10_000;

/** Flips 1–4 random bytes (or cuts the frame short) of a genuine frame. */
function mutate(frame: Uint8Array): Uint8Array {
  const out = frame.slice();
  if (randomInt(4) === 0) return out.subarray(0, randomInt(out.length));
  for (let n = 1 + randomInt(4); n > 0; n--) out[randomInt(out.length)] ^= 1 + randomInt(255);
  return out;
}

describe('BridgeHost under fuzzing', function () {
  this.timeout(180_000);

  it(`survives ${OPS} random and mutated frames, then still serves a paired device and pairs a new one`, async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      const clock = new ManualClock();
      const relay = new FakeRelay();
      const hostKey = generateKeyPair(nativeX25519);
      const hostId = bytesToBase64url(new Uint8Array(randomBytes(32)));
      const offers = new PairingOffers({ clock, hostId, hostPublicKey: hostKey.publicKey, relayUrl: 'ws://relay.test' });
      let saved: string | undefined;
      const registry = await DeviceRegistry.open({ load: async () => saved, save: async (j) => void (saved = j) }, clock);
      const host = new BridgeHost({ link: relay.hostLink, staticKey: hostKey, hostId, hostName: 'fuzz box', offers, registry, clock, x25519: nativeX25519 });
      const url = `ws://relay.test/v1/device/${hostId}`;

      const pair = async (name: string) => {
        const offer = offers.create();
        const client = new BridgeClient({ relayUrl: 'ws://relay.test', hostId, hostPublicKey: hostKey.publicKey, identity: generateKeyPair(), pairing: { psk: offer.psk, deviceName: name }, connect: relay.connect, clock });
        const got: HostMessage[] = [];
        client.onMessage((m) => got.push(m));
        client.start();
        await settle();
        assert.equal(client.state.state, 'online', `${name} did not come online`);
        return { client, got };
      };
      const good = await pair('good phone');
      const goodId = host.connectedDevices()[0]!.id;

      // Genuine first messages to mutate: a pairing attempt and a reconnect attempt.
      const pskOffer = offers.create();
      const genuine = [
        concatBytes(Uint8Array.of(1), new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: prologueFor(hostId), s: generateKeyPair(nativeX25519), rs: hostKey.publicKey, psk: pskOffer.psk, x25519: nativeX25519 }).writeMessage(new TextEncoder().encode('{"v":1,"name":"x"}'))),
        concatBytes(Uint8Array.of(2), new HandshakeState({ pattern: 'IK', initiator: true, prologue: prologueFor(hostId), s: generateKeyPair(nativeX25519), rs: hostKey.publicKey, x25519: nativeX25519 }).writeMessage(new TextEncoder().encode('{"v":1}'))),
      ];
      // Rounds of 100 operations: open 40 sockets (and let them open), then throw frames at them and at the
      // host's conns in every phase, and close some.
      let sockets: FakeDeviceSocket[] = [];
      const closeCodes = new Map<number, number>();
      for (let op = 0; op < OPS; ) {
        for (let k = 0; k < 40; k++) {
          const socket = relay.connect(url);
          socket.onClose(({ code }) => closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1));
          sockets.push(socket);
        }
        await settle();
        for (let k = 0; k < 100; k++, op++) {
          const socket = sockets[randomInt(sockets.length)]!;
          switch (op % 5) {
            case 0:
              socket.send(new Uint8Array(randomBytes(randomInt(200))));
              break;
            case 1:
            case 3:
              socket.send(mutate(genuine[randomInt(genuine.length)]!));
              break;
            case 2:
              socket.send(new Uint8Array(randomBytes(1 + randomInt(300))));
              break;
            case 4:
              if (randomInt(4) === 0) socket.close(1000, 'bye');
              else socket.send(concatBytes(Uint8Array.of(1 + randomInt(2)), new Uint8Array(randomBytes(randomInt(120)))));
              break;
          }
        }
        await settle();
        sockets = sockets.filter((s) => !s.isClosed);
      }
      // The frames really reached the host: it closed the junk connections with handshake and frame codes.
      const refused = [...closeCodes.entries()].filter(([code]) => code >= 4000).reduce((n, [, c]) => n + c, 0);
      console.log(`      host closed ${refused} junk connections; close codes ${JSON.stringify([...closeCodes])}`);
      assert.ok(refused > 1000, `only ${refused} connections were refused by the host: ${JSON.stringify([...closeCodes])}`);
      await settle();
      assert.deepEqual(rejections, [], 'an unhandled rejection escaped');

      // The paired device is still served, over its untouched channel.
      const before = good.got.length;
      assert.equal(host.send(goodId, { type: 'error', code: 'HOST_ERR_NO_SESSION', message: 'still here' }), 1);
      await settle();
      assert.deepEqual(good.got.slice(before).map((m) => m.type === 'error' && m.message), ['still here']);
      // And a new device can still pair once the failed-attempt lockout has passed.
      clock.advance(61_000);
      await settle();
      await pair('after the fuzz');
      assert.equal(registry.list().length, 2, 'no junk device was registered');
      good.client.close();
      host.dispose();
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
