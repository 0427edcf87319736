// Fault injection on a real relay, host link and devices (issue 17): the network is lost the way mobile data
// loses it — packets dropped, nothing closed — through a TCP proxy that black-holes traffic; the relay is
// restarted; four devices resync thousands of events at once.
import assert from 'node:assert/strict';
import { CloseCode } from '../../src/core/wire/closeCodes';
import { SYNC_WINDOW } from '../../src/core/host/hostService';
import type { DeviceSocket } from '../../src/core/bridge/links';
import { LEGACY_SYNC_TAIL } from '../../src/core/host/legacySync';
import { wsDeviceSocketFactory } from '../../src/node/host/wsDeviceSocket';
import { V1Device, type V1Socket } from '../unit/core/bridge/v1Peers';
import { NetStack, waitFor, type NetDevice } from './netStack';

/** Real WebSockets for the v1 device stand-in, each saying whether (and how) it closed. */
const realSockets = {
  connect(url: string): V1Socket {
    const s: DeviceSocket = wsDeviceSocketFactory(url);
    const t = { onOpen: s.onOpen, onFrame: s.onFrame, onClose: s.onClose, send: (f: Uint8Array) => s.send(f), close: (code: number, reason: string) => s.close(code, reason), isClosed: false, closeCode: undefined as number | undefined };
    s.onClose(({ code }) => {
      t.isClosed = true;
      t.closeCode = code;
    });
    return t;
  },
};

const HEARTBEAT = { intervalMs: 400, deadAfterMs: 1_200 };

