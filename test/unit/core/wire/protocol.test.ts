import assert from 'node:assert/strict';
import { checkDeviceMessage, checkHostMessage, parseDeviceMessage, parseHostMessage } from '../../../../src/core/wire/protocol';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('protocol parsing', () => {
  it('ignores a message of a type it does not know, from either side, instead of refusing it', () => {
    for (const r of [parseHostMessage(bytes({ type: 'presence', who: [] })), parseDeviceMessage(bytes({ type: 'reaction', emoji: '+1' }))]) {
      assert.deepEqual(r, { ok: false, ignored: true, reason: 'unknown message type' });
    }
  });

  it('strips fields it does not know and keeps what it knows', () => {
    const r = parseDeviceMessage(bytes({ type: 'decide', id: 'apr_1', inputHash: 'b'.repeat(64), decision: 'deny', remember: true }));
    assert.deepEqual(r, { ok: true, value: { type: 'decide', id: 'apr_1', inputHash: 'b'.repeat(64), decision: 'deny' } });
    const chat = checkHostMessage({ type: 'chat', session: 's', seq: 1, at: 1, event: { kind: 'assistant', text: 'x', tone: 'dry' }, extra: 1 });
    assert.deepEqual(chat, { ok: true, value: { type: 'chat', session: 's', seq: 1, at: 1, event: { kind: 'assistant', text: 'x' } } });
  });

  it('still refuses a known message with a missing field, a bad hash, an over-long text or a wrong version', () => {
    const refused = [
      { type: 'prompt', session: 's', text: 'x' },
      { type: 'decide', id: 'a', inputHash: 'not a hash', decision: 'allow' },
      { type: 'decide', id: 'a', inputHash: 'b'.repeat(64), decision: 'maybe' },
      { type: 'prompt', session: 's', text: 'x'.repeat(32 * 1024 + 1), clientId: 'c' },
      { type: 'hello', v: 2, features: [] },
      { type: 'hello', v: 1, features: Array.from({ length: 65 }, (_, i) => `f${i}`) },
    ];
    for (const m of refused) {
      const r = checkDeviceMessage(m);
      assert.equal(r.ok, false, JSON.stringify(m).slice(0, 80));
      assert.equal(!r.ok && r.ignored, false, 'refused, not ignored');
    }
  });

  it('refuses what is not a message at all: junk bytes, JSON that is not an object, a type that is not a short string', () => {
    for (const junk of [new Uint8Array([0xff, 0xfe]), bytes('[1,2]'), bytes('null'), bytes({ type: 7 }), bytes({ type: '' }), bytes({ type: 'x'.repeat(65) }), bytes({})]) {
      const r = parseHostMessage(junk);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.ignored, false);
    }
  });

  it('reads an error code it knows as typed, keeps a newer one for display, and refuses a code that is not one', () => {
    const known = checkHostMessage({ type: 'error', code: 'BROKER_ERR_RESOLVED', message: 'late' });
    assert.equal(known.ok && known.value.type === 'error' && known.value.code, 'BROKER_ERR_RESOLVED');
    const newer = checkHostMessage({ type: 'error', code: 'HOST_ERR_QUOTA', message: 'slow down' });
    assert.equal(newer.ok && newer.value.type === 'error' && newer.value.code, 'HOST_ERR_QUOTA');
    for (const code of ['host err', 'x\u202e', 'A'.repeat(65)]) assert.equal(checkHostMessage({ type: 'error', code, message: 'm' }).ok, false, code);
  });
});
