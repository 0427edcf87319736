import assert from 'node:assert/strict';
import { lockScreenText } from '../../../../src/core/notify/lockScreenText';
import type { PushSubscription } from '../../../../src/core/wire/notifySettings';
import { pushPayload, PushPayloadSchema, type PushPayload } from '../../../../src/core/notify/pushPayload';
import { NotifyError } from '../../../../src/node/notify/notifyError';
import { generateVapidKeys, loadOrCreateVapidKeys } from '../../../../src/node/notify/vapidKeys';
import { PAD_BYTES, topicFor, WebPushSender } from '../../../../src/node/notify/webPushSender';
import { decryptAes128gcm, makeSubscriber, PushServiceStub, vapidKeyOf, verifyVapid } from './pushServiceStub';

const CANARY = 'CANARY_7f3a9e';
const SUMMARY = `Run \`curl -H "x: ${CANARY}" https://example.com\``;

function payloadFor(session = 's1', privacy: 'folder' | 'command' = 'folder'): PushPayload {
  const text = lockScreenText({ kind: 'approval-waiting', session, cwd: '/home/dev/work/api', summary: SUMMARY }, privacy);
  return pushPayload('approval-waiting', text, { session, approval: 'a1' }, true, 1_700_000_000_000);
}

describe('WebPushSender', () => {
  let stub: PushServiceStub;
  let sender: WebPushSender;
  let gone: PushSubscription[];
  let subscriber: ReturnType<typeof makeSubscriber>;
  let subscription: PushSubscription;

  beforeEach(async () => {
    stub = await new PushServiceStub().start();
    gone = [];
    sender = new WebPushSender({ keys: generateVapidKeys(), allowedHosts: ['127.0.0.1'], onGone: (s) => gone.push(s) });
    subscriber = makeSubscriber();
    subscription = { endpoint: stub.endpoint('dev1'), keys: { p256dh: subscriber.p256dh, auth: subscriber.auth } };
  });
  afterEach(() => stub.close());

  it('sends a request whose VAPID JWT the push service verifies (ES256 with k=, aud = its origin, exp within 24 h, sub)', async () => {
    await sender.send(subscription, payloadFor(), { urgency: 'high', ttlSeconds: 1800 });
    const [req] = stub.requests;
    assert.equal(req!.problem, undefined);
    assert.equal(req!.claims!.aud, stub.origin);
    assert.match(req!.claims!.sub, /^mailto:/);
    assert.equal(vapidKeyOf(req!.headers), sender.publicKey);
    assert.equal(req!.path, '/push/dev1');
  });

  it('encrypts with aes128gcm so that only the subscriber decrypts it, and the payload holds ids and the lock-screen text only', async () => {
    await sender.send(subscription, payloadFor(), { urgency: 'high', ttlSeconds: 1800 });
    const [req] = stub.requests;
    assert.equal(req!.headers['content-encoding'], 'aes128gcm');
    assert.ok(!req!.body.includes(Buffer.from('Approval waiting')), 'plaintext on the wire');
    const plain = decryptAes128gcm(req!.body, subscriber.ecdh.getPrivateKey(), Buffer.from(subscriber.auth, 'base64url')).toString('utf8');
    const payload = PushPayloadSchema.parse(JSON.parse(plain));
    assert.equal(payload.body, 'Approval waiting in api');
    assert.equal(payload.session, 's1');
    assert.equal(payload.approval, 'a1');
    assert.ok(!plain.includes(CANARY), 'the command reached the lock screen');
    assert.ok(!plain.includes('curl'));
  });

  it('pads the plaintext to a multiple of PAD_BYTES, so the size does not tell which text it carries', async () => {
    await sender.send(subscription, payloadFor('s1', 'folder'), { urgency: 'high', ttlSeconds: 60 });
    await sender.send(subscription, payloadFor('s1', 'command'), { urgency: 'high', ttlSeconds: 60 });
    const plains = stub.requests.map((r) => decryptAes128gcm(r.body, subscriber.ecdh.getPrivateKey(), Buffer.from(subscriber.auth, 'base64url')));
    for (const p of plains) assert.equal(p.length % PAD_BYTES, 0);
    assert.equal(stub.requests[0]!.body.length, stub.requests[1]!.body.length);
  });

  it('sets Urgency, TTL and a per-session Topic, so a newer notification for the session replaces the older one', async () => {
    await sender.send(subscription, payloadFor('s1'), { urgency: 'high', ttlSeconds: 1800 });
    await sender.send(subscription, payloadFor('s1'), { urgency: 'high', ttlSeconds: 1700 });
    await sender.send(subscription, payloadFor('s2'), { urgency: 'normal', ttlSeconds: 3600 });
    const [a, b, c] = stub.requests;
    assert.equal(a!.headers.urgency, 'high');
    assert.equal(a!.headers.ttl, '1800');
    assert.equal(c!.headers.urgency, 'normal');
    assert.match(String(a!.headers.topic), /^[A-Za-z0-9_-]{1,32}$/);
    assert.equal(a!.headers.topic, b!.headers.topic);
    assert.notEqual(a!.headers.topic, c!.headers.topic);
    assert.equal(a!.headers.topic, topicFor('walkie:s1'));
    assert.ok(!String(a!.headers.topic).includes('s1'));
  });

  for (const status of [404, 410]) {
    it(`reports the subscription gone on ${status} (NOTIFY_ERR_GONE and onGone)`, async () => {
      stub.statusFor.set('*', status);
      await assert.rejects(sender.send(subscription, payloadFor(), { urgency: 'high', ttlSeconds: 60 }), (e: NotifyError) => e.code === 'NOTIFY_ERR_GONE' && e.status === status);
      assert.deepEqual(gone.map((s) => s.endpoint), [subscription.endpoint]);
    });
  }

  it('keeps the subscription on 500 and 429 (NOTIFY_ERR_UNAVAILABLE) and on 403 (NOTIFY_ERR_REJECTED)', async () => {
    for (const [status, code] of [[500, 'NOTIFY_ERR_UNAVAILABLE'], [429, 'NOTIFY_ERR_UNAVAILABLE'], [403, 'NOTIFY_ERR_REJECTED']] as const) {
      stub.statusFor.set('*', status);
      await assert.rejects(sender.send(subscription, payloadFor(), { urgency: 'high', ttlSeconds: 60 }), (e: NotifyError) => e.code === code);
    }
    assert.deepEqual(gone, []);
  });

  it('refuses an endpoint that is not on a known push service, and sends nothing', async () => {
    const strict = new WebPushSender({ keys: generateVapidKeys() });
    await assert.rejects(strict.send(subscription, payloadFor(), { urgency: 'high', ttlSeconds: 60 }), (e: NotifyError) => e.code === 'NOTIFY_ERR_BAD_TARGET');
    const plainHttp = { ...subscription, endpoint: 'http://fcm.googleapis.com/fcm/send/x' };
    await assert.rejects(strict.send(plainHttp, payloadFor(), { urgency: 'high', ttlSeconds: 60 }), (e: NotifyError) => e.code === 'NOTIFY_ERR_BAD_TARGET');
    assert.equal(stub.requests.length, 0);
  });

  it('refuses junk subscription keys without sending', async () => {
    const junk = [
      { ...subscription, keys: { p256dh: 'x'.repeat(87), auth: subscriber.auth } },
      { ...subscription, keys: { p256dh: subscriber.p256dh, auth: 'short' } },
      { endpoint: 'not a url', keys: subscription.keys },
    ];
    for (const s of junk) await assert.rejects(sender.send(s, payloadFor(), { urgency: 'high', ttlSeconds: 60 }), (e: NotifyError) => e.code === 'NOTIFY_ERR_BAD_TARGET');
    assert.equal(stub.requests.length, 0);
  });

  it("the stub's VAPID check fails for a JWT from another key, another audience or an expired one", async () => {
    await sender.send(subscription, payloadFor(), { urgency: 'high', ttlSeconds: 60 });
    const auth = String(stub.requests[0]!.headers.authorization);
    const other = generateVapidKeys().publicKey;
    assert.throws(() => verifyVapid(auth.replace(/k=.*/, `k=${other}`), stub.origin), /signature/);
    assert.throws(() => verifyVapid(auth, 'https://other.example'), /aud/);
    assert.throws(() => verifyVapid(auth, stub.origin, Date.now() + 25 * 3600_000), /exp/);
  });
});

describe('loadOrCreateVapidKeys', () => {
  it('makes a key pair once and loads the same one afterwards', async () => {
    let saved: string | undefined;
    const store = { load: async () => saved, save: async (json: string) => void (saved = json) };
    const first = await loadOrCreateVapidKeys(store);
    const second = await loadOrCreateVapidKeys(store);
    assert.deepEqual(second, first);
    assert.equal(Buffer.from(first.publicKey, 'base64url').length, 65);
    assert.equal(Buffer.from(first.privateKey, 'base64url').length, 32);
  });

  it('refuses a store holding junk instead of replacing the keys (NOTIFY_ERR_BAD_KEYS)', async () => {
    for (const junk of ['{', '{"v":1,"publicKey":"x","privateKey":"y"}', 'null']) {
      let saves = 0;
      const store = { load: async () => junk, save: async () => void saves++ };
      await assert.rejects(loadOrCreateVapidKeys(store), (e: NotifyError) => e.code === 'NOTIFY_ERR_BAD_KEYS');
      assert.equal(saves, 0);
    }
  });
});
