// The ntfy publish API as documented at https://docs.ntfy.sh/publish/: POST to the topic URL, the message
// as the body, Title / Priority / Click as headers, `Authorization: Bearer <token>` for a protected topic.
import assert from 'node:assert/strict';
import { lockScreenText } from '../../../../src/core/notify/lockScreenText';
import type { NotifyError } from '../../../../src/node/notify/notifyError';
import { NtfySender } from '../../../../src/node/notify/ntfySender';
import { HttpStub } from './httpStub';

const text = lockScreenText({ kind: 'approval-waiting', session: 's1', cwd: '/srv/secret-project', summary: 'Run `echo CANARY_41`' }, 'private');

describe('NtfySender', () => {
  let stub: HttpStub;
  beforeEach(async () => (stub = await new HttpStub().start()));
  afterEach(() => stub.close());

  it('POSTs the message to the topic URL with Title, Priority and a Click header that opens the app', async () => {
    await new NtfySender().send({ topicUrl: `${stub.origin}/walkie-x7k2` }, { text, priority: 'high', clickUrl: 'https://walkie.example.net/' });
    const [r] = stub.requests;
    assert.equal(r!.method, 'POST');
    assert.equal(r!.path, '/walkie-x7k2');
    assert.equal(r!.body, 'Approval waiting');
    assert.equal(r!.headers.title, 'Walkie');
    assert.equal(r!.headers.priority, 'high');
    assert.equal(r!.headers.click, 'https://walkie.example.net/');
    assert.equal(r!.headers.authorization, undefined);
  });

  it('carries no command and no folder in anything it sends', async () => {
    await new NtfySender().send({ topicUrl: `${stub.origin}/t` }, { text, priority: 'high' });
    const all = JSON.stringify(stub.requests[0]);
    assert.ok(!all.includes('CANARY_41'));
    assert.ok(!all.includes('secret-project'));
  });

  it('sends an access token for a protected topic as a Bearer header', async () => {
    await new NtfySender().send({ topicUrl: `${stub.origin}/t`, token: 'tk_abc123' }, { text, priority: 'default' });
    assert.equal(stub.requests[0]!.headers.authorization, 'Bearer tk_abc123');
  });

  it('maps 404/410 to NOTIFY_ERR_GONE, 403 to NOTIFY_ERR_REJECTED, 500 to NOTIFY_ERR_UNAVAILABLE', async () => {
    for (const [status, code] of [[404, 'NOTIFY_ERR_GONE'], [410, 'NOTIFY_ERR_GONE'], [403, 'NOTIFY_ERR_REJECTED'], [500, 'NOTIFY_ERR_UNAVAILABLE']] as const) {
      stub.reply = () => ({ status });
      await assert.rejects(new NtfySender().send({ topicUrl: `${stub.origin}/t` }, { text, priority: 'high' }), (e: NotifyError) => e.code === code && e.status === status);
    }
  });

  it('refuses plain http to another machine and URLs with credentials, sending nothing', async () => {
    for (const topicUrl of ['http://ntfy.example.net/t', 'ftp://ntfy.example.net/t', `http://u:p@127.0.0.1:1/t`, 'nonsense']) {
      await assert.rejects(new NtfySender().send({ topicUrl }, { text, priority: 'high' }), (e: NotifyError) => e.code === 'NOTIFY_ERR_BAD_TARGET');
    }
    assert.equal(stub.requests.length, 0);
  });

  it('times out a server that never answers (NOTIFY_ERR_TIMEOUT)', async () => {
    const net = await import('node:net');
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(new NtfySender({ timeoutMs: 100 }).send({ topicUrl: `http://127.0.0.1:${port}/t` }, { text, priority: 'high' }), (e: NotifyError) => e.code === 'NOTIFY_ERR_TIMEOUT');
    } finally {
      silent.close();
    }
  });
});
