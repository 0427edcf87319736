import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/core/base/clock';
import type { Logger } from '../../../../src/core/base/logger';
import type { LockScreenText } from '../../../../src/core/notify/lockScreenText';
import { DEFAULT_NOTIFY_SETTINGS, type DeviceNotifySettings, type NotifyTarget, type PushSubscription } from '../../../../src/core/wire/notifySettings';
import { PushPayloadSchema, type PushPayload } from '../../../../src/core/notify/pushPayload';
import { Notifier, type ApprovalEvent, type NotifyDevice } from '../../../../src/node/notify/notifier';
import { NotifyError } from '../../../../src/node/notify/notifyError';
import type { NtfyMessage, NtfyTarget } from '../../../../src/node/notify/ntfySender';
import { generateVapidKeys } from '../../../../src/node/notify/vapidKeys';
import { WebPushSender, type WebPushOptions } from '../../../../src/node/notify/webPushSender';
import { decryptAes128gcm, makeSubscriber, PushServiceStub } from './pushServiceStub';

const CANARY = 'CANARY_be11';
const MIN = 60_000;
const SUB: PushSubscription = { endpoint: 'https://fcm.googleapis.com/fcm/send/dev1', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } };
const WEBPUSH: NotifyTarget = { kind: 'webpush', subscription: SUB };
const NTFY: NotifyTarget = { kind: 'ntfy', topicUrl: 'https://ntfy.sh/walkie-q8' };
const TELEGRAM: NotifyTarget = { kind: 'telegram', chatId: 77 };

const device = (id: string, settings: Partial<DeviceNotifySettings> = {}): NotifyDevice => ({ id, settings: { ...DEFAULT_NOTIFY_SETTINGS, targets: [WEBPUSH], ...settings } });

