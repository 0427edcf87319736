import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import net from 'node:net';
import { WebSocket } from 'ws';
import { signRelayChallenge } from '../../../src/core/wire/relayAuth';
import type { RelayServer } from '../../../src/relay/relayServer';
import { connectDevice, connFrame, connectHost, eventually, Inbox, newSecret, startRelay, challengedHost } from './relayTestKit';

const OPS = 10_000;

/** Flips, drops, duplicates or truncates bytes of `text` (a mutation fuzzer's basic moves). */
function mutate(text: string): string {
  const b = Buffer.from(text);
  const pos = randomInt(0, Math.max(1, b.length));
  switch (randomInt(0, 5)) {
    case 0:
      b[pos] = randomInt(32, 127);
      return b.toString('latin1');
    case 1:
      return text.slice(0, pos);
    case 2:
      return text.slice(0, pos) + text.slice(pos + 1);
    case 3:
      return text.slice(0, pos) + text.slice(pos, pos + 8).repeat(randomInt(2, 200)) + text.slice(pos);
    default:
      return randomBytes(randomInt(0, 64)).toString('latin1');
  }
}

const JUNK_JSON = [
  'null', '[]', '{}', '"close"', '{"type":"close"}', '{"type":"close","conn":1,"code":1000}', '{"type":"close","conn":-1,"code":1000,"reason":""}',
  '{"type":"close","conn":1e308,"code":4000,"reason":""}', '{"type":"close","conn":4294967296,"code":4000,"reason":""}',
  '{"type":"close","conn":1,"code":4000,"reason":"","extra":1}', '{"type":"auth","publicKey":"a","signature":"b"}',
  '{"type":"open","conn":1}', '{"__proto__":{"type":"close"},"conn":1}', '{"type":"close","conn":"1","code":"4000","reason":""}',
  `{"type":"close","conn":1,"code":4000,"reason":"${'é'.repeat(100)}"}`, '[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]', 'x'.repeat(5000),
];

/** A masked client frame with random opcode/flags, a possibly lying length (up to 2^63) and a possibly truncated body. */
function rawFrame(): Buffer {
  const rsv = randomInt(0, 4) === 0 ? randomInt(1, 8) << 4 : 0;
  const first = (randomInt(0, 2) << 7) | rsv | randomInt(0, 16);
  const kind = randomInt(0, 3);
  const body = randomBytes(randomInt(0, 300));
  const header: number[] = [first];
  if (kind === 0) header.push(0x80 | Math.min(body.length, 125));
  else if (kind === 1) header.push(0x80 | 126, randomInt(0, 256), randomInt(0, 256));
  else {
    header.push(0x80 | 127);
    for (let i = 0; i < 8; i++) header.push(randomInt(0, 256));
  }
  const frame = Buffer.concat([Buffer.from(header), randomBytes(4), body]);
  return randomInt(0, 4) === 0 ? frame.subarray(0, randomInt(0, frame.length)) : frame;
}

/** Opens a raw TCP connection, performs a WebSocket upgrade by hand, then writes `junk` and hangs up. */
function rawSession(port: number, path: string, junk: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (): void => {
      s.destroy();
      resolve();
    };
    const timer = setTimeout(done, 300);
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.once('connect', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
    });
    s.once('data', () => {
      for (const j of junk) s.write(j);
      setTimeout(done, 5);
    });
  });
}

