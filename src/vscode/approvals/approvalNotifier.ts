// Approvals in the editor: every request the broker opens becomes a notification with Approve / Deny
// (and "Show change" for a proposed edit, which opens the diff editor and asks again). The first answer
// anywhere wins: the broker refuses a second one, and a click that arrives late says who answered first.
import * as vscode from 'vscode';
import type { Outcome } from '../../core/approvals/approvalBroker';
import type { ApprovalRequest, Decision } from '../../core/wire/protocol';
import type { WalkieHost } from '../../node/host/walkieHost';
import { ProposedChangeProvider } from './proposedChangeProvider';

/** How many resolutions are remembered to explain a late click. */
const REMEMBERED = 256;

export class ApprovalNotifier implements vscode.Disposable {
  private host: WalkieHost | undefined;
  private subs: { dispose(): void }[] = [];
  private readonly outcomes = new Map<string, Outcome>();

  constructor(
    private readonly changes: ProposedChangeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Follows a (newly started) host's broker. */
  attach(host: WalkieHost): void {
    this.detach();
    this.host = host;
    this.subs = [
      host.broker.onRequest((request) => void this.notify(request)),
      host.broker.onResolved(({ request, outcome }) => {
        this.outcomes.set(request.id, outcome);
        while (this.outcomes.size > REMEMBERED) this.outcomes.delete(this.outcomes.keys().next().value as string);
        if (outcome.author.kind !== 'vscode') vscode.window.setStatusBarMessage(`Walkie: ${describe(outcome)}`, 5000);
      }),
    ];
  }

  private detach(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    this.host = undefined;
  }

  /** Shows the notification until it is answered, dismissed, or resolved elsewhere. */
  async notify(request: ApprovalRequest): Promise<void> {
    const reason = request.risk.reasons[0];
    const risk = request.risk.level === 'low' ? '' : ` (${request.risk.level} risk${reason ? `: ${reason}` : ''})`;
    // Security: a notification shows one line. Approve is offered only when that line is the whole request
    // (or the diff is one click away) and the risk is not high; otherwise the full card in the panel decides.
    const approveHere = request.risk.level !== 'high' && shownInFull(request);
    const buttons = [approveHere ? 'Approve' : 'Review…', 'Deny', ...(ProposedChangeProvider.canShow(request) ? ['Show change'] : [])];
    for (;;) {
      const pick = await vscode.window.showWarningMessage(`Walkie: allow the agent to ${lowerFirst(request.summary)}?${risk}`, ...buttons);
      if (pick === 'Approve' || pick === 'Deny') {
        await this.answer(request, pick === 'Approve' ? 'allow' : 'deny');
        return;
      }
      if (pick === 'Review…') {
        await vscode.commands.executeCommand('walkie.showPanel');
        return;
      }
      if (pick !== 'Show change') return;
      await this.changes.show(request);
      // Opening the diff dismissed the notification: ask again while the request is still open.
      if (!this.isPending(request.id)) return;
    }
  }

  /**
   * What the notification's buttons call: decides for this window. Returns the message shown when the
   * request was already answered elsewhere (or expired), undefined when this answer won.
   */
  async answer(request: ApprovalRequest, decision: Decision): Promise<string | undefined> {
    const host = this.host;
    const r = host?.broker.decide(request.id, request.inputHash, decision, { kind: 'vscode' });
    if (r?.ok) {
      this.log.info(`approval ${request.id}: ${r.outcome.resolution} in VS Code`);
      return undefined;
    }
    const outcome = this.outcomes.get(request.id);
    const text = outcome ? `Walkie: this request was already ${describe(outcome)}.` : 'Walkie: this request is no longer pending.';
    void vscode.window.showInformationMessage(text);
    return text;
  }

  isPending(id: string): boolean {
    return this.host?.broker.pending().some((r) => r.id === id) ?? false;
  }

  dispose(): void {
    this.detach();
    this.outcomes.clear();
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** "approved on Pixel 8", "denied in VS Code", "expired". */
function describe(o: Outcome): string {
  const where = o.author.kind === 'vscode' ? 'in VS Code' : o.author.kind === 'terminal' ? 'at the computer' : `on ${o.by}`;
  switch (o.resolution) {
    case 'allowed':
      return `approved ${where}`;
    case 'denied':
      return `denied ${where}`;
    case 'expired':
      return 'expired without an answer';
    case 'cancelled':
      return 'cancelled';
  }
}

/** Whether the notification's one line shows everything the approval would allow. */
export function shownInFull(request: ApprovalRequest): boolean {
  const d = request.detail;
  if (d.kind === 'command') return !/[\r\n]/.test(d.command) && request.summary.includes(d.command);
  // Writes and edits: "Show change" opens the full diff next to the buttons.
  return d.kind === 'write' || d.kind === 'edit';
}
