// A button that acts only after being held down for `holdMs` (pointer, touch or keyboard Space/Enter),
// with a visible progress fill. Used for approving HIGH-risk requests: a tap, a click, a stray touch while
// scrolling or a bounced key never completes it. Releasing, leaving the button or a cancelled pointer
// before the end starts over.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export const HOLD_MS = 1000;

interface Props {
  onConfirm: () => void;
  disabled?: boolean;
  holdMs?: number;
  class?: string;
  label: string;
  children: ComponentChildren;
}

export function HoldButton({ onConfirm, disabled, holdMs = HOLD_MS, class: cls = '', label, children }: Props) {
  const [holding, setHolding] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const ref = useRef<HTMLButtonElement>(null);

  const stop = () => {
    if (timer.current !== undefined) clearTimeout(timer.current);
    timer.current = undefined;
    setHolding(false);
  };
  const start = () => {
    if (disabled || timer.current !== undefined) return;
    setHolding(true);
    timer.current = setTimeout(() => {
      timer.current = undefined;
      setHolding(false);
      onConfirm();
    }, holdMs);
  };
  useEffect(() => stop, []);
  useEffect(() => {
    if (disabled) stop();
  }, [disabled]);
  // The fill's duration is a CSS variable set from script (allowed by the panel's CSP, unlike a style attribute).
  useEffect(() => {
    ref.current?.style.setProperty('--hold-ms', `${holdMs}ms`);
  }, [holdMs]);

  return (
    <button
      ref={ref}
      type="button"
      class={`hold ${holding ? 'holding' : ''} ${cls}`}
      disabled={disabled}
      aria-label={label}
      aria-describedby="hold-hint"
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        start();
      }}
      onPointerUp={stop}
      onPointerLeave={stop}
      onPointerCancel={stop}
      onContextMenu={(e) => e.preventDefault()}
      onKeyDown={(e) => {
        if (e.key !== ' ' && e.key !== 'Enter') return;
        e.preventDefault();
        if (!e.repeat) start();
      }}
      onKeyUp={(e) => {
        if (e.key === ' ' || e.key === 'Enter') stop();
      }}
      onBlur={stop}
      // A click (tap, or a synthetic activation) never approves by itself.
      onClick={(e) => e.preventDefault()}
    >
      <span class="hold-fill" aria-hidden="true" />
      <span class="hold-label">{children}</span>
    </button>
  );
}