describe('RelayServer under fuzzing', function () {
  this.timeout(120_000);
  let relay: RelayServer;
  let base: string;
  let port: number;
  const faults: unknown[] = [];
  const onFault = (e: unknown): void => void faults.push(e);

  before(async () => {
    process.on('unhandledRejection', onFault);
    process.on('uncaughtException', onFault);
    const fast = { msgsPerSec: 1e6, msgsBurst: 1e6, bytesPerSec: 1e9, bytesBurst: 1e9 };
    ({ relay, base, port } = await startRelay({ limits: { authTimeoutMs: 2000, deviceRate: fast, hostRate: fast, upgradesPerSec: 1e6, upgradesBurst: 1e6 } }));
  });
  after(async () => {
    process.off('unhandledRejection', onFault);
    process.off('uncaughtException', onFault);
    await relay.close();
  });

  it(`survives ${OPS} random and mutated frames and messages, then still routes a good pair`, async () => {
    const secret = newSecret();
    let host = await connectHost(base, secret);
    let devices: Inbox[] = [];
    const counts: Record<string, number> = {};
    const openSockets: WebSocket[] = [];
    const live = (ws: WebSocket): boolean => ws.readyState === WebSocket.OPEN;

    for (let op = 0; op < OPS; op++) {
      if (!live(host.inbox.ws)) {
        host.inbox.ws.terminate();
        host = await connectHost(base, secret);
      }
      devices = devices.filter((d) => live(d.ws) || (d.ws.terminate(), false));
      while (devices.length < 3) {
        // Not connectDevice: the host's inbox is full of forwarded frames, so its `open` notice is not next.
        const d = new Inbox(new WebSocket(`${base}/v1/device/${host.hostId}`));
        openSockets.push(d.ws);
        try {
          await d.opened;
          devices.push(d);
        } catch {
          break; // the host just fell over (our own junk); the next op reconnects it
        }
      }
      const device = devices[randomInt(0, Math.max(1, devices.length))];
      const roll = randomInt(0, 1000);
      let kind: string;
      if (roll < 470 && device) {
        kind = 'device-binary';
        device.ws.send(randomBytes(randomInt(0, 2048)));
      } else if (roll < 790) {
        kind = 'host-binary-any-conn';
        host.inbox.ws.send(connFrame(randomInt(0, 2) ? randomInt(0, 2 ** 32) : randomInt(0, 40), randomBytes(randomInt(0, 512))));
      } else if (roll < 935) {
        kind = 'host-text-valid-close-for-unknown-conn';
        host.inbox.ws.send(JSON.stringify({ type: 'close', conn: randomInt(1_000_000, 2 ** 32), code: 4000 + randomInt(0, 1000), reason: 'x' }));
      } else if (roll < 945) {
        kind = 'host-text-junk';
        const seed = JUNK_JSON[randomInt(0, JUNK_JSON.length)]!;
        host.inbox.ws.send(randomInt(0, 2) ? seed : mutate(seed));
      } else if (roll < 950) {
        kind = 'host-binary-truncated-header';
        host.inbox.ws.send(randomBytes(randomInt(0, 4)));
      } else if (roll < 965 && device) {
        kind = 'device-text';
        device.ws.send(mutate('{"type":"hello"}'));
      } else if (roll < 968 && device) {
        kind = 'device-oversize';
        device.ws.send(randomBytes(70_001 + randomInt(0, 1000)));
      } else if (roll < 980) {
        kind = 'pending-host-junk-auth';
        const { inbox, nonce } = await challengedHost(base);
        const good = JSON.stringify({ type: 'auth', ...signRelayChallenge(newSecret(), nonce) });
        inbox.ws.send(randomInt(0, 4) ? mutate(good) : randomBytes(randomInt(0, 200)));
        openSockets.push(inbox.ws);
      } else {
        kind = 'raw-frames';
        const path = randomInt(0, 2) ? '/v1/host' : `/v1/device/${host.hostId}`;
        await rawSession(port, path, Array.from({ length: randomInt(1, 6) }, rawFrame));
      }
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (op % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    assert.ok(total >= OPS, `sent ${total}`);
    for (const ws of openSockets) ws.terminate();
    host.inbox.ws.terminate();
    await eventually(() => relay.stats().hosts === 0 && relay.stats().devices === 0, 5000);

    // A good pair still works, both ways.
    const good = await connectHost(base);
    const device = await connectDevice(base, good);
    device.inbox.ws.send(Buffer.from('after the storm'));
    const up = await good.inbox.nextBinary();
    assert.equal(up.readUInt32BE(0), device.conn);
    assert.equal(up.subarray(4).toString(), 'after the storm');
    good.inbox.ws.send(connFrame(device.conn, Buffer.from('still routing')));
    assert.equal((await device.inbox.nextBinary()).toString(), 'still routing');
    assert.deepEqual(relay.stats(), { hosts: 1, devices: 1 });
    good.inbox.ws.terminate();
    device.inbox.ws.terminate();
    assert.deepEqual(faults, [], 'an exception or rejection escaped');
  });
});
