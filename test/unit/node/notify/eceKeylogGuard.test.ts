// http_ece prints derived keys to stderr when ECE_KEYLOG=1 is set as it loads. This file runs itself in a
// child with that switch on (WALKIE_KEYLOG_PROBE=1): the child loads the sender (and with it web-push and
// http_ece), sends one push to a local push service, and must print nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lockScreenText } from '../../../../src/core/notify/lockScreenText';
import { pushPayload } from '../../../../src/core/notify/pushPayload';
import { generateVapidKeys } from '../../../../src/node/notify/vapidKeys';
import { WebPushSender } from '../../../../src/node/notify/webPushSender';
import { makeSubscriber, PushServiceStub } from './pushServiceStub';

async function probe(): Promise<void> {
  const stub = await new PushServiceStub().start();
  const s = makeSubscriber();
  const text = lockScreenText({ kind: 'approval-waiting', session: 's', cwd: '/w/api' }, 'folder');
  await new WebPushSender({ keys: generateVapidKeys(), allowedHosts: ['127.0.0.1'] }).send({ endpoint: stub.endpoint('p'), keys: { p256dh: s.p256dh, auth: s.auth } }, pushPayload('approval-waiting', text, { session: 's' }, true, 1), { urgency: 'high', ttlSeconds: 60 });
  await stub.close();
  process.stdout.write(`sent ${stub.requests.length}\n`);
}

if (process.env.WALKIE_KEYLOG_PROBE === '1') {
  void probe().then(() => process.exit(0), () => process.exit(1));
} else {
  describe('ECE_KEYLOG guard', () => {
    it('keeps http_ece from printing keys even when ECE_KEYLOG=1 is set', () => {
      const r = spawnSync(process.execPath, [__filename], { env: { ...process.env, ECE_KEYLOG: '1', WALKIE_KEYLOG_PROBE: '1' }, encoding: 'utf8', timeout: 15_000 });
      assert.equal(r.status, 0, 'the probe failed');
      assert.equal(r.stdout, 'sent 1\n');
      // http_ece's key log lines read "<name> [<length>]: <base64url>".
      assert.doesNotMatch(r.stderr, /\[\d+\]: [A-Za-z0-9_-]{8,}/, 'key material was printed to stderr');
    });
  });
}
