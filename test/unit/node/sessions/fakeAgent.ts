// A scripted fake agent for tests that need a real AgentSession in a real pty: a small Node program that shows
// a prompt box, reads bracketed-paste prompts, and calls the hook URL the way Claude Code does
// (UserPromptSubmit, then PreToolUse for prompts that contain TOOL, then Stop unless the prompt says HANG),
// writing a transcript as it goes. FakeAgentAdapter launches it with the Claude adapter's parsing and answers.
import type { LaunchContext, LaunchPlan } from '../../../../src/node/agents/agentAdapter';
import { ClaudeCodeAdapter } from '../../../../src/node/agents/claude/claudeCode';

export const FAKE_AGENT = String.raw`
const fs = require('fs');
const env = process.env;
const base = { session_id: 'fake-1', transcript_path: env.FAKE_TRANSCRIPT, cwd: process.cwd(), permission_mode: env.FAKE_MODE };
const hook = async (body) => (await fetch(env.FAKE_HOOK_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...base, ...body }) })).json();
const record = (type, content) => fs.appendFileSync(env.FAKE_TRANSCRIPT, JSON.stringify({ type, uuid: String(Math.floor(performance.now() * 1000)) + type, message: { role: type, content } }) + '\n');
process.stdin.setRawMode(true);
process.stdout.write('> \u001b[1C?\u001b[1Cfor shortcuts\n');
let buf = '';
process.stdin.on('data', async (d) => {
  buf += d.toString();
  if (buf === '\u001b') { buf = ''; return record('user', [{ type: 'text', text: '[Request interrupted by user]' }]); }
  const m = /\u001b\[200~([\s\S]*)\u001b\[201~\r$/.exec(buf);
  if (!m) return;
  buf = '';
  const prompt = m[1];
  await hook({ hook_event_name: 'UserPromptSubmit', prompt });
  record('user', prompt);
  if (prompt.includes('TOOL')) {
    const a = await hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'make' }, tool_use_id: 'toolu_1' });
    record('assistant', [{ type: 'text', text: 'decision: ' + a.hookSpecificOutput.permissionDecision }]);
  } else record('assistant', [{ type: 'text', text: 'ok' }]);
  if (!prompt.includes('HANG')) await hook({ hook_event_name: 'Stop' });
});
`;

/** The Claude adapter's parsing and answers, launching the fake agent instead of the CLI. */
export class FakeAgentAdapter extends ClaudeCodeAdapter {
  constructor(
    private readonly transcript: string,
    private readonly mode = 'default',
  ) {
    super();
  }
  override resolveBinary(): string {
    return process.execPath;
  }
  override async checkVersion(): Promise<string> {
    return '2.1.330';
  }
  override prepareLaunch(bin: string, _argv: readonly string[], ctx: LaunchContext): LaunchPlan {
    return { command: bin, args: ['-e', FAKE_AGENT], env: { ...ctx.env, FAKE_HOOK_URL: ctx.hookUrl, FAKE_TRANSCRIPT: this.transcript, FAKE_MODE: this.mode }, notices: [] };
  }
}

export async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
