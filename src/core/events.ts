/** A listener registration that can be undone; shaped like vscode.Disposable so adapters can own it. */
export interface Subscription {
  dispose(): void;
}

/**
 * A minimal event emitter for core code, which cannot use vscode.EventEmitter.
 * Listener errors are isolated so one bad listener cannot break the others.
 */
export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): Subscription => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A listener's failure is its own; the emitter keeps notifying the rest.
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
