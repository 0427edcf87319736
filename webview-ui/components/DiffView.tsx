// The proposed change of an approval as a coloured line diff: for Write, the new content as additions
// (the existing file is never sent); for Edit/MultiEdit, each old → new replacement (the `diff` package's
// line diff). Every line carries a +/− gutter as well as a colour, so it reads without colour too.
import { diffLines } from 'diff';
import type { ApprovalDetail } from '../../src/core/wire/protocol';

type Line = { kind: 'add' | 'del' | 'ctx'; text: string };

/** Past this many edit operations the line diff gives up and shows old as removed, new as added. */
const MAX_EDIT_LENGTH = 4000;

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function replacementLines(oldText: string, newText: string): Line[] {
  const changes = diffLines(oldText, newText, { maxEditLength: MAX_EDIT_LENGTH });
  if (!changes) {
    return [...splitLines(oldText).map((text) => ({ kind: 'del' as const, text })), ...splitLines(newText).map((text) => ({ kind: 'add' as const, text }))];
  }
  return changes.flatMap((c) => splitLines(c.value).map((text) => ({ kind: c.added ? 'add' : c.removed ? 'del' : 'ctx', text }) as Line));
}

function Lines({ lines }: { lines: Line[] }) {
  return (
    <pre class="diff-lines">
      {lines.map((l, i) => (
        <div key={i} class={`diff-line diff-${l.kind}`}>
          <span class="diff-gutter" aria-hidden="true">
            {l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ' '}
          </span>
          {l.kind !== 'ctx' && <span class="sr-only">{l.kind === 'add' ? 'added: ' : 'removed: '}</span>}
          <span class="diff-text">{l.text || ' '}</span>
        </div>
      ))}
    </pre>
  );
}

export function DiffView({ detail }: { detail: Extract<ApprovalDetail, { kind: 'write' | 'edit' }> }) {
  if (detail.kind === 'write') {
    const lines = splitLines(detail.content).map((text) => ({ kind: 'add' as const, text }));
    return (
      <div class="diff" data-testid="diff">
        <div class="diff-file">
          <span class="mono">{detail.file}</span> <span class="muted">(new content, {lines.length} lines)</span>
        </div>
        <Lines lines={lines} />
      </div>
    );
  }
  return (
    <div class="diff" data-testid="diff">
      <div class="diff-file mono">{detail.file}</div>
      {detail.edits.map((e, i) => {
        const lines = replacementLines(e.oldText, e.newText);
        const added = lines.filter((l) => l.kind === 'add').length;
        const removed = lines.filter((l) => l.kind === 'del').length;
        return (
          <section key={i} class="diff-hunk" aria-label={`Replacement ${i + 1} of ${detail.edits.length}`}>
            {detail.edits.length > 1 && (
              <div class="diff-hunk-head muted">
                Replacement {i + 1} of {detail.edits.length} · +{added} −{removed}
              </div>
            )}
            <Lines lines={lines} />
          </section>
        );
      })}
    </div>
  );
}
