// The output lines of `walkie device` (src/node/cli/deviceCli.ts, docs/cli.md): the same records either as one
// JSON object per line (--json) or as short human-readable text. Text from the host — agent output, tool
// summaries, names — is stripped of control characters first, so it can never move the cursor, recolour
// the terminal or rewrite earlier lines (ANSI escape injection). JSON.stringify escapes them by itself.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function safeText(text: unknown): string {
  return String(text ?? '').replace(CONTROL, '');
}

const indent = (text: string, max = 20): string => {
  const lines = safeText(text).split('\n');
  const shown = lines.slice(0, max).map((l) => `    ${l}`);
  if (lines.length > max) shown.push(`    … ${lines.length - max} more lines`);
  return shown.join('\n');
};

type Rec = Record<string, unknown>;

function detailText(d: Rec | undefined): string {
  if (!d) return '';
  switch (d.kind) {
    case 'command':
      return indent(`$ ${String(d.command)}`);
    case 'write':
      return `    write ${safeText(d.file)}\n${indent(String(d.content), 10)}`;
    case 'edit':
      return `    edit ${safeText(d.file)} (${(d.edits as unknown[]).length} change(s))\n` +
        (d.edits as { oldText: string; newText: string }[]).slice(0, 3).map((e) => `${indent(`- ${e.oldText}`, 5)}\n${indent(`+ ${e.newText}`, 5)}`).join('\n');
    default:
      return indent(String(d.input ?? ''), 10);
  }
}

function humanLine(r: Rec): string {
  switch (r.type) {
    case 'paired':
      return `Paired with ${safeText(r.hostName)}. Check that the host shows the same words: ${safeText(r.sas)}`;
    case 'status':
      return r.state === 'offline' && r.code !== undefined ? `○ offline (${String(r.code)} ${safeText(r.reason)})` : r.state === 'online' ? '● online' : '… connecting';
    case 'session': {
      const s = r.session as Rec;
      return `[${safeText(s.title) || safeText(s.id)}] ${safeText(s.status)} — ${safeText(s.cwd)}`;
    }
    case 'chat': {
      const e = r.event as Rec;
      const who = e.kind === 'user' ? 'you' : e.kind === 'assistant' ? 'agent' : e.kind === 'tool' ? `tool ${safeText(e.tool)}` : 'notice';
      const body = e.kind === 'tool' ? `${safeText(e.summary)} (${safeText(e.status)})` : safeText(e.text);
      return `${who}› ${body}`;
    }
    case 'approval': {
      const risk = r.risk as { level: string; reasons: string[] };
      return [
        `APPROVAL ${safeText(r.tool)}: ${safeText(r.summary)}`,
        detailText(r.detail as Rec),
        `    risk: ${safeText(risk.level)}${risk.reasons.length ? ` (${risk.reasons.map(safeText).join('; ')})` : ''}`,
        '    press a to allow, d to deny',
      ].join('\n');
    }
    case 'resolved':
      return `resolved: ${safeText(r.resolution)} by ${safeText(r.by)}${r.message ? ` — ${safeText(r.message)}` : ''}`;
    case 'error':
      return `error ${safeText(r.code)}: ${safeText(r.message)}`;
    default:
      return safeText(JSON.stringify(r));
  }
}

/** One output record as a line (with its trailing newline). */
export function deviceOutputLine(record: Rec, json: boolean): string {
  return `${json ? JSON.stringify(record) : humanLine(record)}\n`;
}
