import assert from 'node:assert/strict';
import type { ApprovalRequest } from '../../src/core/wire/protocol';
import { shownInFull } from '../../src/vscode/approvals/approvalNotifier';
import { applyEdits } from '../../src/vscode/approvals/proposedChangeProvider';
import { countdown, statusBarState } from '../../src/vscode/controller/statusBar';
import type { ControllerState } from '../../src/vscode/controller/walkieController';

const base: ControllerState = { running: true, connected: [], paired: [], pending: [], pairing: undefined, lastPaired: undefined, sessions: 1 };

describe('statusBarState', () => {
  it('is off while the host is not running, whatever else is set', () => {
    assert.deepEqual(statusBarState({ ...base, running: false, sessions: 2 }, 0), { kind: 'off' });
  });

  it('puts pending approvals before a waiting QR code, and a QR code before the device count', () => {
    const now = 1_000_000;
    const pairing = { url: 'http://127.0.0.1:1/#x', expiresAt: now + 299_500, route: { label: 'Only this computer can open this link.' } };
    const pending = [{ id: 'a' }, { id: 'b' }] as unknown as ApprovalRequest[];
    const connected = [{ id: 'd', name: 'phone' }];
    assert.deepEqual(statusBarState({ ...base, pairing, pending, connected }, now), { kind: 'approvals', pending: 2 });
    assert.deepEqual(statusBarState({ ...base, pairing, connected }, now), { kind: 'pairing', secondsLeft: 300 });
    assert.deepEqual(statusBarState({ ...base, connected }, now), { kind: 'session', devices: 1, sessions: 1 });
    assert.deepEqual(statusBarState({ ...base, pairing: { ...pairing, expiresAt: now - 5 } }, now), { kind: 'pairing', secondsLeft: 0 });
  });

  it('formats the countdown as m:ss', () => {
    assert.deepEqual([countdown(300), countdown(65), countdown(9), countdown(0)], ['5:00', '1:05', '0:09', '0:00']);
  });
});

describe('applyEdits (the right side of "Show change")', () => {
  it('replaces the first occurrence of each old text in order and counts the ones it cannot find', () => {
    const r = applyEdits('a b a\n', [
      { oldText: 'a', newText: 'A' },
      { oldText: 'A b', newText: 'AB' },
      { oldText: 'missing', newText: 'x' },
    ]);
    assert.deepEqual(r, { text: 'AB a\n', missed: 1 });
  });

  it('treats an empty old text as new content at the start', () => {
    assert.deepEqual(applyEdits('', [{ oldText: '', newText: 'new file\n' }]), { text: 'new file\n', missed: 0 });
  });
});

describe('shownInFull (may the notification offer Approve?)', () => {
  const req = (detail: ApprovalRequest['detail'], summary: string) => ({ detail, summary }) as ApprovalRequest;
  it('is true only when the one-line summary holds the whole command', () => {
    assert.equal(shownInFull(req({ kind: 'command', command: 'npm test' }, 'Run `npm test`')), true);
    assert.equal(shownInFull(req({ kind: 'command', command: 'npm test\nrm -rf ~' }, 'Run `npm test …`')), false);
    const long = `echo ${'x'.repeat(400)}`;
    assert.equal(shownInFull(req({ kind: 'command', command: long }, `Run \`${long.slice(0, 200)}…\``)), false);
  });
  it('is true for writes and edits (the diff is one click away) and false for other tools', () => {
    assert.equal(shownInFull(req({ kind: 'write', file: 'a.txt', content: 'x' }, 'Write a.txt')), true);
    assert.equal(shownInFull(req({ kind: 'other', input: '{}' }, 'Use mcp__x__y')), false);
  });
});

