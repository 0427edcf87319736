// The Walkie screen of the `walkie host` terminal: the person at the computer answers approvals there too,
// and reads the pairing words, which the agent's full-screen UI would otherwise wipe at once.
//
// Which way, and why: a keystroke (Ctrl-], the telnet escape key, which Claude Code and Codex leave alone)
// takes the terminal over from the agent's UI and shows the waiting approvals; `a` allows, `d` denies, Esc
// goes back. Not Claude Code's own permission prompt racing the device: Walkie's gate holds the tool call at
// the agent's hook, so the agent never prompts, and letting it prompt would need an `ask` answer that skips
// Walkie's exact-input check and audit. Here the answer goes through the same broker as a phone's — the
// first answer wins, it names the exact input (hash), it is audited, its author is "terminal" — and it
// works the same for every agent. A new approval sets the terminal's title and rings the bell; a pairing
// opens the screen with the words until a key is pressed. Strings shown are stripped of control characters.
import { safeText } from '../../core/bridge/deviceOutput';
import type { Disposable } from '../../core/base/dispose';
import type { ApprovalRequest } from '../../core/wire/protocol';
import type { WalkieHost } from '../host/walkieHost';
import type { AgentSession } from '../sessions/agentSession';
import type { CommandIO } from './hostSetup';

/** Ctrl-]: opens the Walkie screen. */
export const WALKIE_KEY = '\x1d';

export class LocalConsole implements Disposable {
  private shown = false;
  private pairedLine: string | undefined;
  private readonly subs: Disposable[];

  constructor(
    private readonly host: WalkieHost,
    private readonly session: AgentSession,
    private readonly io: CommandIO,
  ) {
    this.subs = [
      host.broker.onRequest((r) => {
        if (r.session !== this.session.id) return;
        this.title();
        if (this.shown) this.render();
        else this.io.stdout.write('\x07');
      }),
      host.broker.onResolved(() => {
        this.title();
        if (this.shown) this.render();
      }),
      host.onPaired(({ device, sas }) => {
        this.pairedLine = `Paired "${safeText(device.name)}". Check that the device shows: ${sas}`;
        this.show();
      }),
    ];
  }

  /** True while the Walkie screen covers the agent's (its output is then not shown). */
  get open(): boolean {
    return this.shown;
  }

  /** A key from the terminal; true when the Walkie screen used it (it must not reach the agent). */
  key(data: string): boolean {
    if (!this.shown) {
      if (data !== WALKIE_KEY) return false;
      this.show();
      return true;
    }
    const first = this.pending()[0];
    if (first && (data === 'a' || data === 'd')) {
      this.host.broker.decide(first.id, first.inputHash, data === 'a' ? 'allow' : 'deny', { kind: 'terminal' });
      if (!this.pending().length && !this.pairedLine) this.close();
      return true;
    }
    if (data === '\x1b' || data === WALKIE_KEY || data === 'q' || (this.pairedLine && !first)) this.close();
    return true;
  }

  private pending(): ApprovalRequest[] {
    return this.host.broker.pending(this.session.id);
  }

  private show(): void {
    this.shown = true;
    this.render();
  }

  private close(): void {
    this.shown = false;
    this.pairedLine = undefined;
    this.io.stdout.write('\x1b[H\x1b[2J\x1b[?25h');
    // The agent's UI redraws itself on a resize: nudge it, so its screen comes back whole.
    const cols = this.io.stdout.columns || 80;
    const rows = this.io.stdout.rows || 24;
    this.session.resize(Math.max(20, cols - 1), rows);
    setTimeout(() => this.session.resize(cols, rows), 60).unref();
  }

  private title(): void {
    const n = this.pending().length;
    this.io.stdout.write(`\x1b]2;${n ? `Walkie: ${n} approval${n > 1 ? 's' : ''} waiting (Ctrl-] to answer here)` : 'Walkie'}\x07`);
  }

  private render(): void {
    const cols = Math.max(20, this.io.stdout.columns || 80);
    const rows = Math.max(8, this.io.stdout.rows || 24);
    const lines: string[] = ['Walkie — at the computer   (Esc: back to the agent)', ''];
    if (this.pairedLine) lines.push(this.pairedLine, '');
    const pending = this.pending();
    const first = pending[0];
    if (!first) {
      lines.push(this.pairedLine ? 'Press any key to go back to the agent.' : 'No approval is waiting.');
    } else {
      lines.push(`Approval 1 of ${pending.length}: ${safeText(first.summary)}`);
      lines.push(`Risk: ${first.risk.level}${first.risk.reasons.length ? ` (${first.risk.reasons.map((r) => safeText(r)).join(', ')})` : ''}`);
      lines.push('');
      const d = first.detail;
      const body = d.kind === 'command' ? d.command : d.kind === 'write' ? `Write ${d.file}\n${d.content}` : d.kind === 'edit' ? `Edit ${d.file} (${d.edits.length} change${d.edits.length > 1 ? 's' : ''})` : d.input;
      for (const l of body.split('\n').slice(0, Math.max(1, rows - lines.length - 4))) lines.push(`  ${safeText(l)}`);
      lines.push('', 'a = allow   d = deny   Esc = back to the agent (the approval keeps waiting)');
    }
    const out = lines.slice(0, rows - 1).map((l) => (l.length > cols ? `${l.slice(0, cols - 1)}…` : l));
    this.io.stdout.write(`\x1b[?25l\x1b[H\x1b[2J${out.join('\r\n')}`);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
