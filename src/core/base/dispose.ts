// An editor-free Disposable, disposal that keeps going when one disposer throws, and a store that holds
// what one owner must dispose (the DisposableStore of VS Code's own extensions).

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

/**
 * Holds disposables and disposes them together, in order, carrying on past failures (disposeAll). Once
 * disposed, anything added is disposed at once: a late subscription can never outlive its owner.
 */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add(...items: Disposable[]): void {
    if (this.disposed) return disposeAll(items);
    this.items.push(...items);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.items.splice(0));
  }
}
