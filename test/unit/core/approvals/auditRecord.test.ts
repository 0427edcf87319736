import assert from 'node:assert/strict';
import { ApprovalBroker } from '../../../../src/core/approvals/approvalBroker';
import { AuditRecordSchema, auditRecordFor } from '../../../../src/core/approvals/auditRecord';
import { ManualClock } from '../../../../src/core/base/clock';
import { describedCall } from '../../../fixtures/describedCall';

describe('auditRecordFor', () => {
  it('records who decided what about which input, and not the input', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 21, 16, 0, 0));
    const broker = new ApprovalBroker({ clock });
    const { request, outcome } = broker.request(describedCall({ session: 's1', tool: 'Write', input: { file_path: '/w/a.txt', content: 'canary-77aa' }, cwd: '/w' }));
    clock.advance(5000);
    broker.decide(request.id, request.inputHash, 'deny', { kind: 'device', name: 'Pixel 8' }, 'not now');
    const record = auditRecordFor(request, await outcome, clock);
    assert.deepEqual(record, {
      time: '2026-11-21T16:00:05.000Z',
      session: 's1',
      tool: 'Write',
      inputHash: request.inputHash,
      resolution: 'denied',
      by: 'Pixel 8',
      message: 'not now',
    });
    assert.ok(AuditRecordSchema.safeParse(record).success);
    assert.ok(!JSON.stringify(record).includes('canary-77aa'));
    broker.dispose();
  });

  it('leaves out an empty message and redacts a secret one', () => {
    const clock = new ManualClock();
    const broker = new ApprovalBroker({ clock });
    const { request } = broker.request(describedCall({ session: 's1', tool: 'Bash', input: { command: 'ls' }, cwd: '/w' }));
    assert.equal('message' in auditRecordFor(request, { resolution: 'allowed', author: { kind: 'vscode' }, by: 'VS Code' }, clock), false);
    const token = ['gh', 'p_', 'Z'.repeat(18), '9'.repeat(18)].join('');
    assert.ok(!auditRecordFor(request, { resolution: 'denied', author: { kind: 'vscode' }, by: 'VS Code', message: `use ${token}` }, clock).message!.includes(token));
    broker.dispose();
  });

  it('rejects lines with extra or malformed fields', () => {
    const good = { time: '2026-11-21T16:00:05.000Z', session: 's', tool: 'Bash', inputHash: 'a'.repeat(64), resolution: 'allowed', by: 'local' };
    assert.ok(AuditRecordSchema.safeParse(good).success);
    for (const bad of [{ ...good, extra: 1 }, { ...good, time: 'yesterday' }, { ...good, inputHash: 'A'.repeat(64) }, { ...good, resolution: 'maybe' }]) {
      assert.equal(AuditRecordSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
