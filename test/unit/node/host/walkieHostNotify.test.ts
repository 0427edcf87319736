// Notifications through a real host (issue 12): a paired device registers its push subscription over the
// encrypted channel (feature `notify`), the host keeps it with the device and, when an approval waits and
// the user is away, sends a VAPID-signed, aes128gcm-encrypted push to the device's push service (a local
// stand-in that verifies both). Nothing while the user is at the computer; a 410 drops the subscription;
// the VAPID key survives a host restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BridgeClient } from '../../../../src/core/bridge/bridgeClient';
import { systemClock } from '../../../../src/core/base/clock';
import { generateKeyPair } from '../../../../src/core/noise/dh';
import { parsePairingUrl } from '../../../../src/core/pairing/pairingPayload';
import type { DeviceNotifySettings } from '../../../../src/core/wire/notifySettings';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { FileStateStore } from '../../../../src/node/host/fileStateStore';
import { WalkieHost } from '../../../../src/node/host/walkieHost';
import { wsDeviceSocketFactory } from '../../../../src/node/host/wsDeviceSocket';
import { HttpStub } from '../notify/httpStub';
import { decryptAes128gcm, makeSubscriber, PushServiceStub, vapidKeyOf } from '../notify/pushServiceStub';

const CANARY = 'CANARY-7f3a';

function waitFor<T>(got: HostMessage[], pick: (m: HostMessage) => T | undefined, from = 0, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      for (const m of got.slice(from)) {
        const v = pick(m);
        if (v !== undefined) return resolve(v);
      }
      if (Date.now() - started > ms) return reject(new Error('timed out waiting for a host message'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('WalkieHost notifications (feature notify, Web Push to a local push service)', function () {
  this.timeout(30_000);
  let dir: string;
  let stub: PushServiceStub;
  let host: WalkieHost;
  let client: BridgeClient;
  let present = false;
  const got: HostMessage[] = [];
  const subscriber = makeSubscriber();

  const start = () =>
    WalkieHost.start({
      store: new FileStateStore(path.join(dir, 'state')),
      relay: { kind: 'embedded' },
      hostName: 'notify host',
      presence: () => present,
      notify: { pushHosts: ['127.0.0.1'] },
    });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-notify-host-'));
    stub = await new PushServiceStub().start();
    host = await start();
    const offer = parsePairingUrl(host.newPairingUrl().url);
    client = new BridgeClient({ relayUrl: offer.relayUrl, hostId: offer.hostId, hostPublicKey: offer.hostPublicKey, identity: generateKeyPair(), pairing: { psk: offer.psk, deviceName: 'push phone' }, connect: wsDeviceSocketFactory, clock: systemClock });
    client.onMessage((m) => got.push(m));
    client.start();
  });

  after(async () => {
    client?.dispose();
    await host?.close();
    await stub?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const approval = () =>
    host.broker.request({
      session: 's1',
      tool: 'Bash',
      input: { command: `echo ${CANARY}` },
      cwd: '/home/user/payments-api',
      description: { summary: `echo ${CANARY}`, detail: { kind: 'command', command: `echo ${CANARY}` }, risk: { level: 'low', reasons: [] } },
    });

  it('tells a paired device its settings and the VAPID key, and keeps the subscription it registers', async () => {
    const first = await waitFor(got, (m) => (m.type === 'notify' ? m : undefined));
    assert.equal(first.settings.privacy, 'folder', 'the default: the folder, never the command');
    assert.equal(first.vapidPublicKey?.length, 87);
    const settings: DeviceNotifySettings = {
      privacy: 'folder',
      whenPresent: false,
      turnFinished: true,
      sessionEnded: true,
      targets: [{ kind: 'webpush', subscription: { endpoint: stub.endpoint('phone'), keys: { p256dh: subscriber.p256dh, auth: subscriber.auth } } }],
    };
    const from = got.length;
    assert.equal(client.send({ type: 'notify', settings }), true);
    const echo = await waitFor(got, (m) => (m.type === 'notify' ? m : undefined), from);
    assert.equal(echo.settings.targets.length, 1);
    assert.deepEqual(host.pairedDevices()[0]!.notify?.targets, settings.targets);
  });

  it('pushes a waiting approval, signed with the key it told the device and readable only by the subscriber; no command on the lock screen', async () => {
    approval();
    await stub.received(1);
    const req = stub.requests[0]!;
    assert.equal(req.problem, undefined, 'the VAPID JWT verifies');
    const told = got.find((m) => m.type === 'notify');
    assert.equal(vapidKeyOf(req.headers), told?.type === 'notify' ? told.vapidPublicKey : undefined);
    assert.equal(req.headers.urgency, 'high');
    assert.doesNotMatch(req.body.toString('latin1'), new RegExp(CANARY));
    const payload = JSON.parse(decryptAes128gcm(req.body, subscriber.ecdh.getPrivateKey(), Buffer.from(subscriber.auth, 'base64url')).toString('utf8')) as Record<string, unknown>;
    assert.equal(payload.kind, 'approval-waiting');
    assert.equal(payload.session, 's1');
    assert.match(`${String(payload.title)} ${String(payload.body)}`, /payments-api/);
    assert.doesNotMatch(JSON.stringify(payload), new RegExp(CANARY));
  });

  it('sends nothing while the user is at the computer', async () => {
    present = true;
    const before = stub.requests.length;
    host.broker.cancelSession('s1', { kind: 'walkie' });
    await host.notifier.idle();
    approval();
    await host.notifier.idle();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(stub.requests.length, before);
    present = false;
  });

  it('drops a subscription its push service reports gone (410)', async () => {
    host.broker.cancelSession('s1', { kind: 'walkie' });
    stub.statusFor.set('*', 410);
    const before = stub.requests.length;
    approval();
    await stub.received(before + 1);
    await host.notifier.idle();
    assert.deepEqual(host.pairedDevices()[0]!.notify?.targets, []);
  });

  it('keeps its VAPID key across a restart (subscriptions stay valid)', async () => {
    const told = got.find((m) => m.type === 'notify');
    const key = told?.type === 'notify' ? told.vapidPublicKey : undefined;
    client.dispose();
    await host.close();
    host = await start();
    got.length = 0;
    const devices = host.pairedDevices();
    assert.equal(devices.length, 1, 'the device is still paired');
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'state', 'vapid.json'), 'utf8')) as { publicKey: string };
    assert.equal(stored.publicKey, key);
    assert.equal((fs.statSync(path.join(dir, 'state', 'vapid.json')).mode & 0o777).toString(8), '600');
  });
});

