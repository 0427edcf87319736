// Approvals in the editor: every request the broker opens becomes a notification with Approve / Deny
// (and "Show change" for a proposed edit, which opens the diff editor beside it). The first answer
// anywhere wins: the broker refuses a second one, and a click that arrives late says who answered first.
// VS Code has no API to close a message notification (microsoft/vscode#134777), but a progress
// notification closes when its task ends: so the request is shown as one, whose task ends when the request
// is resolved — here, on a device, by expiry or cancellation — and the answers are links in its message.
import * as vscode from 'vscode';
import type { Outcome } from '../../core/approvals/approvalBroker';
import type { ApprovalRequest, Decision } from '../../core/wire/protocol';
import type { WalkieHost } from '../../node/host/walkieHost';
import { ProposedChangeProvider } from './proposedChangeProvider';

/** How many resolutions are remembered to explain a late click. */
const REMEMBERED = 256;

/** The internal commands the notification's links run (not in the Command Palette: not contributed). */
export const ANSWER_COMMAND = 'walkie.answerApproval';
export const SHOW_CHANGE_COMMAND = 'walkie.showProposedChange';

export class ApprovalNotifier implements vscode.Disposable {
  private host: WalkieHost | undefined;
  private subs: { dispose(): void }[] = [];
  private readonly outcomes = new Map<string, Outcome>();
  /** Ends the notification of each request still on screen. */
  private readonly shown = new Map<string, () => void>();
  private readonly commands: vscode.Disposable[];

  constructor(
    private readonly changes: ProposedChangeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.commands = [
      vscode.commands.registerCommand(ANSWER_COMMAND, (id: unknown, inputHash: unknown, decision: unknown) => this.answerById(id, inputHash, decision)),
      vscode.commands.registerCommand(SHOW_CHANGE_COMMAND, (id: unknown) => {
        const request = this.pendingRequest(id);
        return request ? this.changes.show(request) : undefined;
      }),
    ];
  }

  /** Follows a (newly started) host's broker. */
  attach(host: WalkieHost): void {
    this.detach();
    this.host = host;
    this.subs = [
      host.broker.onRequest((request) => void this.notify(request)),
      host.broker.onResolved(({ request, outcome }) => {
        this.outcomes.set(request.id, outcome);
        while (this.outcomes.size > REMEMBERED) this.outcomes.delete(this.outcomes.keys().next().value as string);
        // Answered anywhere: the question leaves the screen, and so does its diff.
        this.shown.get(request.id)?.();
        void this.changes.close(request.id);
        if (outcome.author.kind !== 'vscode') vscode.window.setStatusBarMessage(`Walkie: ${describe(outcome)}`, 5000);
      }),
    ];
  }

  private detach(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    for (const end of [...this.shown.values()]) end();
    this.host = undefined;
  }

  /**
   * Shows the notification until the request is resolved (anywhere) or the user dismisses it (Cancel:
   * the request stays pending for the panel and the devices). Resolves when it has left the screen.
   */
  async notify(request: ApprovalRequest): Promise<void> {
    if (!this.isPending(request.id) || this.shown.has(request.id)) return;
    const reason = request.risk.reasons[0];
    const risk = request.risk.level === 'low' ? '' : ` (${request.risk.level} risk${reason ? `: ${reason}` : ''})`;
    const summary = unlinked(request.summary);
    // Security: a notification shows one line. Approve is offered only when that line is the whole request
    // (or the diff is one click away) and the risk is not high; otherwise the full card in the panel decides.
    const approveHere = request.risk.level !== 'high' && shownInFull(request) && summary === request.summary;
    const link = (label: string, command: string, args: unknown[]) => `[${label}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
    const links = [
      approveHere ? link('Approve', ANSWER_COMMAND, [request.id, request.inputHash, 'allow']) : link('Review…', 'walkie.showPanel', []),
      link('Deny', ANSWER_COMMAND, [request.id, request.inputHash, 'deny']),
      ...(ProposedChangeProvider.canShow(request) ? [link('Show change', SHOW_CHANGE_COMMAND, [request.id])] : []),
    ];
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Walkie: allow the agent to ${lowerFirst(summary)}?${risk}`, cancellable: true },
      (progress, token) => {
        progress.report({ message: links.join('  ·  ') });
        return new Promise<void>((resolve) => {
          const end = () => {
            this.shown.delete(request.id);
            cancel.dispose();
            resolve();
          };
          const cancel = token.onCancellationRequested(end);
          this.shown.set(request.id, end);
          if (!this.isPending(request.id)) end();
        });
      },
    );
  }

  /** The request ids whose notification is on screen now. */
  get onScreen(): string[] {
    return [...this.shown.keys()];
  }

  private pendingRequest(id: unknown): ApprovalRequest | undefined {
    return typeof id === 'string' ? this.host?.broker.pending().find((r) => r.id === id) : undefined;
  }

  /** A link in the notification: the arguments came through a command URI, so they are checked here. */
  private async answerById(id: unknown, inputHash: unknown, decision: unknown): Promise<string | undefined> {
    if (typeof id !== 'string' || typeof inputHash !== 'string' || (decision !== 'allow' && decision !== 'deny')) return undefined;
    const request = this.pendingRequest(id);
    // Security: the hash binds the click to the exact request that was shown (the broker checks it again).
    if (request && request.inputHash !== inputHash) return undefined;
    return this.answer(request ?? ({ id, inputHash } as ApprovalRequest), decision);
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
    for (const c of this.commands) c.dispose();
    this.outcomes.clear();
  }
}

/**
 * The agent's text with VS Code's link syntax broken: notification messages turn `[label](command:…)`
 * into a clickable link, and the summary comes from the agent. A zero-width space between `]` and `(`
 * leaves the text as it reads.
 */
function unlinked(text: string): string {
  return text.replace(/\]\(/g, ']\u200b(');
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
