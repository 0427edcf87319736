// The Telegram Bot API as documented at https://core.telegram.org/bots/api ("Making requests",
// "sendMessage"): POST <base>/bot<token>/sendMessage with JSON {chat_id, text, …}; the answer is
// {"ok":true,"result":…} or {"ok":false,"error_code":N,"description":"…"} with the same HTTP status.
import assert from 'node:assert/strict';
import { lockScreenText } from '../../../../src/core/notify/lockScreenText';
import type { NotifyError } from '../../../../src/node/notify/notifyError';
import { TelegramSender } from '../../../../src/node/notify/telegramSender';
import { HttpStub } from './httpStub';

const TOKEN = '123456789:AAHk3x_example-token-abcdefghijklmnop';
const text = lockScreenText({ kind: 'approval-waiting', session: 's1', cwd: '/srv/secret-project', summary: 'Run `echo CANARY_52`' }, 'private');

describe('TelegramSender', () => {
  let stub: HttpStub;
  beforeEach(async () => {
    stub = await new HttpStub().start();
    stub.reply = () => ({ status: 200, body: JSON.stringify({ ok: true, result: { message_id: 1 } }) });
  });
  afterEach(() => stub.close());

  it('calls sendMessage on the bot with the chat id and the notify-only line, link previews off', async () => {
    await new TelegramSender({ botToken: TOKEN, apiBase: stub.origin }).send(4242, text);
    const [r] = stub.requests;
    assert.equal(r!.method, 'POST');
    assert.equal(r!.path, `/bot${TOKEN}/sendMessage`);
    assert.equal(r!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r!.body), { chat_id: 4242, text: 'Walkie: approval waiting', link_preview_options: { is_disabled: true } });
  });

  it('never sends the command or the folder', async () => {
    await new TelegramSender({ botToken: TOKEN, apiBase: stub.origin }).send('@me', text);
    assert.ok(!stub.requests[0]!.body.includes('CANARY_52'));
    assert.ok(!stub.requests[0]!.body.includes('secret-project'));
  });

  it('treats 403 (the bot was blocked) as gone, 401 as rejected, 429 as unavailable, and ok:false as rejected', async () => {
    const cases = [
      [403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }, 'NOTIFY_ERR_GONE'],
      [401, { ok: false, error_code: 401, description: 'Unauthorized' }, 'NOTIFY_ERR_REJECTED'],
      [429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } }, 'NOTIFY_ERR_UNAVAILABLE'],
      [200, { ok: false }, 'NOTIFY_ERR_REJECTED'],
    ] as const;
    for (const [status, body, code] of cases) {
      stub.reply = () => ({ status, body: JSON.stringify(body) });
      await assert.rejects(new TelegramSender({ botToken: TOKEN, apiBase: stub.origin }).send(1, text), (e: NotifyError) => e.code === code);
    }
  });

  it('refuses something that is not a bot token, and its message does not quote it', () => {
    assert.throws(() => new TelegramSender({ botToken: 'hunter2 not a token' }), (e: NotifyError) => e.code === 'NOTIFY_ERR_BAD_TARGET' && !e.message.includes('hunter2'));
  });

  it('keeps the token out of error messages', async () => {
    stub.reply = () => ({ status: 401, body: '{"ok":false}' });
    await assert.rejects(new TelegramSender({ botToken: TOKEN, apiBase: stub.origin }).send(1, text), (e: NotifyError) => !e.message.includes(TOKEN.split(':')[1]!));
  });
});
