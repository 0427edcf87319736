// The store's state as a Preact hook: re-renders on every change (the state is replaced, never mutated).
import { useEffect, useState } from 'preact/hooks';
import type { Controller } from '../state/controller';
import type { UiState } from '../state/store';

export function useStoreState(controller: Controller): UiState {
  const [state, setState] = useState(controller.store.state);
  useEffect(() => {
    const sub = controller.store.onChange(setState);
    setState(controller.store.state);
    return () => sub.dispose();
  }, [controller]);
  return state;
}
