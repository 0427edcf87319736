// An editor-free Disposable, and disposal that keeps going when one disposer throws.

export interface Disposable {
  dispose(): void;
}

/** Disposes every item, even if some throw; rethrows the first error (or all of them) afterwards. */
export function disposeAll(items: Iterable<Disposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several disposers failed');
}
