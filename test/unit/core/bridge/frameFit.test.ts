import assert from 'node:assert/strict';
import { FRAME_BUDGET, fitToFrame } from '../../../../src/core/bridge/frameFit';
import { encodeMessage, HostMessageSchema, type HostMessage } from '../../../../src/core/wire/protocol';

const approval = (detail: Extract<HostMessage, { type: 'approval' }>['request']['detail']): HostMessage => ({
  type: 'approval',
  request: {
    id: 'apr_1', session: 's1', tool: 'Write', summary: 'Write a.txt', detail, cwd: '/w',
    risk: { level: 'low', reasons: [] }, inputHash: 'a'.repeat(64), createdAt: 1, expiresAt: 2,
  },
});

describe('fitToFrame', () => {
  it('leaves a message that fits untouched (the same object)', () => {
    const m = approval({ kind: 'command', command: 'npm test' });
    assert.equal(fitToFrame(m), m);
  });

  it('shortens a Write of 48 K CJK characters (≈ 144 KB of UTF-8) to fit one frame, and says so', () => {
    const m = approval({ kind: 'write', file: 'a.txt', content: '漢'.repeat(48 * 1024) });
    assert.ok(encodeMessage(m).length > FRAME_BUDGET);
    const fit = fitToFrame(m);
    assert.ok(encodeMessage(fit).length <= FRAME_BUDGET);
    assert.ok(HostMessageSchema.safeParse(fit).success);
    assert.ok(fit.type === 'approval' && fit.request.detail.kind === 'write' && fit.request.detail.content.endsWith('… [shortened to fit]'));
    assert.ok(fit.type === 'approval' && fit.request.risk.level === 'medium' && fit.request.risk.reasons.includes('too long to show in full'));
    assert.ok(m.type === 'approval' && m.request.detail.kind === 'write' && m.request.detail.content.length === 48 * 1024, 'the original is not changed');
  });

  it('shortens the largest edits first, and long chat text too', () => {
    const edits = Array.from({ length: 4 }, (_, i) => ({ oldText: 'x', newText: '😀'.repeat(i === 2 ? 20000 : 10) }));
    const fit = fitToFrame(approval({ kind: 'edit', file: 'a.ts', edits }));
    assert.ok(encodeMessage(fit).length <= FRAME_BUDGET);
    assert.ok(fit.type === 'approval' && fit.request.detail.kind === 'edit' && fit.request.detail.edits[0]!.newText === '😀'.repeat(10));
    const chat: HostMessage = { type: 'chat', session: 's1', seq: 1, at: 1, event: { kind: 'assistant', text: 'ü'.repeat(32 * 1024) + '漢'.repeat(16 * 1024) } };
    const fitChat = fitToFrame(chat);
    assert.ok(encodeMessage(fitChat).length <= FRAME_BUDGET);
    assert.ok(HostMessageSchema.safeParse(fitChat).success);
  });
});
