// `walkie-diff:` documents: a proposed Write/Edit shown in VS Code's diff editor. The left side is the
// file as it is now, read here on this machine (its contents never leave it: the device only ever saw the
// proposed text); the right side is that text with the agent's proposed edit applied. Both are read-only.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalRequest } from '../../core/wire/protocol';

export const DIFF_SCHEME = 'walkie-diff';
/** Files larger than this are not read for the left side. */
const MAX_READ_BYTES = 4 * 1024 * 1024;
/** How many requests are kept for documents that are still open. */
const REMEMBERED = 64;

export class ProposedChangeProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** Both sides per request id, as read when the diff was opened. */
  private readonly sides = new Map<string, { before: string; after: string }>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, this);
  }

  /** True when the request proposes a file change the diff editor can show. */
  static canShow(request: ApprovalRequest): boolean {
    return request.detail.kind === 'write' || request.detail.kind === 'edit';
  }

  /** Opens the diff editor for a Write/Edit request. */
  async show(request: ApprovalRequest): Promise<void> {
    const detail = request.detail;
    if (detail.kind !== 'write' && detail.kind !== 'edit') return;
    const before = readLocal(path.resolve(request.cwd, detail.file)) ?? '';
    const applied = detail.kind === 'write' ? { text: detail.content, missed: 0 } : applyEdits(before, detail.edits);
    this.sides.delete(request.id);
    this.sides.set(request.id, { before, after: applied.text });
    while (this.sides.size > REMEMBERED) this.sides.delete(this.sides.keys().next().value as string);
    const name = path.basename(detail.file) || 'file';
    const uri = (side: string) => vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${request.id}/${side}/${name}` });
    const note = applied.missed ? `, ${applied.missed} edit(s) do not match the file as it is now` : '';
    await vscode.commands.executeCommand('vscode.diff', uri('before'), uri('after'), `${name} (proposed by the agent${note})`, { preview: true });
  }

  /** Closes the diff tab(s) of a request once it is decided: the proposal is no longer on offer. */
  async close(requestId: string): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => {
      const input = t.input;
      return input instanceof vscode.TabInputTextDiff && input.original.scheme === DIFF_SCHEME && input.original.path.startsWith(`/${requestId}/`);
    });
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, id, side] = uri.path.split('/');
    const sides = id ? this.sides.get(id) : undefined;
    if (!sides) return '';
    return side === 'before' ? sides.before : sides.after;
  }

  dispose(): void {
    this.registration.dispose();
    this.sides.clear();
  }
}

/** Applies each replacement in order (the first occurrence, as the agent's Edit tool does); counts misses. */
export function applyEdits(text: string, edits: readonly { oldText: string; newText: string }[]): { text: string; missed: number } {
  let out = text;
  let missed = 0;
  for (const e of edits) {
    if (e.oldText === '') {
      out = e.newText + out;
      continue;
    }
    const at = out.indexOf(e.oldText);
    if (at < 0) missed++;
    else out = out.slice(0, at) + e.newText + out.slice(at + e.oldText.length);
  }
  return { text: out, missed };
}

function readLocal(file: string): string | undefined {
  try {
    if (fs.statSync(file).size > MAX_READ_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
