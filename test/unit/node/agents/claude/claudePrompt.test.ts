// The host's decision that a device's text reaches Claude Code as a prompt (issue 9, items 1–2). The real-CLI
// proof is test/e2e/devicePrompts.test.ts; these pin the rules on every shape of input.
import assert from 'node:assert/strict';
import { DEVICE_SLASH_COMMANDS, neutraliseMentions, prepareClaudePrompt } from '../../../../../src/node/agents/claude/claudePrompt';
import { sanitizePrompt } from '../../../../../src/node/terminal/ptyProcess';

const typed = (text: string, launch: 'wrapped' | 'attached' = 'wrapped') => {
  const p = prepareClaudePrompt(sanitizePrompt(text), launch);
  assert.ok(p.ok, `expected ${JSON.stringify(text)} to be accepted`);
  return p.text;
};
const refused = (text: string, launch: 'wrapped' | 'attached' = 'wrapped') => {
  const p = prepareClaudePrompt(sanitizePrompt(text), launch);
  assert.equal(p.ok, false, `expected ${JSON.stringify(text)} to be refused`);
  return p.ok ? '' : `${p.code}: ${p.message}`;
};

describe('prepareClaudePrompt', () => {
  it('never lets a prompt start with "!" (bash mode), whatever comes before it', () => {
    for (const text of ['!id', '!a\nb', '\x03\x1b!touch x', '\u200b!x', '\u202e!x', '\n\n!x', '   !x', '\t!x', '\r\n!x']) {
      const out = typed(text);
      assert.match(out, /^ !/, JSON.stringify(text));
      assert.doesNotMatch(out, /^!/);
    }
  });

  it('leaves a "!" that is not first alone', () => {
    assert.equal(typed('fix it now!'), 'fix it now!');
    assert.equal(typed('run\n!this'), 'run\n!this');
  });

  it('refuses slash commands from a device except /compact and /clear, with a message that says which', () => {
    assert.deepEqual([...DEVICE_SLASH_COMMANDS], ['compact', 'clear']);
    for (const text of ['/config', '  /hooks', '/permissions', '/model opus', '/add-dir /', '/pwn', '/', '\x1b/config', '\u200b/config', '/COMPACTX']) {
      assert.match(refused(text), /^PROMPT_ERR_COMMAND: Slash commands cannot be sent from a device \(only \/compact and \/clear\)/, JSON.stringify(text));
    }
    assert.equal(typed('/compact'), '/compact');
    assert.equal(typed('  /Compact keep the API notes'), '/Compact keep the API notes');
    assert.equal(typed('/clear'), '/clear');
  });

  it('refuses every slash command to an attached session (no Walkie settings layer there)', () => {
    assert.match(refused('/compact', 'attached'), /to a session started in a terminal/);
    assert.equal(typed('!x', 'attached'), ' !x');
  });

  it('keeps "/" inside a prompt: only the first non-blank character counts', () => {
    assert.equal(typed('look at /etc/hosts'), 'look at /etc/hosts');
  });

  it('turns every @-mention the CLI would follow into plain text', () => {
    assert.equal(typed('@secret.txt what is it'), '@ secret.txt what is it');
    assert.equal(typed('see @~/.ssh/id_rsa and\n@/etc/passwd'), 'see @ ~/.ssh/id_rsa and\n@ /etc/passwd');
    assert.equal(typed('/compact focus on @notes.md'), '/compact focus on @ notes.md');
    assert.equal(neutraliseMentions('mail me@example.com'), 'mail me@example.com');
    assert.equal(neutraliseMentions('a lone @ sign'), 'a lone @ sign');
    assert.equal(neutraliseMentions('tabs\t@x'), 'tabs\t@ x');
  });
});

describe('sanitizePrompt', () => {
  it('removes invisible format characters the CLI would hold the prompt for', () => {
    assert.equal(sanitizePrompt('a\u200bb\u200dc\ufeffd\u2066e\u00adf'), 'abcdef');
  });
});
