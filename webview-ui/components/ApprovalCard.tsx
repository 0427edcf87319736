// One pending approval, pinned above the composer where the thumb is: what the agent wants to do (the
// full command, or the proposed edit as a diff), where (the working folder), how risky the host thinks
// it is, and an expiry countdown. Deny and Approve sit at opposite edges; HIGH risk needs press-and-hold.
// Accidental approvals are guarded three ways: the buttons arm only after ARM_MS (a tap meant for
// whatever was under the finger when the card appeared does not land on Approve), a decision goes out
// at most once, and an expired card takes no decision.
import { useEffect, useState } from 'preact/hooks';
import type { Decision } from '../../src/core/wire/protocol';
import type { PendingApproval } from '../state/store';
import { MAX_DENY_MESSAGE_CHARS } from '../state/limits';
import { DiffView } from './DiffView';
import { HoldButton } from './HoldButton';

export const ARM_MS = 600;

interface Props {
  pending: PendingApproval;
  sessionTitle: string | undefined;
  queued: number;
  now: () => number;
  onDecide: (decision: Decision, message?: string) => void;
}

function formatLeft(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function Detail({ pending }: { pending: PendingApproval }) {
  const d = pending.request.detail;
  switch (d.kind) {
    case 'command':
      return (
        <div>
          {d.description && <p class="approval-desc">{d.description}</p>}
          <pre class="command" data-testid="command" tabIndex={0} aria-label="Command">
            {d.command}
          </pre>
        </div>
      );
    case 'write':
    case 'edit':
      return <DiffView detail={d} />;
    case 'other':
      return (
        <pre class="command" tabIndex={0} aria-label="Tool input">
          {d.input}
        </pre>
      );
  }
}

export function ApprovalCard({ pending, sessionTitle, queued, now, onDecide }: Props) {
  const { request, sent, error } = pending;
  const [t, setT] = useState(now());
  const [armed, setArmed] = useState(false);
  const [denying, setDenying] = useState(false);
  const [message, setMessage] = useState('');

  useEffect(() => {
    const arm = setTimeout(() => setArmed(true), ARM_MS);
    const tick = setInterval(() => setT(now()), 250);
    return () => {
      clearTimeout(arm);
      clearInterval(tick);
    };
  }, [request.id, request.inputHash]);

  const left = pending.deadline - t;
  const expired = left <= 0;
  const disabled = !armed || expired || sent !== undefined;
  const risk = request.risk.level;
  const titleId = `approval-title-${request.id}`;

  return (
    <section class={`approval risk-${risk}`} aria-labelledby={titleId} data-testid="approval" data-approval-id={request.id}>
      <header class="approval-head">
        <h2 id={titleId}>
          <span class="approval-tool">{request.tool}</span>
          <span class="muted"> wants approval{sessionTitle ? ` · ${sessionTitle}` : ''}</span>
        </h2>
        <span class={`countdown ${left < 15000 ? 'urgent' : ''}`} data-testid="countdown" role="timer" aria-live="off" aria-label="Time left to decide">
          {expired ? 'Expired' : formatLeft(left)}
        </span>
      </header>
      <div class="risk" data-testid="risk">
        <span class={`risk-badge risk-badge-${risk}`}>{risk.toUpperCase()} RISK</span>
        {request.risk.reasons.length > 0 && <span class="risk-reasons">{request.risk.reasons.join(' · ')}</span>}
      </div>
      <Detail pending={pending} />
      <p class="cwd" data-testid="cwd">
        <span class="muted">in </span>
        <span class="mono">{request.cwd}</span>
      </p>
      {error && (
        <p class="approval-error" role="alert">
          {error}
        </p>
      )}
      {denying ? (
        <form
          class="deny-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!disabled) onDecide('deny', message);
          }}
        >
          <label for={`deny-msg-${request.id}`}>Tell the agent why (optional)</label>
          <textarea id={`deny-msg-${request.id}`} value={message} maxLength={MAX_DENY_MESSAGE_CHARS} rows={2} onInput={(e) => setMessage(e.currentTarget.value)} />
          <div class="decide-row">
            <button type="button" class="btn btn-quiet" onClick={() => setDenying(false)}>
              Back
            </button>
            <button type="submit" class="btn btn-deny" disabled={disabled} data-testid="send-deny">
              Deny with message
            </button>
          </div>
        </form>
      ) : (
        <div class="decide-row">
          <button type="button" class="btn btn-deny" disabled={disabled} onClick={() => onDecide('deny')} data-testid="deny">
            Deny
          </button>
          {risk === 'high' ? (
            <HoldButton class="btn btn-approve" disabled={disabled} onConfirm={() => onDecide('allow')} label="Hold to approve">
              Hold to approve
            </HoldButton>
          ) : (
            <button type="button" class="btn btn-approve" disabled={disabled} onClick={() => onDecide('allow')} data-testid="approve">
              Approve
            </button>
          )}
        </div>
      )}
      <div class="approval-foot">
        {!denying && (
          <button type="button" class="link" disabled={disabled} onClick={() => setDenying(true)}>
            Deny with a message…
          </button>
        )}
        {risk === 'high' && !denying && (
          <span id="hold-hint" class="muted small">
            High risk: press and hold for 1 second to approve.
          </span>
        )}
        {sent && <span class="muted small">{sent === 'allow' ? 'Approval sent…' : 'Denial sent…'}</span>}
        {queued > 0 && <span class="muted small">+{queued} more waiting</span>}
      </div>
    </section>
  );
}
