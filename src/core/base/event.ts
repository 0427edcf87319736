// An editor-free Event/Emitter pair (the shape VS Code and xterm.js use): `emitter.event(listener)`
// subscribes and returns a Disposable.
import type { Disposable } from './dispose';

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Calls every listener; one that throws does not stop the others (its error is reported to `onError`). */
  fire(value: T, onError?: (e: unknown) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (e) {
        onError?.(e);
      }
    }
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
