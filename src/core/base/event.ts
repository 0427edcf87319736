// An editor-free Event/Emitter pair (the shape VS Code and xterm.js use): `emitter.event(listener)`
// subscribes and returns a Disposable. The emitter is told once, when made, what to do with a listener that
// throws; one listener's failure never stops the others.
import type { Disposable } from './dispose';

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  /** `onListenerError` gets what a listener threw (log it; never rethrow). Default: ignored. */
  constructor(private readonly onListenerError: (e: unknown) => void = () => {}) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Calls every listener; one that throws does not stop the others (its error goes to onListenerError). */
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (e) {
        try {
          this.onListenerError(e);
        } catch {
          // A failing error handler must not stop the other listeners either.
        }
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