describe('WalkieHost notifications through the user\'s Telegram bot (a local stand-in of the Bot API)', function () {
  this.timeout(30_000);
  let dir: string;
  let api: HttpStub;
  let host: WalkieHost;
  let client: BridgeClient;
  const got: HostMessage[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-notify-telegram-'));
    api = await new HttpStub().start();
    api.reply = () => ({ status: 200, body: JSON.stringify({ ok: true, result: { message_id: 1 } }) });
    host = await WalkieHost.start({
      store: new FileStateStore(path.join(dir, 'state')),
      relay: { kind: 'embedded' },
      hostName: 'telegram host',
      notify: { telegramBotToken: '123456789:AAHk3x_example-token-abcdefghijklmnop', telegramApiBase: api.origin },
    });
    const offer = parsePairingUrl(host.newPairingUrl().url);
    client = new BridgeClient({ relayUrl: offer.relayUrl, hostId: offer.hostId, hostPublicKey: offer.hostPublicKey, identity: generateKeyPair(), pairing: { psk: offer.psk, deviceName: 'tg phone' }, connect: wsDeviceSocketFactory, clock: systemClock });
    client.onMessage((m) => got.push(m));
    client.start();
  });

  after(async () => {
    client?.dispose();
    await host?.close();
    await api?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('offers Telegram to the device, keeps its chat, and sends the notify-only line without folder or command', async () => {
    const first = await waitFor(got, (m) => (m.type === 'notify' ? m : undefined));
    assert.equal(first.telegram, true);
    const from = got.length;
    client.send({ type: 'notify', settings: { privacy: 'command', whenPresent: true, turnFinished: true, sessionEnded: true, targets: [{ kind: 'telegram', chatId: 4242 }] } });
    await waitFor(got, (m) => (m.type === 'notify' && m.settings.targets.length === 1 ? m : undefined), from);
    host.broker.request({
      session: 's1',
      tool: 'Bash',
      input: { command: `echo ${CANARY}` },
      cwd: '/home/user/payments-api',
      description: { summary: `echo ${CANARY}`, detail: { kind: 'command', command: `echo ${CANARY}` }, risk: { level: 'low', reasons: [] } },
    });
    await host.notifier.idle();
    const sent = api.requests.find((r) => r.path.endsWith('/sendMessage'));
    assert.ok(sent, 'no sendMessage');
    const body = JSON.parse(sent.body) as { chat_id: number; text: string };
    assert.equal(body.chat_id, 4242);
    // Telegram's servers read the text: the private line, even though this device opted into the command.
    assert.doesNotMatch(sent.body, new RegExp(`${CANARY}|payments-api`));
  });
});
