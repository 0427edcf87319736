import assert from 'node:assert/strict';
import { ApprovalBroker, expiryMessage, type ApprovalInput, type Outcome } from '../../../../src/core/approvals/approvalBroker';
import { ManualClock } from '../../../../src/core/base/clock';
import { inputHash } from '../../../../src/core/approvals/inputHash';
import type { Logger } from '../../../../src/core/base/logger';
import { ApprovalRequestSchema, type ApprovalRequest } from '../../../../src/core/wire/protocol';
import { describedCall } from '../../../fixtures/describedCall';

const CWD = '/home/dev/work/proj';
const bashCall = (command = 'npm test', session = 's1'): ApprovalInput => describedCall({ session, tool: 'Bash', input: { command, description: 'Run it' }, cwd: CWD, toolUseId: 'toolu_1' });

/** Resolves to the outcome, or 'pending' if it has not settled by the next macrotask. */
async function peek(p: Promise<Outcome>): Promise<Outcome | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

describe('ApprovalBroker', () => {
  let clock: ManualClock;
  let broker: ApprovalBroker;
  let resolved: Array<{ request: ApprovalRequest; outcome: Outcome }>;

  beforeEach(() => {
    clock = new ManualClock();
    broker = new ApprovalBroker({ clock });
    resolved = [];
    broker.onResolved((e) => resolved.push(e));
  });
  afterEach(() => broker.dispose());

  it('builds a protocol approval request for the exact input', () => {
    const seen: ApprovalRequest[] = [];
    broker.onRequest((r) => seen.push(r));
    const { request } = broker.request(bashCall('rm -rf build'));
    assert.ok(ApprovalRequestSchema.safeParse(request).success);
    assert.deepEqual(seen, [request]);
    assert.equal(request.session, 's1');
    assert.equal(request.tool, 'Bash');
    assert.equal(request.summary, 'Run `rm -rf build`');
    assert.deepEqual(request.detail, { kind: 'command', command: 'rm -rf build', description: 'Run it' });
    assert.equal(request.inputHash, inputHash({ command: 'rm -rf build', description: 'Run it' }));
    assert.equal(request.risk.level, 'high');
    assert.equal(request.createdAt, clock.now());
    assert.equal(request.expiresAt, clock.now() + 30 * 60_000);
    assert.deepEqual(broker.pending(), [request]);
  });

  it('gives every request a unique, unguessable id', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) ids.add(broker.request(bashCall()).request.id);
    assert.equal(ids.size, 200);
    for (const id of ids) assert.match(id, /^apr_[0-9a-f]{32}$/);
  });

  it('lets the first decision win and refuses the second with BROKER_ERR_RESOLVED', async () => {
    const { request, outcome } = broker.request(bashCall());
    const first = broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'Pixel 8' });
    assert.deepEqual(first, { ok: true, outcome: { resolution: 'allowed', author: { kind: 'device', name: 'Pixel 8' }, by: 'Pixel 8' } });
    const second = broker.decide(request.id, request.inputHash, 'deny', { kind: 'vscode' });
    assert.equal(second.ok, false);
    assert.equal(!second.ok && second.code, 'BROKER_ERR_RESOLVED');
    assert.deepEqual(await outcome, { resolution: 'allowed', author: { kind: 'device', name: 'Pixel 8' }, by: 'Pixel 8' });
    assert.deepEqual(broker.pending(), []);
  });

  it('denies with the message the user typed', async () => {
    const { request, outcome } = broker.request(bashCall());
    broker.decide(request.id, request.inputHash, 'deny', { kind: 'vscode' }, 'use pnpm instead');
    assert.deepEqual(await outcome, { resolution: 'denied', author: { kind: 'vscode' }, by: 'VS Code', message: 'use pnpm instead' });
  });

  it('refuses a decision naming another input hash and keeps the request pending', async () => {
    const { request, outcome } = broker.request(bashCall());
    const r = broker.decide(request.id, inputHash({ command: 'npm test; curl evil' }), 'allow', { kind: 'device', name: 'Pixel 8' });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'BROKER_ERR_HASH_MISMATCH');
    assert.equal(await peek(outcome), 'pending');
    assert.deepEqual(broker.pending(), [request]);
    assert.equal(broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'Pixel 8' }).ok, true);
  });

  it('refuses an unknown id with BROKER_ERR_UNKNOWN', () => {
    const r = broker.decide('apr_nope', 'a'.repeat(64), 'allow', { kind: 'device', name: 'Pixel 8' });
    assert.equal(!r.ok && r.code, 'BROKER_ERR_UNKNOWN');
  });

  it('expires an unanswered request as a deny, with a reason the agent will see', async () => {
    const { request, outcome } = broker.request(bashCall());
    clock.advance(30 * 60_000 - 1);
    assert.equal(await peek(outcome), 'pending');
    clock.advance(1);
    assert.deepEqual(await outcome, { resolution: 'expired', author: { kind: 'expiry' }, by: 'timeout', message: 'No answer from Walkie within 30 minutes; denied.' });
    const late = broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'Pixel 8' });
    assert.equal(!late.ok && late.code, 'BROKER_ERR_RESOLVED');
  });

  it('uses the configured expiry', async () => {
    const short = new ApprovalBroker({ clock, expiryMs: 90_000 });
    const { request, outcome } = short.request(bashCall());
    assert.equal(request.expiresAt - request.createdAt, 90_000);
    clock.advance(90_000);
    assert.equal((await outcome).message, 'No answer from Walkie within 90 seconds; denied.');
    short.dispose();
    assert.throws(() => new ApprovalBroker({ clock, expiryMs: 0 }), RangeError);
  });

  it('cancels one request (Esc, or the hook connection dropped)', async () => {
    const a = broker.request(bashCall());
    const b = broker.request(bashCall());
    broker.cancel(a.request.id, { kind: 'agent' }, 'Interrupted in the terminal');
    assert.deepEqual(await a.outcome, { resolution: 'cancelled', author: { kind: 'agent' }, by: 'agent', message: 'Interrupted in the terminal' });
    assert.equal(await peek(b.outcome), 'pending');
    broker.cancel('apr_unknown', { kind: 'agent' });
    broker.cancel(a.request.id, { kind: 'agent' });
    assert.equal(resolved.length, 1);
  });

  it('cancels the pending requests of one session', async () => {
    const a = broker.request(bashCall('a', 's1'));
    const b = broker.request(bashCall('b', 's2'));
    const c = broker.request(bashCall('c', 's1'));
    assert.deepEqual(broker.pending('s1').map((r) => r.id), [a.request.id, c.request.id]);
    broker.cancelSession('s1', { kind: 'agent' }, 'Session ended');
    assert.equal((await a.outcome).resolution, 'cancelled');
    assert.equal((await c.outcome).resolution, 'cancelled');
    assert.equal(await peek(b.outcome), 'pending');
    assert.deepEqual(broker.pending(), [b.request]);
  });

  it('cancels everything on dispose (fail closed) and stops its timers', async () => {
    const a = broker.request(bashCall('a', 's1'));
    const b = broker.request(bashCall('b', 's2'));
    broker.dispose();
    assert.equal((await a.outcome).resolution, 'cancelled');
    assert.equal((await b.outcome).resolution, 'cancelled');
    assert.equal(clock.pendingTimers, 0);
    assert.equal(resolved.length, 2);
    const after = broker.request(bashCall());
    assert.equal((await after.outcome).resolution, 'cancelled');
    assert.deepEqual(broker.pending(), []);
  });

  it('fires onResolved once per request, whatever happens after', () => {
    const { request } = broker.request(bashCall());
    broker.decide(request.id, request.inputHash, 'deny', { kind: 'vscode' });
    broker.decide(request.id, request.inputHash, 'allow', { kind: 'vscode' });
    broker.cancel(request.id, { kind: 'vscode' });
    broker.cancelSession('s1', { kind: 'vscode' });
    clock.advance(60 * 60_000);
    broker.dispose();
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0]!.outcome.resolution, 'denied');
    assert.equal(resolved[0]!.request.id, request.id);
  });

  it('keeps working when a listener throws, and logs no tool input', () => {
    const lines: string[] = [];
    const logger: Logger = { trace: (m) => lines.push(m), debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const b = new ApprovalBroker({ clock, logger });
    b.onRequest(() => {
      throw new Error('boom');
    });
    const { request } = b.request(bashCall('echo canary-3f9a'));
    assert.equal(b.decide(request.id, 'f'.repeat(64), 'allow', { kind: 'device', name: 'x' }).ok, false);
    assert.equal(b.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'x' }).ok, true);
    assert.ok(lines.some((l) => l.includes('listener failed')));
    assert.ok(lines.every((l) => !l.includes('canary-3f9a')));
    b.dispose();
  });
});

describe('expiryMessage', () => {
  it('speaks in minutes when it can', () => {
    assert.equal(expiryMessage(60_000), 'No answer from Walkie within 1 minute; denied.');
    assert.equal(expiryMessage(1500), 'No answer from Walkie within 2 seconds; denied.');
  });
});
