// The store's state as a Preact hook. The store changes once per host message, and a burst of messages (a
// resync, an agent streaming tool uses) arrives as one task each: re-rendering per change would lay the page
// out once per message. So changes are coalesced: the view renders the latest state once per animation frame
// (nothing is lost or reordered: the state is replaced, never mutated, and the view always takes the newest).
// A timer backs the frame up where frames do not come (a hidden page), so the view never lags far behind.
import { useEffect, useState } from 'preact/hooks';
import type { Controller } from '../state/controller';
import type { UiState } from '../state/store';

/** The longest a change waits for a frame before it is rendered anyway. */
export const RENDER_FALLBACK_MS = 100;

export function useStoreState(controller: Controller): UiState {
  const [state, setState] = useState(controller.store.state);
  useEffect(() => {
    let frame: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(timer);
      frame = timer = undefined;
      setState(controller.store.state);
    };
    const sub = controller.store.onChange(() => {
      if (timer !== undefined) return;
      frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(flush) : undefined;
      timer = setTimeout(flush, RENDER_FALLBACK_MS);
    });
    setState(controller.store.state);
    return () => {
      sub.dispose();
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [controller]);
  return state;
}
