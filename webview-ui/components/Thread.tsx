// The chat of one session, claude-style: the user's prompts as bubbles, the assistant's replies as
// sanitized markdown (markdown.ts), tool uses as one-line chips, host notices as quiet centred lines, and
// this device's prompts the host has not echoed yet. New items are announced politely (role="log").
// Paged: only the newest PAGE items (plus the pages the user scrolled up to) are in the DOM, so the cost of
// a new event stays flat however long the session; scrolling to the top shows the page before, asking the
// host for older events when none are held here (feature `window`).
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ChatEvent } from '../../src/core/wire/protocol';
import { loadMarkdown, markdownIfLoaded } from '../render/markdownLoader';
import type { ChatItem, OutboxPrompt } from '../state/store';

const STATUS_TEXT = { running: 'running', ok: 'done', error: 'failed', denied: 'denied' } as const;
const STATUS_ICON = { running: '', ok: '✓', error: '✕', denied: '⊘' } as const;

/**
 * Sanitized HTML per assistant event, for as long as the store holds the event: a row rendered again (the
 * user switched sessions and back, or paged up) does not parse and sanitize its markdown again.
 */
const htmlOf = new WeakMap<ChatEvent, string>();

function Assistant({ event }: { event: Extract<ChatEvent, { kind: 'assistant' }> }) {
  const { text } = event;
  const md = markdownIfLoaded();
  const [, setLoaded] = useState(false);
  useEffect(() => {
    if (!md) void loadMarkdown().then(() => setLoaded(true));
  }, [md]);
  // Safe: renderMarkdown returns DOMPurify output with a strict allow-list (no scripts, handlers, styles).
  let html = htmlOf.get(event);
  if (html === undefined && md) htmlOf.set(event, (html = md.renderMarkdown(text)));
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
      return <Assistant event={event} />;
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
      const last = latest.get(e.toolUseId)!;
      // The same object when nothing changed, so its row is not rendered again (Row below).
      out.push(last === e ? it : { ...it, event: last });
    }
  }
  return out;
}

/** One row; rendered again only when its item changed (a new event re-renders only what is new). */
class Row extends Component<{ item: ChatItem }> {
  override shouldComponentUpdate(next: { item: ChatItem }): boolean {
    return next.item !== this.props.item;
  }
  override render() {
    const it = this.props.item;
    return (
      <div class="item" data-seq={it.seq}>
        <Item event={it.event} />
      </div>
    );
  }
}

/** Rows are grouped in blocks of this many seqs (by seq, so block boundaries stay put as items come and go). */
const BLOCK_SEQS = 20;

/**
 * A run of rows, laid out and painted on its own (styles.css): a new event changes the last block only, so
 * the page lays out and diffs a handful of blocks, not every row held.
 */
class Block extends Component<{ items: readonly ChatItem[] }> {
  override shouldComponentUpdate(next: { items: readonly ChatItem[] }): boolean {
    const a = this.props.items;
    const b = next.items;
    return a.length !== b.length || a.some((it, i) => it !== b[i]);
  }
  override render() {
    return (
      <div class="block">
        {this.props.items.map((it) => (
          <Row key={it.seq} item={it} />
        ))}
      </div>
    );
  }
}

/** `items` (ordered by seq) cut where seq crosses a multiple of BLOCK_SEQS. */
function blocks(items: readonly ChatItem[]): { key: number; items: ChatItem[] }[] {
  const out: { key: number; items: ChatItem[] }[] = [];
  for (const it of items) {
    const key = Math.floor(it.seq / BLOCK_SEQS);
    const last = out[out.length - 1];
    if (last?.key === key) last.items.push(it);
    else out.push({ key, items: [it] });
  }
  return out;
}

/** Items rendered per page. */
export const PAGE = 100;

interface Props {
  items: readonly ChatItem[];
  /** The host holds events older than `items[0]`. */
  hasOlder?: boolean;
  onLoadOlder?: () => void;
  outbox: readonly OutboxPrompt[];
  online: boolean;
  empty: string;
}

export function Thread({ items, outbox, online, empty, hasOlder = false, onLoadOlder }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const all = useMemo(() => mergeToolUses(items), [items]);
  // How many of the newest items are rendered. While the user reads further up, new items widen the window
  // instead of sliding it, so what they read does not move.
  const limit = useRef(PAGE);
  /** Distance from the bottom to keep while a page is added above. */
  const anchor = useRef<number | undefined>(undefined);
  const anchorIdle = () => anchor.current === undefined;
  const seen = useRef(all.length);
  const grew = all.length - seen.current;
  if (grew > 0 && anchorIdle()) limit.current = stick.current ? PAGE : limit.current + grew;
  seen.current = all.length;
  const shown = all.length > limit.current ? all.slice(-limit.current) : all;
  const [, rerender] = useState(0);
  const earlier = () => {
    const el = ref.current;
    if (anchor.current !== undefined) return;
    if (all.length > limit.current) {
      if (el) anchor.current = el.scrollHeight - el.scrollTop;
      limit.current += PAGE;
      rerender((n) => n + 1);
    } else if (hasOlder && onLoadOlder) {
      if (el) anchor.current = el.scrollHeight - el.scrollTop;
      limit.current += PAGE;
      onLoadOlder();
    }
  };
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (anchor.current !== undefined) {
      el.scrollTop = el.scrollHeight - anchor.current;
      if (shown.length > 0) anchor.current = undefined;
    } else if (stick.current) el.scrollTop = el.scrollHeight;
  }, [shown, outbox]);
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
        if (el.scrollTop < 40 && (all.length > limit.current || hasOlder)) earlier();
      }}
    >
      {(all.length > limit.current || hasOlder) && (
        <button type="button" class="earlier muted small" data-testid="earlier" onClick={earlier}>
          Show earlier messages
        </button>
      )}
      {shown.length === 0 && outbox.length === 0 && <p class="empty muted">{empty}</p>}
      {blocks(shown).map((b) => (
        <Block key={b.key} items={b.items} />
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