describe('Notifier', () => {
  let clock: ManualClock;
  let present: boolean;
  let devices: NotifyDevice[];
  let pushes: Array<{ device: string; payload: PushPayload; options: WebPushOptions }>;
  let ntfys: Array<{ target: NtfyTarget; message: NtfyMessage }>;
  let telegrams: Array<{ chatId: number | string; text: LockScreenText }>;
  let pushFailure: NotifyError | undefined;
  let goneReports: Array<{ deviceId: string; target: NotifyTarget }>;
  let logs: string[];
  let notifier: Notifier;

  const approval = (id: string, session = 's1', lifeMs = 30 * MIN): ApprovalEvent => ({ id, session, cwd: '/home/dev/work/api', summary: `Run \`echo ${CANARY}\``, expiresAt: clock.now() + lifeMs });

  beforeEach(() => {
    clock = new ManualClock();
    present = false;
    devices = [device('phone')];
    pushes = [];
    ntfys = [];
    telegrams = [];
    pushFailure = undefined;
    goneReports = [];
    logs = [];
    const logger: Logger = { trace: (m) => logs.push(m), debug: (m) => logs.push(m), info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
    notifier = new Notifier({
      clock,
      logger,
      devices: () => devices,
      presence: () => present,
      webPush: {
        send: async (subscription, payload, options) => {
          if (pushFailure) throw pushFailure;
          pushes.push({ device: subscription.endpoint, payload, options });
        },
      },
      ntfy: { send: async (target, message) => void ntfys.push({ target, message }) },
      telegram: { send: async (chatId, text) => void telegrams.push({ chatId, text }) },
      appUrl: 'https://walkie.example.net/',
      onTargetGone: (deviceId, target) => goneReports.push({ deviceId, target }),
    });
  });
  afterEach(() => notifier.dispose());

  it('pushes a waiting approval with high urgency, the ids, and a TTL that ends with the approval', async () => {
    notifier.approvalOpened(approval('a1'));
    await notifier.idle();
    assert.equal(pushes.length, 1);
    const { payload, options } = pushes[0]!;
    assert.deepEqual(PushPayloadSchema.parse(payload), payload);
    assert.equal(payload.body, 'Approval waiting in api');
    assert.equal(payload.kind, 'approval-waiting');
    assert.equal(payload.session, 's1');
    assert.equal(payload.approval, 'a1');
    assert.equal(payload.renotify, true);
    assert.equal(options.urgency, 'high');
    assert.equal(options.ttlSeconds, 30 * 60);
    assert.ok(!JSON.stringify(pushes).includes(CANARY));
  });

  it('keeps one notification per session: a second card updates it (same tag, a count, no new alert)', async () => {
    notifier.approvalOpened(approval('a1'));
    notifier.approvalOpened(approval('a2'));
    await notifier.idle();
    assert.deepEqual(pushes.map((p) => [p.payload.tag, p.payload.body, p.payload.renotify, p.payload.approval]), [
      ['walkie:s1', 'Approval waiting in api', true, 'a1'],
      ['walkie:s1', '2 approvals waiting in api', false, 'a2'],
    ]);
  });

  it('alerts again for a session whose earlier cards were all answered, and separately per session', async () => {
    notifier.approvalOpened(approval('a1'));
    notifier.approvalResolved({ id: 'a1', session: 's1' });
    notifier.approvalOpened(approval('a2'));
    notifier.approvalOpened(approval('b1', 's2'));
    await notifier.idle();
    assert.deepEqual(pushes.map((p) => [p.payload.tag, p.payload.renotify]), [['walkie:s1', true], ['walkie:s1', true], ['walkie:s2', true]]);
  });

  it('sends an "about to expire" reminder five minutes before the approval is denied', async () => {
    notifier.approvalOpened(approval('a1'));
    clock.advance(24 * MIN);
    await notifier.idle();
    assert.equal(pushes.length, 1);
    clock.advance(1 * MIN);
    await notifier.idle();
    assert.equal(pushes.length, 2);
    assert.equal(pushes[1]!.payload.kind, 'approval-expiring');
    assert.equal(pushes[1]!.payload.body, 'Approval in api is denied in 5 minutes unless you answer');
    assert.equal(pushes[1]!.payload.renotify, true);
    assert.equal(pushes[1]!.options.urgency, 'high');
  });

  it('sends no reminder for an answered approval, and one per session for cards expiring together', async () => {
    notifier.approvalOpened(approval('a1'));
    notifier.approvalResolved({ id: 'a1', session: 's1' });
    clock.advance(1_000);
    notifier.approvalOpened(approval('a2'));
    notifier.approvalOpened(approval('a3'));
    assert.equal(clock.pendingTimers, 2);
    clock.advance(30 * MIN);
    await notifier.idle();
    assert.deepEqual(pushes.map((p) => p.payload.kind), ['approval-waiting', 'approval-waiting', 'approval-waiting', 'approval-expiring']);
  });

  it('sends nothing while the user is at the computer, unless the device asked for it', async () => {
    devices = [device('quiet'), device('eager', { whenPresent: true, targets: [{ kind: 'webpush', subscription: { ...SUB, endpoint: 'https://fcm.googleapis.com/fcm/send/eager' } }] })];
    present = true;
    notifier.approvalOpened(approval('a1'));
    notifier.turnFinished({ session: 's1', cwd: '/w/api' });
    await notifier.idle();
    assert.deepEqual(pushes.map((p) => p.device), ['https://fcm.googleapis.com/fcm/send/eager', 'https://fcm.googleapis.com/fcm/send/eager']);
  });

  it('asks presence at the moment of sending: a user who walked away gets the reminder', async () => {
    present = true;
    notifier.approvalOpened(approval('a1'));
    present = false;
    clock.advance(25 * MIN);
    await notifier.idle();
    assert.deepEqual(pushes.map((p) => p.payload.kind), ['approval-expiring']);
  });

  it('tells of a finished turn and an ended or failed session with normal urgency, as each device chose', async () => {
    devices = [device('all'), device('none', { turnFinished: false, sessionEnded: false, targets: [{ kind: 'webpush', subscription: { ...SUB, endpoint: 'https://fcm.googleapis.com/fcm/send/none' } }] })];
    notifier.turnFinished({ session: 's1', cwd: '/w/api' });
    notifier.sessionEnded({ session: 's1', cwd: '/w/api' });
    notifier.sessionEnded({ session: 's2', cwd: '/w/web', failed: true });
    await notifier.idle();
    assert.deepEqual(pushes.map((p) => [p.payload.body, p.options.urgency, p.device.endsWith('dev1')]), [
      ['The agent finished its turn in api', 'normal', true],
      ['Session ended in api', 'normal', true],
      ['Session failed in web', 'normal', true],
    ]);
  });

  it('cancels the reminders of a session that ended', async () => {
    notifier.approvalOpened(approval('a1'));
    notifier.sessionEnded({ session: 's1', cwd: '/w/api' });
    assert.equal(clock.pendingTimers, 0);
  });

  it('shows the command only to a device that opted in; ntfy and Telegram always get the private text, once per quiet session', async () => {
    devices = [device('opt-in', { privacy: 'command', targets: [WEBPUSH, NTFY, TELEGRAM] })];
    notifier.approvalOpened(approval('a1'));
    notifier.approvalOpened(approval('a2'));
    await notifier.idle();
    assert.equal(pushes[0]!.payload.body, `Approval waiting in api: Run \`echo ${CANARY}\``);
    assert.equal(ntfys.length, 1);
    assert.equal(ntfys[0]!.message.text.body, 'Approval waiting');
    assert.equal(ntfys[0]!.message.priority, 'high');
    assert.equal(ntfys[0]!.message.clickUrl, 'https://walkie.example.net/');
    assert.deepEqual(telegrams.map((t) => [t.chatId, t.text.line]), [[77, 'Walkie: approval waiting']]);
  });

  it('reports a gone target once, skips it afterwards, and logs neither endpoint nor text', async () => {
    pushFailure = new NotifyError('NOTIFY_ERR_GONE', 'gone', 410);
    notifier.approvalOpened(approval('a1'));
    await notifier.idle();
    notifier.approvalOpened(approval('a2'));
    await notifier.idle();
    assert.deepEqual(goneReports, [{ deviceId: 'phone', target: WEBPUSH }]);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /NOTIFY_ERR_GONE/);
    assert.ok(!logs.join('\n').includes('fcm.googleapis.com') && !logs.join('\n').includes('Approval'));
  });

  it('keeps a target after a passing failure, and a failing sender never throws out of an event', async () => {
    pushFailure = new NotifyError('NOTIFY_ERR_UNAVAILABLE', 'down', 503);
    assert.doesNotThrow(() => notifier.approvalOpened(approval('a1')));
    await notifier.idle();
    pushFailure = undefined;
    notifier.approvalOpened(approval('a2'));
    await notifier.idle();
    assert.equal(goneReports.length, 0);
    assert.equal(pushes.length, 1);
  });
});

