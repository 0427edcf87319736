// The main screen: a header (session switcher, connection indicator, menu), the session's status, the
// thread, pending approval cards pinned at the bottom, and the composer.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { CloseCode } from '../../src/core/wire/closeCodes';
import type { SessionInfo } from '../../src/core/wire/protocol';
import type { Controller } from '../state/controller';
import type { ConnState } from '../transport/transport';
import { ApprovalCard } from './ApprovalCard';
import { SchedulesScreen } from './SchedulesScreen';
import { Composer } from './Composer';
import { noSessionText } from './hostWords';
import { SessionsSheet } from './SessionsSheet';
import { Thread } from './Thread';
import { useStoreState } from './useStoreState';

export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Which agent a session runs, by its adapter id (SessionInfo.agent); unknown ids are shown as sent. */
const AGENT_NAMES: Record<string, string> = { 'claude-code': 'Claude Code', codex: 'Codex' };

const STATUS: Record<SessionInfo['status'], string> = {
  starting: 'Starting…',
  working: 'Working…',
  waiting: 'Waiting for approval',
  idle: 'Idle',
  ended: 'Ended',
};

/** Down and not merely connecting for the first time: a connection attempt has failed. */
function isDown(conn: ConnState): boolean {
  return conn.state === 'offline' || (conn.state === 'connecting' && conn.code !== undefined);
}

export function connText(conn: ConnState): string {
  if (conn.state === 'online') return 'Connected';
  if (!isDown(conn)) return 'Connecting…';
  const since = clockTime(conn.since);
  if (conn.code === CloseCode.hostOffline) return `Computer offline since ${since}`;
  if (conn.code === CloseCode.unknownDevice || conn.code === CloseCode.revoked) return 'This device is no longer paired';
  return `Offline since ${since}`;
}

/** While down: when the next attempt is, and a button to try now (the phone; the panel has no relay link). */
function ReconnectBar({ conn, now, onReconnect }: { conn: ConnState; now: () => number; onReconnect: () => void }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const wait = conn.retryAt !== undefined ? Math.max(0, Math.ceil((conn.retryAt - now()) / 1000)) : undefined;
  return (
    <div class="reconnect-bar" data-testid="reconnect-bar">
      <span class="muted small" data-testid="next-attempt">
        {conn.state === 'connecting' ? 'Trying now…' : wait !== undefined ? `Next try in ${wait} s (${clockTime(conn.retryAt!)})` : 'Waiting to retry'}
      </span>
      <button type="button" class="reconnect" data-testid="reconnect" onClick={onReconnect}>
        Reconnect
      </button>
    </div>
  );
}

interface Props {
  controller: Controller;
  now: () => number;
  /** Extra menu entries (the phone's "Forget this host"). */
  menu?: ComponentChildren;
  title: string;
}

