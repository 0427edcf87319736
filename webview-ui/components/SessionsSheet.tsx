// The session list (feature `sessions`): every session the host lists with its status, folder, last activity
// and a badge for approvals waiting; one tap switches. Below it, where the host allows folders: start a new
// session with a first prompt, or resume one of the agent's past sessions in that folder.
import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../src/core/wire/protocol';
import type { Controller } from '../state/controller';
import type { UiState } from '../state/store';

const STATUS: Record<SessionInfo['status'], string> = {
  starting: 'Starting',
  working: 'Working',
  waiting: 'Waiting for approval',
  idle: 'Idle',
  ended: 'Ended',
};

function when(ms: number | undefined): string {
  return ms ? new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

interface Props {
  controller: Controller;
  state: UiState;
  onClose: () => void;
}

export function SessionsSheet({ controller, state: s, onClose }: Props) {
  const [folder, setFolder] = useState(s.folders[0] ?? '');
  const [prompt, setPrompt] = useState('');
  const chosen = s.folders.includes(folder) ? folder : (s.folders[0] ?? '');
  const past = s.past && s.past.folder === chosen ? s.past.sessions : undefined;
  const online = s.conn.state === 'online';
  const sessions = [...s.sessions].sort((a, b) => (s.activity[b.id]?.lastActivity ?? b.since) - (s.activity[a.id]?.lastActivity ?? a.since));

  return (
    <div class="sheet" role="dialog" aria-label="Sessions" data-testid="sessions-sheet">
      <div class="sheet-head">
        <h2>Sessions</h2>
        <button type="button" class="btn" onClick={onClose} data-testid="sessions-close">
          Close
        </button>
      </div>
      <ul class="session-list">
        {sessions.length === 0 && <li class="muted">No sessions yet.</li>}
        {sessions.map((x) => {
          const pending = s.activity[x.id]?.pending ?? s.approvals.filter((a) => a.request.session === x.id).length;
          return (
            <li key={x.id} class={`session-row${x.id === s.active ? ' active' : ''}`}>
              <button
                type="button"
                class="session-open"
                data-testid="session-row"
                onClick={() => {
                  controller.store.select(x.id);
                  onClose();
                }}
              >
                <span class="session-title">{x.title || x.agent}</span>
                <span class={`muted small status-${x.status}`}>
                  {STATUS[x.status]} · {x.cwd} {when(s.activity[x.id]?.lastActivity)}
                </span>
                {pending > 0 && (
                  <span class="badge" data-testid="session-pending">
                    {pending} waiting
                  </span>
                )}
              </button>
              {x.status === 'ended' && (
                <button type="button" class="btn small" onClick={() => controller.clearSession(x.id)} data-testid="session-clear">
                  Clear
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {s.folders.length > 0 && (
        <form
          class="new-session"
          onSubmit={(e) => {
            e.preventDefault();
            if (controller.startSession(chosen, prompt)) {
              setPrompt('');
              onClose();
            }
          }}
        >
          <h3>New session</h3>
          <label>
            Folder
            <select value={chosen} onChange={(e) => setFolder(e.currentTarget.value)} data-testid="new-folder">
              {s.folders.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
          <label>
            First prompt
            <textarea value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} rows={3} placeholder="What should the agent do?" data-testid="new-prompt" />
          </label>
          <div class="row">
            <button type="submit" class="btn primary" disabled={!online || !prompt.trim()} data-testid="start-session">
              Start
            </button>
            <button type="button" class="btn" disabled={!online} onClick={() => controller.listPast(chosen)} data-testid="show-past">
              Resume a past session…
            </button>
          </div>
          {past && (
            <ul class="session-list" data-testid="past-list">
              {past.length === 0 && <li class="muted">No past sessions in this folder.</li>}
              {past.map((p) => (
                <li key={p.id}>
                  <button
                    type="button"
                    class="session-open"
                    data-testid="past-row"
                    onClick={() => {
                      controller.resumeSession(chosen, p.id);
                      onClose();
                    }}
                  >
                    <span class="session-title">{p.title}</span>
                    <span class="muted small">{new Date(p.lastActivity).toLocaleString()}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </form>
      )}
    </div>
  );
}
