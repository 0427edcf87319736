// The chat of one session, claude-style: the user's prompts as bubbles, the assistant's replies as
// sanitized markdown (markdown.ts), tool uses as one-line chips, host notices as quiet centred lines, and
// this device's prompts the host has not echoed yet. New items are announced politely (role="log").
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ChatEvent } from '../../src/core/wire/protocol';
import { loadMarkdown, markdownIfLoaded } from '../render/markdownLoader';
import type { ChatItem, OutboxPrompt } from '../state/store';

const STATUS_TEXT = { running: 'running', ok: 'done', error: 'failed', denied: 'denied' } as const;
const STATUS_ICON = { running: '', ok: '✓', error: '✕', denied: '⊘' } as const;

function Assistant({ text }: { text: string }) {
  const md = markdownIfLoaded();
  const [, setLoaded] = useState(false);
  useEffect(() => {
    if (!md) void loadMarkdown().then(() => setLoaded(true));
  }, [md]);
  // Safe: renderMarkdown returns DOMPurify output with a strict allow-list (no scripts, handlers, styles).
  const html = useMemo(() => md?.renderMarkdown(text), [md, text]);
  if (html === undefined) return <div class="msg msg-assistant plain">{text}</div>;
  return <div class="msg msg-assistant markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** "Ran `npm test`": backticked parts in monospace, as plain text nodes (never HTML). */
function Summary({ text }: { text: string }) {
  const parts = text.split('`');
  if (parts.length < 3 || parts.length % 2 === 0) return <>{text}</>;
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

function Item({ event }: { event: ChatEvent }) {
  switch (event.kind) {
    case 'user':
      return (
        <div class="msg msg-user">
          {event.source === 'terminal' && <div class="msg-source">from the terminal</div>}
          <div class="bubble">{event.text}</div>
        </div>
      );
    case 'assistant':
      return <Assistant text={event.text} />;
    case 'tool':
      return (
        <div class={`chip chip-${event.status}`} data-testid="tool-chip" data-status={event.status}>
          <span class="chip-icon" aria-hidden="true">
            {STATUS_ICON[event.status]}
          </span>
          <span class="chip-text">
            <Summary text={event.summary} />
          </span>
          <span class="sr-only">, {STATUS_TEXT[event.status]}</span>
          {event.status !== 'ok' && event.status !== 'running' && <span class="chip-status">{STATUS_TEXT[event.status]}</span>}
        </div>
      );
    case 'notice':
      return <div class="notice-line">{event.text}</div>;
  }
}

/**
 * A tool use arrives as several events (running, then ok / error / denied) sharing a toolUseId: show one
 * chip, where the tool started, with its latest status.
 */
function mergeToolUses(items: readonly ChatItem[]): ChatItem[] {
  const latest = new Map<string, ChatEvent>();
  for (const it of items) if (it.event.kind === 'tool' && it.event.toolUseId) latest.set(it.event.toolUseId, it.event);
  const shown = new Set<string>();
  const out: ChatItem[] = [];
  for (const it of items) {
    const e = it.event;
    if (e.kind !== 'tool' || !e.toolUseId) out.push(it);
    else if (!shown.has(e.toolUseId)) {
      shown.add(e.toolUseId);
      out.push({ ...it, event: latest.get(e.toolUseId)! });
    }
  }
  return out;
}

interface Props {
  items: readonly ChatItem[];
  outbox: readonly OutboxPrompt[];
  online: boolean;
  empty: string;
}

export function Thread({ items, outbox, online, empty }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const shown = useMemo(() => mergeToolUses(items), [items]);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [items, outbox]);
  // The thread shrinks when an approval card (or a taller composer, or the keyboard) takes room below it:
  // a reader at the bottom stays at the bottom, so the card never hides the newest messages.
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  return (
    <div
      class="thread"
      ref={ref}
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-label="Conversation"
      data-testid="thread"
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      }}
    >
      {shown.length === 0 && outbox.length === 0 && <p class="empty muted">{empty}</p>}
      {shown.map((it) => (
        <div key={it.seq} class="item" data-seq={it.seq}>
          <Item event={it.event} />
        </div>
      ))}
      {outbox.map((p) => (
        <div key={p.clientId} class="item msg msg-user pending" data-testid="outbox">
          <div class="bubble">{p.text}</div>
          <div class="msg-source">{online ? 'Sending…' : 'Waiting for the connection…'}</div>
        </div>
      ))}
    </div>
  );
}
