import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApprovalDetailSchema, LIMITS } from '../../../../../src/core/wire/protocol';
import { REDACTED } from '../../../../../src/core/redaction/secretScanner';
import { countLines, describeApproval, displayPath, isInside, lineChanges, resolvePath, summarizeToolUse } from '../../../../../src/node/agents/claude/toolSummary';

const ROOT = path.resolve(__dirname, '../../../../../..');
const hooks = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/claude-code/hook-inputs.json'), 'utf8')) as Record<string, { cwd: string; tool_name: string; tool_input: unknown }>;
const CWD = '/home/dev/work/allow';
const fakeToken = () => ['gh', 'p_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('');

describe('summarizeToolUse', () => {
  const cases: Array<[string, unknown, string]> = [
    ['Bash', { command: 'npm test', description: 'Run the tests' }, 'Ran `npm test`'],
    ['Bash', { command: 'git status\n  && git diff' }, 'Ran `git status && git diff`'],
    ['Edit', { file_path: `${CWD}/notes.txt`, old_string: 'line2', new_string: 'line2 edited' }, 'Edited notes.txt +1 −1'],
    ['Edit', { file_path: `${CWD}/src/a.ts`, old_string: 'a\nb\nc', new_string: 'a\nB\nB2\nc' }, 'Edited src/a.ts +2 −1'],
    ['Edit', { file_path: `${CWD}/src/a.ts`, old_string: 'x\ny\n', new_string: '' }, 'Edited src/a.ts +0 −2'],
    ['MultiEdit', { file_path: `${CWD}/a.ts`, edits: [{ old_string: 'a', new_string: 'b\nc' }, { old_string: 'd\ne', new_string: 'd' }] }, 'Edited a.ts +2 −2 (2 edits)'],
    ['Write', { file_path: `${CWD}/notes.txt`, content: 'hello from mock\nline2\n' }, 'Wrote notes.txt (+2 lines)'],
    ['Write', { file_path: `${CWD}/one.txt`, content: 'no newline' }, 'Wrote one.txt (+1 line)'],
    ['Write', { file_path: `${CWD}/empty.txt`, content: '' }, 'Wrote empty.txt (+0 lines)'],
    ['Read', { file_path: `${CWD}/src/a.ts` }, 'Read src/a.ts'],
    ['Read', { file_path: '/etc/hosts' }, 'Read /etc/hosts'],
    ['Read', { file_path: `${CWD}/../other/x.ts` }, 'Read /home/dev/work/other/x.ts'],
    ['Grep', { pattern: 'foo' }, 'Searched for "foo"'],
    ['Grep', { pattern: 'TODO\\(.*\\)', path: `${CWD}/src` }, 'Searched for "TODO\\(.*\\)" in src'],
    ['Glob', { pattern: '**/*.ts' }, 'Found files matching "**/*.ts"'],
    ['LS', { path: CWD }, 'Listed .'],
    ['WebFetch', { url: 'https://user:pw@Example.com:8443/a?b=c', prompt: 'summarize' }, 'Fetched example.com'],
    ['WebSearch', { query: 'zod 4 strictObject' }, 'Searched the web for "zod 4 strictObject"'],
    ['TodoWrite', { todos: [{ content: 'x', status: 'pending' }] }, 'Updated the to-do list'],
    ['Task', { description: 'Find the bug', prompt: 'long prompt' }, 'Started a subagent: Find the bug'],
    ['NotebookEdit', { notebook_path: `${CWD}/n.ipynb`, new_source: 'print(1)', edit_mode: 'insert' }, 'Edited n.ipynb (insert cell)'],
    ['mcp__github__create_issue', { title: 'x' }, 'Used create_issue (github)'],
    ['Frobnicate', { a: 1 }, 'Used Frobnicate'],
  ];
  for (const [tool, input, expected] of cases) {
    it(`summarizes ${tool} as "${expected}"`, () => assert.equal(summarizeToolUse(tool, input, CWD), expected));
  }

  it('redacts secrets in a command before it clips it', () => {
    const token = fakeToken();
    const line = summarizeToolUse('Bash', { command: `curl -H "Authorization: token ${token}" https://api.github.com` }, CWD);
    assert.ok(!line.includes(token), line);
    assert.ok(line.includes(REDACTED));
  });

  it('clips a long command and keeps the closing backtick, within the summary limit', () => {
    const line = summarizeToolUse('Bash', { command: `echo ${'word '.repeat(500)}` }, CWD);
    assert.ok(line.length <= LIMITS.summary);
    assert.match(line, /^Ran `echo word .*…`$/);
  });

  it('survives junk input', () => {
    for (const input of [null, undefined, 'string', 42, [1, 2], { command: 7, file_path: {} }]) {
      for (const tool of ['Bash', 'Write', 'Edit', 'MultiEdit', 'Read', 'WebFetch', 'Grep', 'x'.repeat(1000)]) {
        const line = summarizeToolUse(tool, input, CWD);
        assert.equal(typeof line, 'string');
        assert.ok(line.length <= LIMITS.summary);
      }
    }
  });
});

describe('describeApproval', () => {
  it('shows a Bash call as its command and description', () => {
    const h = hooks['PreToolUse:Bash']!;
    assert.deepEqual(describeApproval(h.tool_name, h.tool_input, h.cwd), {
      summary: 'Run `echo hi > out.txt`',
      detail: { kind: 'command', command: 'echo hi > out.txt', description: 'Write hi to out.txt' },
    });
  });

  it('shows a Write as the file and its new content', () => {
    const h = hooks['PreToolUse:Write']!;
    assert.deepEqual(describeApproval(h.tool_name, h.tool_input, h.cwd), {
      summary: 'Write notes.txt (+2 lines)',
      detail: { kind: 'write', file: 'notes.txt', content: 'hello from mock\nline2\n' },
    });
  });

  it('shows an Edit as its replacement', () => {
    const h = hooks['PreToolUse:Edit']!;
    assert.deepEqual(describeApproval(h.tool_name, h.tool_input, h.cwd), {
      summary: 'Edit notes.txt +1 −1',
      detail: { kind: 'edit', file: 'notes.txt', edits: [{ oldText: 'line2', newText: 'line2 edited' }] },
    });
  });

  it('shows every edit of a MultiEdit, at most 64, within the detail budget', () => {
    const edits = Array.from({ length: 70 }, (_, i) => ({ old_string: `old ${i}\n`.repeat(200), new_string: `new ${i}\n`.repeat(200) }));
    const { summary, detail } = describeApproval('MultiEdit', { file_path: '/elsewhere/a.ts', edits }, CWD);
    assert.equal(summary, 'Edit /elsewhere/a.ts +14000 −14000 (70 edits)');
    assert.equal(detail.kind, 'edit');
    if (detail.kind !== 'edit') return;
    assert.equal(detail.edits.length, 64);
    assert.ok(ApprovalDetailSchema.safeParse(detail).success);
    const total = detail.edits.reduce((n, e) => n + e.oldText.length + e.newText.length, 0);
    assert.ok(total <= 2 * LIMITS.detail, `${total}`);
    assert.match(detail.edits[0]!.oldText, /truncated \d+ chars\]$/);
  });

  it('shows other tools as redacted, capped JSON', () => {
    const token = fakeToken();
    const { summary, detail } = describeApproval('mcp__github__create_issue', { title: 'Bug', auth: token, body: 'x'.repeat(100_000) }, CWD);
    assert.equal(summary, 'Use create_issue (github)');
    assert.equal(detail.kind, 'other');
    if (detail.kind !== 'other') return;
    assert.ok(!detail.input.includes(token));
    assert.ok(detail.input.startsWith('{\n  "title": "Bug",'));
    assert.ok(detail.input.length <= LIMITS.detail);
    assert.ok(ApprovalDetailSchema.safeParse(detail).success);
  });

  it('shows a NotebookEdit as JSON, since the old cell is not known', () => {
    const { detail } = describeApproval('NotebookEdit', { notebook_path: `${CWD}/n.ipynb`, cell_id: 'c1', new_source: 'print(1)' }, CWD);
    assert.equal(detail.kind, 'other');
  });

  it('redacts secrets in commands and file contents and caps them', () => {
    const token = fakeToken();
    const bash = describeApproval('Bash', { command: `GITHUB_TOKEN=${token} gh pr list` }, CWD);
    assert.ok(bash.detail.kind === 'command' && !bash.detail.command.includes(token));
    const write = describeApproval('Write', { file_path: `${CWD}/.env`, content: `TOKEN=${token}\n${'y'.repeat(200_000)}` }, CWD);
    assert.ok(write.detail.kind === 'write' && !write.detail.content.includes(token) && write.detail.content.length <= LIMITS.detail);
    assert.ok(ApprovalDetailSchema.safeParse(write.detail).success);
  });

  it('always produces a detail the protocol accepts, whatever the input', () => {
    for (const input of [null, 'x', [1], { command: 1 }, { file_path: 5, content: null }, { edits: 'no' }, { edits: [null, 1, { old_string: 2 }] }]) {
      for (const tool of ['Bash', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'WebFetch']) {
        const r = describeApproval(tool, input, CWD);
        assert.ok(ApprovalDetailSchema.safeParse(r.detail).success, `${tool} ${JSON.stringify(input)}`);
        assert.ok(r.summary.length <= LIMITS.summary);
      }
    }
  });
});

