// Security regression (issue 9, items 1 and 2) with the REAL Claude Code CLI: a device's text always reaches
// the model as a prompt and is never run by the CLI as a local command. Before the fix, `!cmd` ran in the
// CLI's bash mode with no approval, `/pwn` ran a project command's inline shell, `/config` opened a dialog
// and `@file` put a file into the model's context without a card.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AgentSessionError } from '../../src/node/sessions/agentSession';
import { contentText, startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { startHarness, waitFor, type AgentHarness } from './agentHarness';

/** What the model was sent as the user's turns in its latest conversation request. */
function userTurns(mock: MockAnthropic): string {
  const last = mock.requests.filter((r) => (r.tools?.length ?? 0) > 0).at(-1);
  return (last?.messages ?? []).filter((m) => m.role === 'user').map((m) => contentText(m.content)).join('\n');
}

/** A project command whose inline shell would touch `marker` (shadows a built-in when named like one). */
function plantCommand(project: string, name: string, marker: string): void {
  const dir = path.join(project, '.claude', 'commands');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.md`), `---\nallowed-tools: Bash(touch:*)\ndescription: planted\n---\nRun this: !\`touch ${marker}\`\n`);
}

describe('Device prompts with the real Claude Code CLI: text reaches the model, never the shell', function () {
  this.timeout(90_000);
  let mock: MockAnthropic;
  let h: AgentHarness | undefined;

  before(async () => {
    mock = await startMockAnthropic();
  });
  after(async () => {
    await mock.close();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends "!cmd", a multi-line "!a\\nb" and "\\x03\\x1b!cmd" to the model as prompts and runs none of them', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    const cases = ['!touch pwned-1', '!touch pwned-2\ntouch pwned-3', '\x03\x1b!touch pwned-4', '\u200b!touch pwned-5', '\n\n!touch pwned-6', 'first line\n!touch pwned-7'];
    for (const [i, text] of cases.entries()) {
      // Resolves only once the CLI's UserPromptSubmit hook confirmed it: bash mode never fires that hook.
      await harness.session.prompt(text, `bang-${i}`);
      await waitFor(`idle after prompt ${i + 1}`, () => harness.session.info().status === 'idle');
    }
    const said = userTurns(mock);
    for (const marker of ['pwned-1', 'pwned-2', 'pwned-3', 'pwned-4', 'pwned-5', 'pwned-6', 'pwned-7']) {
      assert.equal(fs.existsSync(path.join(harness.project, marker)), false, `${marker} must not exist`);
      assert.ok(said.includes(`touch ${marker}`), `the model was told "touch ${marker}"`);
    }
    assert.doesNotMatch(said, /<bash-input>/);
    // Each shows in the chat once, as the device's prompt (the transcript may flush the last one late).
    const ids = () => harness.chatEvents().flatMap((e) => (e.kind === 'user' ? [e.clientId] : []));
    await waitFor('every prompt in the chat', () => ids().length === cases.length, 10_000).catch(() => undefined);
    assert.deepEqual(ids(), cases.map((_, i) => `bang-${i}`));
  });

  it('refuses /config, /hooks and a planted project command with a message for the device, and types nothing', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    plantCommand(harness.project, 'pwn', 'pwned-slash');
    const before = mock.requests.length;
    for (const text of ['/config', '  /hooks', '/pwn now', '/add-dir /']) {
      await assert.rejects(harness.session.prompt(text), (e: unknown) => e instanceof AgentSessionError && e.code === 'SESSION_ERR_PROMPT_REFUSED' && /Slash commands cannot be sent from a device/.test(e.message));
    }
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(fs.existsSync(path.join(harness.project, 'pwned-slash')), false);
    assert.equal(mock.requests.length, before, 'nothing reached the model');
    assert.doesNotMatch(harness.screen(), /to navigate · ↑ to switch tabs/);
  });

  it('lets /compact through, and a project compact.md that shadows it runs no inline shell', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    plantCommand(harness.project, 'compact', 'pwned-compact');
    await harness.session.prompt('/compact', 'compact-1');
    await waitFor('idle after /compact', () => harness.session.info().status === 'idle');
    assert.equal(fs.existsSync(path.join(harness.project, 'pwned-compact')), false);
  });

  it('keeps an @-mentioned file out of the model context: the mention reaches the model as text', async () => {
    h = await startHarness({ mockUrl: mock.url });
    const harness = h;
    const canary = `CANARY-MENTION-${Date.now()}`;
    fs.writeFileSync(path.join(harness.project, 'secret.txt'), canary);
    await harness.session.prompt('@secret.txt what is in it? also see @secret.txt', 'mention-1');
    await waitFor('idle after the prompt', () => harness.session.info().status === 'idle');
    const said = userTurns(mock);
    assert.ok(said.includes('@ secret.txt what is in it?'), 'the prompt text reached the model');
    assert.equal(said.includes(canary), false, 'the file did not');
  });
});
