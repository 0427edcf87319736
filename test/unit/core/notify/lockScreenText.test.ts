import assert from 'node:assert/strict';
import { COMMAND_MAX, FOLDER_MAX, folderBasename, lockScreenText, type NotifyKind } from '../../../../src/core/notify/lockScreenText';
import { DEFAULT_NOTIFY_SETTINGS, DeviceNotifySettingsSchema, PushSubscriptionSchema } from '../../../../src/core/wire/notifySettings';
import { pushPayload, PushPayloadSchema } from '../../../../src/core/notify/pushPayload';

const CANARY = 'CANARY_9d1c';
const base = { session: 's1', cwd: '/home/dev/work/api', summary: `Run \`rm -rf /tmp/${CANARY}\`` };
const KINDS: NotifyKind[] = ['approval-waiting', 'approval-expiring', 'turn-finished', 'session-ended', 'session-failed'];

describe('lockScreenText', () => {
  it('says by default only that an approval waits, and in which folder', () => {
    const t = lockScreenText({ ...base, kind: 'approval-waiting' }, 'folder');
    assert.equal(t.line, 'Walkie: approval waiting in api');
    assert.equal(t.title, 'Walkie');
    assert.equal(t.body, 'Approval waiting in api');
  });

  it('never shows the command unless the device opted in, for every kind', () => {
    for (const kind of KINDS) {
      for (const privacy of ['private', 'folder'] as const) {
        const t = lockScreenText({ ...base, kind, expiresInMs: 240_000 }, privacy);
        assert.ok(!JSON.stringify(t).includes(CANARY), `${kind}/${privacy}`);
      }
    }
  });

  it('shows the command summary with the opt-in, through the secret scanner and capped', () => {
    const t = lockScreenText({ ...base, kind: 'approval-waiting', summary: 'Run `curl -H "Authorization: Bearer sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"`' }, 'command');
    assert.match(t.body, /^Approval waiting in api: Run `curl/);
    assert.ok(!t.body.includes('abcdefghijklmnop'), 'a token reached the lock screen');
    assert.ok(t.body.includes('[redacted]'));
    const long = lockScreenText({ ...base, kind: 'approval-waiting', summary: 'Run `' + 'x'.repeat(500) + '`' }, 'command');
    assert.ok(long.body.length <= 'Approval waiting in api: '.length + COMMAND_MAX, long.body);
    assert.match(long.body, /truncated/);
  });

  it('names nothing with `private` (the text ntfy and Telegram get)', () => {
    assert.equal(lockScreenText({ ...base, kind: 'approval-waiting' }, 'private').line, 'Walkie: approval waiting');
    assert.equal(lockScreenText({ ...base, kind: 'session-failed' }, 'private').line, 'Walkie: session failed');
  });

  it('counts waiting approvals, warns before expiry, and has texts for turn and session ends', () => {
    assert.equal(lockScreenText({ ...base, kind: 'approval-waiting', waiting: 3 }, 'folder').body, '3 approvals waiting in api');
    assert.equal(lockScreenText({ ...base, kind: 'approval-expiring', expiresInMs: 5 * 60_000 }, 'folder').body, 'Approval in api is denied in 5 minutes unless you answer');
    assert.equal(lockScreenText({ ...base, kind: 'turn-finished' }, 'folder').body, 'The agent finished its turn in api');
    assert.equal(lockScreenText({ ...base, kind: 'session-ended' }, 'folder').body, 'Session ended in api');
    assert.equal(lockScreenText({ ...base, kind: 'session-failed' }, 'folder').body, 'Session failed in api');
  });

  it('gives every notification of a session the same tag, and other sessions another', () => {
    const tags = new Set(KINDS.map((kind) => lockScreenText({ ...base, kind }, 'folder').tag));
    assert.equal(tags.size, 1);
    assert.notEqual(lockScreenText({ ...base, session: 's2', kind: 'approval-waiting' }, 'folder').tag, [...tags][0]);
  });

  it('flattens line breaks and control characters, so a summary or folder cannot forge lines', () => {
    const t = lockScreenText({ kind: 'approval-waiting', session: 's', cwd: '/w/a\nb\u001b[31m', summary: 'Run `a\n\nApproved ✓\r`' }, 'command');
    assert.ok(!/[\n\r]/.test(t.body) && !t.body.includes('\u001b'), JSON.stringify(t.body));
  });

  it('redacts and caps a folder name too', () => {
    const t = lockScreenText({ kind: 'approval-waiting', session: 's', cwd: '/w/ghp_' + 'a'.repeat(36) }, 'folder');
    assert.ok(!t.body.includes('aaaaaaaa'));
    const long = lockScreenText({ kind: 'approval-waiting', session: 's', cwd: '/w/' + 'f'.repeat(200) }, 'folder');
    assert.ok(long.body.length <= 'Approval waiting in '.length + FOLDER_MAX);
  });
});

describe('folderBasename', () => {
  it('takes the last part of POSIX and Windows paths', () => {
    assert.equal(folderBasename('/home/a/api/'), 'api');
    assert.equal(folderBasename('C:\\work\\web'), 'web');
    assert.equal(folderBasename('C:\\'), 'C:\\');
    assert.equal(folderBasename('/'), '');
  });
});

describe('notification schemas', () => {
  it('a push payload built from lock-screen text parses, and carries ids but no summary', () => {
    const p = pushPayload('approval-waiting', lockScreenText({ ...base, kind: 'approval-waiting' }, 'folder'), { session: 's1', approval: 'a1' }, true, 1);
    assert.deepEqual(PushPayloadSchema.parse(p), p);
    assert.ok(!JSON.stringify(p).includes(CANARY));
    assert.equal(PushPayloadSchema.safeParse({ ...p, input: { command: 'x' } }).success, false);
  });

  it('device settings default to folder privacy, nothing while present, no targets; junk subscriptions fail', () => {
    assert.deepEqual(DEFAULT_NOTIFY_SETTINGS, { privacy: 'folder', whenPresent: false, turnFinished: true, sessionEnded: true, targets: [] });
    assert.equal(DeviceNotifySettingsSchema.safeParse({ privacy: 'everything' }).success, false);
    assert.equal(PushSubscriptionSchema.safeParse({ endpoint: 'javascript:alert(1)', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } }).success, false);
    assert.equal(PushSubscriptionSchema.safeParse({ endpoint: 'https://fcm.googleapis.com/x', keys: { p256dh: 'B'.repeat(86), auth: 'A'.repeat(22) } }).success, false);
  });
});