describe('Silent network loss, relay restarts and mass resyncs (real relay, real sockets)', function () {
  this.timeout(60_000);
  let net: NetStack;

  beforeEach(async () => {
    net = await new NetStack({ heartbeat: HEARTBEAT, deviceDeadAfterMs: 1_600, hostPingMs: 300, hostIdleMs: 1_000 }).start();
  });
  afterEach(async () => {
    await net.close();
  });

  it('a device whose packets are silently dropped notices, reconnects once the network is back, and misses nothing', async () => {
    const phone = await net.device('phone');
    const host = net.host!;
    const disconnected: string[] = [];
    host.bridge.onDeviceDisconnected((d) => disconnected.push(d.name));
    net.deviceProxy.blackHole();
    host.session.chat.append({ kind: 'assistant', text: 'said into the void' });
    // The device gives up on the silent channel (it would otherwise wait for TCP: minutes).
    await waitFor(() => phone.states.some((s) => s.state === 'offline' && s.code === CloseCode.tryAgainLater), 5_000, 'the device to declare the link dead').catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(phone.states)} ${JSON.stringify([...(phone.client.features ?? [])])}`);
    });
    // And the host drops its end too.
    await waitFor(() => disconnected.includes('phone'), 5_000, 'the host to drop the silent device');
    net.deviceProxy.restore();
    await waitFor(() => phone.client.state.state === 'online', 5_000, 'the device back online');
    host.session.chat.append({ kind: 'assistant', text: 'after the outage' });
    await waitFor(() => (phone.store.state.chats.s1 ?? []).length === 2, 5_000, 'both events');
    assert.deepEqual(phone.store.state.chats.s1!.map((c) => c.event.kind === 'assistant' && c.event.text), ['said into the void', 'after the outage']);
  });

  it('the host notices its relay link went silent, reconnects, and its devices come back', async () => {
    const phone = await net.device('phone');
    const host = net.host!;
    net.hostProxy.blackHole();
    await waitFor(() => host.linkStates.includes('offline'), 5_000, 'the host to declare its relay link dead');
    net.hostProxy.restore();
    await waitFor(() => host.link.isOnline, 5_000, 'the host link back');
    await waitFor(() => phone.client.state.state === 'online' && host.bridge.connectedDevices().length === 1, 10_000, 'the device back');
    host.session.chat.append({ kind: 'assistant', text: 'still here' });
    await waitFor(() => (phone.store.state.chats.s1 ?? []).some((c) => c.event.kind === 'assistant' && c.event.text === 'still here'), 5_000, 'the event');
  });

  it('a device whose attempt was swallowed by the dead network is back within about a second of the network returning', async function () {
    // A dead bound of 6 s gives each attempt 5 s to open (OPEN_TIMEOUT_MS): a device that waited for its
    // swallowed attempt to time out would be back ≥ 4.8 s after the network, one that overlaps attempts in ~1 s.
    this.timeout(60_000);
    await net.close();
    net = await new NetStack({ heartbeat: { intervalMs: 1_000, deadAfterMs: 6_000 }, deviceDeadAfterMs: 7_000 }).start();
    const phone = await net.device('phone');
    const host = net.host!;
    net.deviceProxy.blackHole();
    await waitFor(() => phone.client.state.state !== 'online', 15_000, 'the device to declare the link dead');
    host.session.chat.append({ kind: 'assistant', text: 'missed' });
    // The network comes back just after the device started an attempt into the void.
    const accepted = net.deviceProxy.accepted;
    await waitFor(() => net.deviceProxy.accepted > accepted, 5_000, 'an attempt in the dead network');
    await new Promise((r) => setTimeout(r, 200));
    net.deviceProxy.restore();
    const t = await waitFor(() => (phone.store.state.chats.s1 ?? []).some((c) => c.event.kind === 'assistant' && c.event.text === 'missed'), 15_000, 'the missed event');
    assert.ok(t < 3_000, `back with the missed event ${t} ms after the network`);
    // One channel at the host, one live socket: the attempts that lost were closed.
    await waitFor(() => net.deviceProxy.forwarding === 1, 5_000, 'only the winning socket left');
    assert.equal(host.bridge.connectedDevices().length, 1);
    assert.equal(phone.client.state.state, 'online');
  });

  it('the host whose relay attempt was swallowed by the dead network is back within about a second of it returning', async () => {
    const phone = await net.device('phone');
    const host = net.host!;
    net.hostProxy.blackHole();
    await waitFor(() => host.linkStates.includes('offline'), 5_000, 'the host to declare its relay link dead');
    const accepted = net.hostProxy.accepted;
    await waitFor(() => net.hostProxy.accepted > accepted, 5_000, 'an attempt in the dead network');
    await new Promise((r) => setTimeout(r, 200));
    net.hostProxy.restore();
    // An attempt that waited for its own timeout would take the link's 10 s upgrade timeout (or its idle bound).
    const t = await waitFor(() => host.link.isOnline, 10_000, 'the host link back');
    assert.ok(t < 3_000, `the host link back ${t} ms after the network`);
    await waitFor(() => phone.client.state.state === 'online' && host.bridge.connectedDevices().length === 1, 10_000, 'the device back');
    await waitFor(() => net.hostProxy.forwarding === 1, 5_000, 'only the winning host socket left');
  });

  it('comes back after a relay restart without waiting out a long backoff', async () => {
    const phone = await net.device('phone');
    await net.stopRelay();
    await waitFor(() => phone.client.state.state !== 'online', 5_000, 'the device to see the relay go');
    // Long enough that a plain exponential backoff would have grown to several seconds.
    await new Promise((r) => setTimeout(r, 6_000));
    await net.startRelay(net.relayPort);
    const t = await waitFor(() => phone.client.state.state === 'online' && net.host!.link.isOnline, 10_000, 'the device back');
    // A second for the host's next try, a second for the device's, and the handshakes.
    assert.ok(t < 4_000, `back ${t} ms after the relay`);
  });

  it('four devices resyncing 4,900 events each at once do not get the host rate-limited, and each gets a thread', async () => {
    const phones: NetDevice[] = [];
    for (const name of ['a', 'b', 'c', 'd']) phones.push(await net.device(name));
    const host = net.host!;
    net.deviceProxy.blackHole();
    await waitFor(() => phones.every((p) => p.client.state.state !== 'online') && host.bridge.connectedDevices().length === 0, 5_000, 'all devices offline').catch((e: Error) => {
      throw new Error(`${e.message}: ${phones.map((p) => p.client.state.state).join()} / ${host.bridge.connectedDevices().length}`);
    });
    for (let i = 1; i <= 4900; i++) host.session.chat.append({ kind: 'assistant', text: `line ${i}: ${'x'.repeat(40)}` });
    net.deviceProxy.restore();
    for (const p of phones) p.client.reconnectNow();
    await waitFor(() => phones.every((p) => p.store.state.chats.s1?.at(-1)?.seq === 4900), 10_000, 'every device synced');
    for (const p of phones) assert.equal(p.store.state.chats.s1!.length, SYNC_WINDOW);
    assert.equal(host.linkStates.includes('offline'), false, 'the host link was never dropped');
    for (const p of phones) assert.equal(p.states.some((s) => s.code === CloseCode.rateLimited), false, `${p.name} was rate-limited`);
  });

  it('four old (v1) devices syncing a 10,000-event session at once each get its newest events, and nobody is cut off', async () => {
    const host = net.host!;
    for (let i = 1; i <= 10_000; i++) host.session.chat.append({ kind: 'assistant', text: `line ${i}: ${'x'.repeat(40)}` });
    const phone = await net.device('phone');
    const olds: V1Device[] = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      const offer = host.offers.create();
      olds.push(new V1Device(realSockets, { hostId: host.hostId, hostPublicKey: offer.hostPublicKey, psk: offer.psk, name, relayUrl: `ws://127.0.0.1:${net.deviceProxy.port}` }));
      await waitFor(() => olds.at(-1)!.online, 5_000, `old device ${name} paired`);
    }
    for (const old of olds) old.send({ type: 'sync', session: 's1', after: 0 });
    await waitFor(() => olds.every((o) => o.of('synced').length === 1 || !o.online), 20_000, 'every old device synced');
    for (const old of olds) {
      assert.equal(old.online, true, `closed with ${old.closeCode}`);
      assert.deepEqual(old.refused, []);
      const chats = old.of('chat');
      // A run its cursor shows (1, 2, 3…), with the newest events, oldest first.
      assert.deepEqual(chats.map((c) => c.seq), Array.from({ length: LEGACY_SYNC_TAIL }, (_, k) => k + 1));
      const newest = chats.at(-1)!.event;
      assert.ok(newest.kind === 'assistant' && newest.text.startsWith('line 10000:'), 'ends with the newest event');
    }
    assert.equal(host.linkStates.includes('offline'), false, 'the host link was never dropped');
    assert.equal(phone.states.some((x) => x.code === CloseCode.rateLimited), false);
    assert.equal(phone.client.state.state, 'online');
  });
});