describe('Notifier with the real Web Push sender', () => {
  let stub: PushServiceStub;
  beforeEach(async () => (stub = await new PushServiceStub().start()));
  afterEach(() => stub.close());

  it('turns an approval into one encrypted push whose lock-screen text carries no canary, and drops a 410 subscription', async () => {
    const subscriber = makeSubscriber();
    const subscription = { endpoint: stub.endpoint('p1'), keys: { p256dh: subscriber.p256dh, auth: subscriber.auth } };
    const gone: string[] = [];
    const clock = new ManualClock(Date.now());
    const notifier = new Notifier({
      clock,
      devices: () => [{ id: 'phone', settings: { ...DEFAULT_NOTIFY_SETTINGS, targets: [{ kind: 'webpush', subscription }] } }],
      presence: () => false,
      webPush: new WebPushSender({ keys: generateVapidKeys(), allowedHosts: ['127.0.0.1'] }),
      onTargetGone: (id) => gone.push(id),
    });
    notifier.approvalOpened({ id: 'a1', session: 's1', cwd: '/home/dev/api', summary: `Run \`export TOKEN=${CANARY}\``, expiresAt: clock.now() + 30 * MIN });
    await notifier.idle();
    assert.equal(stub.requests.length, 1);
    assert.equal(stub.requests[0]!.problem, undefined);
    const plain = decryptAes128gcm(stub.requests[0]!.body, subscriber.ecdh.getPrivateKey(), Buffer.from(subscriber.auth, 'base64url')).toString('utf8');
    const payload = PushPayloadSchema.parse(JSON.parse(plain));
    assert.equal(payload.body, 'Approval waiting in api');
    assert.ok(!plain.includes(CANARY));
    stub.statusFor.set('*', 410);
    notifier.turnFinished({ session: 's1', cwd: '/home/dev/api' });
    await notifier.idle();
    notifier.sessionEnded({ session: 's1', cwd: '/home/dev/api' });
    await notifier.idle();
    assert.deepEqual(gone, ['phone']);
    assert.equal(stub.requests.length, 2);
    notifier.dispose();
  });
});
