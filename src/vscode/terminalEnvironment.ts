import * as vscode from 'vscode';
import { buildSessionEnvironment, MANAGED_ENV_NAMES } from '../core/envVars';
import type { Session } from '../core/session';
import type { SessionManager } from '../core/sessionManager';
import { Disposable } from './disposable';

/**
 * Puts the active session into every new integrated terminal (and task) through the
 * extension's environment variable collection. Not persistent: expiring keys must not
 * come back into terminals restored after a reload.
 */
export class TerminalEnvironment extends Disposable {
  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    sessions: SessionManager,
  ) {
    super();
    collection.persistent = false;
    this.clear();
    this._register(sessions.onDidChange((change) => (change.session ? this.apply(change.session) : this.clear())));
    this._register({ dispose: () => this.clear() });
  }

  private apply(session: Session): void {
    const env = buildSessionEnvironment(session);
    for (const name of MANAGED_ENV_NAMES) {
      const value = env[name];
      if (value === undefined) this.collection.delete(name);
      else this.collection.replace(name, value);
    }
    const who = session.roleName ? `role ${session.roleName} in account ${session.accountId}` : session.arn;
    this.collection.description = new vscode.MarkdownString(`AWS credentials for ${who} (profile \`${session.profileName}\`)`);
  }

  /** Removes exactly the variables this extension sets; anything else in the collection is not ours to touch. */
  private clear(): void {
    for (const name of MANAGED_ENV_NAMES) this.collection.delete(name);
    this.collection.description = undefined;
  }
}
