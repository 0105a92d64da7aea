import type * as vscode from 'vscode';

/** How long one window's calls take, in real milliseconds: set between steps to interleave two windows' writes. */
export interface SecretDelays {
  getMs?: number;
  storeMs?: number;
  deleteMs?: number;
}

const after = (ms: number | undefined): Promise<void> => (ms ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/**
 * One machine's SecretStorage, shared by every window as VS Code shares it (one extension, one
 * keychain): a map of keys and a change event that every window hears, its own writes included.
 * `view(delays)` gives one window its own handle whose calls take the given time: a get returns
 * what was there when it was called, a store or delete lands when its delay is over.
 */
export class FakeSecretStorage {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Set<(e: vscode.SecretStorageChangeEvent) => void>();

  /** A window's handle; change the returned delays object to slow that window's next calls. */
  view(delays: SecretDelays = {}): vscode.SecretStorage & { delays: SecretDelays } {
    return {
      delays,
      get: (key: string) => {
        const value = this.values.get(key);
        return after(delays.getMs).then(() => value);
      },
      store: (key: string, value: string) => after(delays.storeMs).then(() => this.set(key, value)),
      delete: (key: string) => after(delays.deleteMs).then(() => this.set(key, undefined)),
      onDidChange: (listener: (e: vscode.SecretStorageChangeEvent) => void): vscode.Disposable => {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
      },
    };
  }

  /** What is stored now, without delay (the test's view of the keychain). */
  peek(key: string): string | undefined {
    return this.values.get(key);
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  /** Writes as another program (an older version of the extension) would, with the change event. */
  set(key: string, value: string | undefined): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    for (const l of this.listeners) setImmediate(() => l({ key }));
  }
}
