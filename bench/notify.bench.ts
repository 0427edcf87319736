// Benchmark: approval created → push request received (issue 12 target: p50 ≤ 50 ms).
//   ApprovalBroker.request (as the tool gate calls it) → onRequest → Notifier → lockScreenText → WebPushSender
//   (web-push: aes128gcm encryption to the subscription, an ES256 VAPID JWT) → HTTP POST → a local push
//   service stub on 127.0.0.1 that verifies the JWT. Every request is checked; a second session per run
//   keeps each push a first, alerting notification. Over loopback: this is the host's own cost, not the
//   push service's delivery time.
import { ApprovalBroker } from '../src/core/approvals/approvalBroker';
import { systemClock } from '../src/core/base/clock';
import { DEFAULT_NOTIFY_SETTINGS } from '../src/core/wire/notifySettings';
import { Notifier } from '../src/node/notify/notifier';
import { generateVapidKeys } from '../src/node/notify/vapidKeys';
import { WebPushSender } from '../src/node/notify/webPushSender';
import { makeSubscriber, PushServiceStub } from '../test/unit/node/notify/pushServiceStub';

const RUNS = 200;
const WARMUP = 20;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const round = (x: number) => Number(x.toFixed(2));

export async function run(): Promise<Record<string, unknown>> {
  const stub = await new PushServiceStub().start();
  const subscriber = makeSubscriber();
  const subscription = { endpoint: stub.endpoint('bench'), keys: { p256dh: subscriber.p256dh, auth: subscriber.auth } };
  const broker = new ApprovalBroker({ clock: systemClock });
  const notifier = new Notifier({
    clock: systemClock,
    devices: () => [{ id: 'phone', settings: { ...DEFAULT_NOTIFY_SETTINGS, targets: [{ kind: 'webpush', subscription }] } }],
    presence: () => false,
    webPush: new WebPushSender({ keys: generateVapidKeys(), allowedHosts: ['127.0.0.1'] }),
  });
  broker.onRequest((r) => notifier.approvalOpened(r));
  broker.onResolved(({ request }) => notifier.approvalResolved(request));
  const samples: number[] = [];
  try {
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const before = stub.requests.length;
      const t0 = performance.now();
      const { request } = broker.request({
        session: `s${i}`,
        tool: 'Bash',
        input: { command: 'npm test' },
        cwd: '/home/dev/work/api',
        description: { summary: 'Run `npm test`', detail: { kind: 'command', command: 'npm test' }, risk: { level: 'low', reasons: [] } },
      });
      await stub.received(before + 1);
      const got = stub.requests[before]!;
      if (got.problem) throw new Error(`the stub refused a push: ${got.problem}`);
      if (i >= WARMUP) samples.push(got.receivedAt - t0);
      broker.decide(request.id, request.inputHash, 'deny', { kind: 'device', name: 'bench' });
    }
  } finally {
    notifier.dispose();
    broker.dispose();
    await stub.close();
  }
  return {
    notify_approval_to_push_ms: { p50: round(quantile(samples, 0.5)), p99: round(quantile(samples, 0.99)), max: round(Math.max(...samples)), runs: samples.length, target_p50: 50 },
  };
}
