import assert from 'node:assert/strict';
import { prepareCodexPrompt } from '../../../../../src/node/agents/codex/codexPrompt';

describe('prepareCodexPrompt', () => {
  it('keeps a leading ! from switching the composer to shell mode (one leading space, measured)', () => {
    assert.deepEqual(prepareCodexPrompt('!rm -rf ~'), { ok: true, text: ' !rm -rf ~' });
    assert.deepEqual(prepareCodexPrompt('\n\n  !touch x'), { ok: true, text: ' !touch x' });
  });

  it('refuses slash commands with a message for the device', () => {
    for (const t of ['/status', '  /hooks', '\n/new']) {
      const r = prepareCodexPrompt(t);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.code, 'PROMPT_ERR_COMMAND');
    }
  });

  it('passes ordinary text through unchanged', () => {
    assert.deepEqual(prepareCodexPrompt('fix the tests, then run /bin/true and say !'), { ok: true, text: 'fix the tests, then run /bin/true and say !' });
  });
});