describe('paths', () => {
  it('resolves . and .. and backslashes', () => {
    assert.equal(resolvePath('a/./b/../c', '/w'), '/w/a/c');
    assert.equal(resolvePath('/w/../../etc', '/x'), '/etc');
    assert.equal(resolvePath('C:\\proj\\src\\..\\a.ts', '/'), 'C:/proj/a.ts');
  });

  it('shows paths inside cwd relative to it, others absolute', () => {
    assert.equal(displayPath('/w/p/src/a.ts', '/w/p'), 'src/a.ts');
    assert.equal(displayPath('/w/p/', '/w/p'), '.');
    assert.equal(displayPath('/w/project2/a.ts', '/w/p'), '/w/project2/a.ts');
    assert.equal(displayPath('/w/p/../q/a.ts', '/w/p'), '/w/q/a.ts');
    assert.equal(displayPath('C:\\proj\\src\\a.ts', 'C:\\proj'), 'src/a.ts');
    assert.equal(displayPath('src/a.ts', '/w/p'), 'src/a.ts');
  });

  it('tells inside from outside, including sibling folders with a common prefix', () => {
    assert.equal(isInside('/w/p/a', '/w/p'), true);
    assert.equal(isInside('/w/p', '/w/p/'), true);
    assert.equal(isInside('/w/pp/a', '/w/p'), false);
    assert.equal(isInside('/w/p/../q', '/w/p'), false);
    assert.equal(isInside('/w/p/a', ''), false);
  });
});

describe('line counts', () => {
  it('counts lines changed between the shared head and tail', () => {
    assert.deepEqual(lineChanges('a\nb\nc', 'a\nc'), { added: 0, removed: 1 });
    assert.deepEqual(lineChanges('', 'x\ny'), { added: 2, removed: 0 });
    assert.deepEqual(lineChanges('same', 'same'), { added: 0, removed: 0 });
    assert.deepEqual(lineChanges('x\ny\n', ''), { added: 0, removed: 2 });
  });

  it('does not count a final newline as a line', () => {
    assert.equal(countLines('a\nb\n'), 2);
    assert.equal(countLines('a\nb'), 2);
    assert.equal(countLines('\n'), 1);
    assert.equal(countLines(''), 0);
  });
});