export function ChatScreen({ controller, now, menu, title }: Props) {
  const s = useStoreState(controller);
  const session = s.sessions.find((x) => x.id === s.active);
  const online = s.conn.state === 'online';
  const items = (s.active && s.chats[s.active]) || [];
  const outbox = (s.active && s.outbox[s.active]) || [];
  const working = !!session && (session.status === 'working' || session.status === 'waiting' || session.status === 'starting');
  const canSend = !!session && session.status !== 'ended';
  const [first, ...rest] = s.approvals;
  const titleOf = (id: string) => s.sessions.find((x) => x.id === id)?.title;
  const [showSchedules, setShowSchedules] = useState(false);
  if (showSchedules && s.features.has('schedules')) return <SchedulesScreen controller={controller} defaultDir={session?.cwd} onClose={() => setShowSchedules(false)} />;
  const [sheet, setSheet] = useState(false);
  const [confirmStop, setConfirmStop] = useState(false);
  // Approvals waiting in sessions other than the one on screen: the badge on the Sessions button.
  const elsewhere = s.approvals.filter((a) => a.request.session !== s.active).length;

  return (
    <div class="app">
      <header class="topbar">
        {s.sessions.length > 0 ? (
          <label class="session-pick">
            <span class="sr-only">Session</span>
            <select value={s.active} onChange={(e) => controller.store.select(e.currentTarget.value)} data-testid="session-select">
              {s.sessions.map((x) => (
                <option key={x.id} value={x.id}>
                  {/* The open session's status is on the status line just below: said once, not twice. */}
                  {x.title || AGENT_NAMES[x.agent] || x.agent}
                  {x.id !== s.active && ` — ${STATUS[x.status]}`}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <h1 class="brand">{s.hostName ?? title}</h1>
        )}
        {s.sessionControl && (
          <button type="button" class="btn sessions-btn" onClick={() => setSheet(true)} data-testid="sessions-button" aria-label={elsewhere ? `Sessions, ${elsewhere} waiting elsewhere` : 'Sessions'}>
            ☰
            {elsewhere > 0 && (
              <span class="badge" data-testid="other-waiting">
                {elsewhere}
              </span>
            )}
          </button>
        )}
        <span class={`conn conn-${isDown(s.conn) ? 'offline' : s.conn.state}`} data-testid="conn" role="status" title={connText(s.conn)}>
          <span class="conn-dot" aria-hidden="true" />
          <span class="conn-text">{connText(s.conn)}</span>
        </span>
        {s.features.has('schedules') && (
          <button type="button" class="link" onClick={() => setShowSchedules(true)} data-testid="schedules-open">
            Schedules
          </button>
        )}
        {menu && (
          <details class="menu">
            <summary aria-label="Menu">⋯</summary>
            <div class="menu-body">{menu}</div>
          </details>
        )}
      </header>
      {isDown(s.conn) && controller.canReconnect && <ReconnectBar conn={s.conn} now={now} onReconnect={() => controller.reconnect()} />}
      {session && (
        <div class={`statusline status-${session.status}`} data-testid="session-status">
          {working && <span class="spinner" aria-hidden="true" />}
          <span>{STATUS[session.status]}</span>
          <span class="muted small" data-testid="session-agent"> · {AGENT_NAMES[session.agent] ?? session.agent}</span>
          <span class="muted small"> · {session.cwd}</span>
          {s.sessionControl && session.status !== 'ended' && !confirmStop && (
            <button type="button" class="btn small stop-session" onClick={() => setConfirmStop(true)} data-testid="stop-session">
              End session
            </button>
          )}
          {confirmStop && (
            <span class="confirm" role="alertdialog" aria-label="End this session?">
              End this session?{' '}
              <button
                type="button"
                class="btn small danger"
                data-testid="confirm-stop"
                onClick={() => {
                  setConfirmStop(false);
                  controller.stopSession();
                }}
              >
                End it
              </button>{' '}
              <button type="button" class="btn small" onClick={() => setConfirmStop(false)}>
                Cancel
              </button>
            </span>
          )}
        </div>
      )}
      {sheet && <SessionsSheet controller={controller} state={s} onClose={() => setSheet(false)} />}
      <Thread
        key={s.active}
        items={items}
        hasOlder={!!s.active && s.older[s.active] === true}
        onLoadOlder={() => s.active && controller.loadOlder(s.active)}
        outbox={outbox}
        online={online}
        empty={
          !s.hostName
            ? isDown(s.conn)
              ? 'Your computer cannot be reached right now. Walkie keeps trying.'
              : 'Connecting…'
            : s.sessions.length === 0
              ? s.folders.length
                ? 'No session yet. Start one from the ☰ Sessions list.'
                : noSessionText(s.hostKind)
              : 'Nothing here yet.'
        }
      />
      <div class="dock">
        <div class="notices" role="status" aria-live="polite">
          {s.notices.map((n) => (
            <div key={n.id} class={`toast toast-${n.tone}`} data-testid="notice">
              {n.text}
            </div>
          ))}
        </div>
        {/* A new card is announced at once; its countdown ticking is not (aria-live="off" on the timer). */}
        <div class="approvals" aria-live="assertive" aria-relevant="additions">
          {first && (
            <ApprovalCard
              // Keyed by id and input: a different input is a different card, which re-arms from scratch.
              key={`${first.request.id}:${first.request.inputHash}`}
              pending={first}
              sessionTitle={first.request.session !== s.active ? titleOf(first.request.session) : undefined}
              queued={rest.length}
              now={now}
              onDecide={(d, m) => controller.decide(first.request.id, d, m)}
            />
          )}
        </div>
        <Composer
          enabled={canSend}
          working={working}
          placeholder={canSend ? 'Reply to the agent…' : session ? 'This session has ended' : 'No session'}
          onSend={(text) => controller.prompt(text)}
          onStop={() => controller.interrupt()}
        />
      </div>
    </div>
  );
}
