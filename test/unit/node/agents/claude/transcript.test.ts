import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ChatEventSchema, LIMITS, type ChatEvent } from '../../../../../src/core/wire/protocol';
import { REDACTED } from '../../../../../src/core/redaction/secretScanner';
import { MAX_TRANSCRIPT_LINE, TranscriptReader } from '../../../../../src/node/agents/claude/transcript';

const FIXTURES = path.resolve(__dirname, '../../../../../../test/fixtures/claude-code');
const TRANSCRIPTS: Array<[string, string]> = [
  ['transcript-print-allow', '/home/dev/work/allow'],
  ['transcript-tui2', '/home/dev/work/tui2'],
  ['transcript-tui3', '/home/dev/work/tui3'],
  ['transcript-print-hookdeny', '/home/dev/work/hookdeny'],
];
const linesOf = (name: string) => fs.readFileSync(path.join(FIXTURES, `${name}.jsonl`), 'utf8').split('\n');
const golden = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.events.json`), 'utf8')) as ChatEvent[];
const run = (cwd: string, lines: string[]) => {
  const r = new TranscriptReader({ cwd });
  return lines.flatMap((l) => r.feed(l));
};

let uuidCounter = 0;
const rec = (o: Record<string, unknown>) => JSON.stringify({ uuid: `u-${++uuidCounter}`, isSidechain: false, ...o });
const user = (content: unknown, extra: Record<string, unknown> = {}) => rec({ type: 'user', message: { role: 'user', content }, ...extra });
const assistant = (content: unknown[], extra: Record<string, unknown> = {}) => rec({ type: 'assistant', message: { role: 'assistant', content }, ...extra });
const toolUse = (id: string, name: string, input: unknown) => assistant([{ type: 'tool_use', id, name, input }]);
const toolResult = (id: string, isError: boolean, content: unknown = 'ok', extra: Record<string, unknown> = {}) =>
  user([{ type: 'tool_result', tool_use_id: id, content, is_error: isError }], extra);

describe('TranscriptReader', () => {
  describe('over real Claude Code 2.1.330 transcripts', () => {
    for (const [name, cwd] of TRANSCRIPTS) {
      it(`turns ${name}.jsonl into the golden chat events`, () => {
        const events = run(cwd, linesOf(name));
        assert.deepEqual(events, golden(name));
        for (const e of events) assert.ok(ChatEventSchema.safeParse(e).success);
      });
    }

    it('yields nothing new when the CLI writes every record twice', () => {
      for (const [name, cwd] of TRANSCRIPTS) {
        const doubled = linesOf(name).flatMap((l) => [l, l]);
        assert.deepEqual(run(cwd, doubled), golden(name), name);
      }
    });

    for (const [name, cwd] of TRANSCRIPTS) {
      it(`never emits tool results or file contents of ${name}.jsonl (canary)`, () => {
        const CANARY = 'CANARY-7f3e9b2a-do-not-forward';
        const poisoned = linesOf(name).map((line) => {
          if (!line.trim()) return line;
          const r = JSON.parse(line) as { toolUseResult?: unknown; message?: { content?: unknown } };
          if (r.toolUseResult !== undefined) r.toolUseResult = { stdout: CANARY, file: { content: CANARY }, originalFile: CANARY };
          const content = r.message?.content;
          for (const block of Array.isArray(content) ? (content as Array<Record<string, unknown>>) : []) {
            if (block.type === 'tool_result') block.content = [{ type: 'text', text: CANARY }];
          }
          return JSON.stringify(r);
        });
        poisoned.push(
          rec({ type: 'attachment', attachment: { type: 'file', content: CANARY } }),
          rec({ type: 'system', subtype: 'informational', content: CANARY }),
          rec({ type: 'api-request', body: { system: CANARY } }),
          rec({ type: 'summary', summary: CANARY }),
          user(CANARY, { isMeta: true }),
          user(CANARY, { isSidechain: true }),
          assistant([{ type: 'text', text: CANARY }], { isSidechain: true }),
          assistant([{ type: 'thinking', thinking: CANARY }]),
          user(`<command-name>/x</command-name>\n<command-args>${CANARY}</command-args>`),
          user(`<local-command-stdout>${CANARY}</local-command-stdout>`),
        );
        // The canary really is in every tool result and every extra record.
        const withResults = linesOf(name).filter((l) => l.includes('"tool_result"')).length;
        assert.ok(withResults > 0);
        assert.equal(poisoned.filter((l) => l.includes(CANARY)).length, withResults + 10);
        const events = run(cwd, poisoned);
        assert.ok(!JSON.stringify(events).includes(CANARY));
        assert.deepEqual(events, golden(name));
      });
    }
  });

  describe('record by record', () => {
    it('turns a rejection without denial flags into error, then denied', () => {
      const events = run('/w', [toolUse('t1', 'Bash', { command: 'ls' }), toolResult('t1', true, 'rejected'), user([{ type: 'text', text: '[Request interrupted by user for tool use]' }])]);
      assert.deepEqual(events.map((e) => e.kind === 'tool' && e.status), ['running', 'error', 'denied']);
      // A denied command never ran: its chip says what it would have done.
      assert.deepEqual(events.map((e) => e.kind === 'tool' && e.summary), ['Ran `ls`', 'Ran `ls`', 'Run `ls`']);
    });

    it('reads a denying permission decision on an error result as denied', () => {
      const events = run('/w', [toolUse('t1', 'Bash', { command: 'ls' }), toolResult('t1', true, 'Denied from Walkie', { permissionDecision: { decision: 'reject', source: 'hook' } })]);
      assert.deepEqual(events.map((e) => e.kind === 'tool' && e.status), ['running', 'denied']);
      const last = events.at(-1)!;
      assert.equal(last.kind === 'tool' && last.summary, 'Run `ls`');
      const accepted = run('/w', [toolUse('t2', 'Bash', { command: 'false' }), toolResult('t2', true, 'exit 1', { permissionDecision: { decision: 'accept', source: 'hook' } })]);
      assert.deepEqual(accepted.map((e) => e.kind === 'tool' && e.status), ['running', 'error']);
    });

    it('keeps a plain tool error an error', () => {
      const events = run('/w', [toolUse('t1', 'Read', { file_path: '/w/x' }), toolResult('t1', true, 'File does not exist.'), assistant([{ type: 'text', text: 'It is missing.' }])]);
      assert.deepEqual(events, [
        { kind: 'tool', toolUseId: 't1', tool: 'Read', summary: 'Read x', status: 'running' },
        { kind: 'tool', toolUseId: 't1', tool: 'Read', summary: 'Read x', status: 'error' },
        { kind: 'assistant', text: 'It is missing.' },
      ]);
    });

    it('reports an interrupt as a notice', () => {
      assert.deepEqual(run('/w', [user([{ type: 'text', text: '[Request interrupted by user]' }]), user('[Request interrupted by user]')]), [
        { kind: 'notice', text: 'Interrupted' },
        { kind: 'notice', text: 'Interrupted' },
      ]);
    });

    it('skips results for tool uses it never saw, and repeated results', () => {
      assert.deepEqual(run('/w', [toolResult('ghost', false)]), []);
      const events = run('/w', [toolUse('t1', 'Bash', { command: 'ls' }), toolResult('t1', false), toolResult('t1', true), toolUse('t1', 'Bash', { command: 'ls' })]);
      assert.equal(events.length, 2);
    });

    it('redacts secrets and caps long text', () => {
      const token = ['gh', 'p_', 'Q'.repeat(20), '7'.repeat(16)].join('');
      const events = run('/w', [user(`deploy with ${token}`), assistant([{ type: 'text', text: `use ${token}` }, { type: 'text', text: 'z'.repeat(LIMITS.text + 100) }])]);
      assert.deepEqual(events.slice(0, 2), [{ kind: 'user', text: `deploy with ${REDACTED}` }, { kind: 'assistant', text: `use ${REDACTED}` }]);
      const long = events[2]!;
      assert.ok(long.kind === 'assistant' && long.text.length <= LIMITS.text && /truncated \d+ chars\]$/.test(long.text));
    });

    it('shows text typed with an image, and skips empty text', () => {
      assert.deepEqual(run('/w', [user([{ type: 'text', text: 'what is this?' }, { type: 'image', source: {} }]), assistant([{ type: 'text', text: '  \n' }])]), [
        { kind: 'user', text: 'what is this?\n[1 image]' },
      ]);
    });
  });

  describe('junk', () => {
    it('never throws and yields nothing for lines that are not transcript records', () => {
      const deep = '['.repeat(200_000) + ']'.repeat(200_000);
      const junk: unknown[] = [
        '', '   ', 'not json', '{', '{"type":', 'null', '42', '"user"', '[]', deep, '{"type":"user"}', '{"type":"user","message":null}',
        '{"type":"user","message":{"content":42}}', '{"type":"assistant","message":{"content":[null,1,"x",{"type":"tool_use"}]}}',
        '{"type":"assistant","message":{"content":[{"type":"tool_use","id":5,"name":"Bash"}]}}',
        '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":{"x":1}}]}}',
        '{"type":"user","uuid":{},"message":{"content":[{"type":"text","text":7}]}}',
        `{"type":"assistant","message":{"content":[{"type":"text","text":"${'a'.repeat(MAX_TRANSCRIPT_LINE)}"}]}}`,
        '\uFEFF{"type":"user"}', '{"__proto__":{"type":"user"},"message":{"content":"x"}}', undefined, null, 17, {},
      ];
      const r = new TranscriptReader({ cwd: '/w' });
      for (const line of junk) assert.deepEqual(r.feed(line as string), [], String(line).slice(0, 60));
    });

    it('accepts odd but valid shapes without emitting bad events', () => {
      const r = new TranscriptReader({ cwd: '/w' });
      const events = [
        assistant([{ type: 'tool_use', id: 'x'.repeat(500), name: 'N'.repeat(500), input: 'not an object' }]),
        user('x'.repeat(LIMITS.text * 3)),
        assistant([{ type: 'text', text: '\u0000\u202e odd' }]),
      ].flatMap((l) => r.feed(l));
      assert.equal(events.length, 3);
      for (const e of events) assert.ok(ChatEventSchema.safeParse(e).success, JSON.stringify(e).slice(0, 200));
    });
  });
});
