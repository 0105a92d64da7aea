import type * as vscode from 'vscode';
import { SecretKeys } from '../constants';
import type { Clock } from '../core/clock';
import { errorMessage } from '../core/errors';
import { isForgottenMfaSession, type MfaSessionCache } from '../core/credentials/mfaSessions';
import type { Session } from '../core/session/session';
import type { SessionManager } from '../core/session/sessionManager';
import { laterSignOut } from '../core/session/storedSessions';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import type { SecretSessionStore } from './secretSessionStore';

/**
 * Keeps this window's sessions and the stored ones in step: what the manager holds is stored
 * under this window's key (remote and workspace), a reload of the same workspace (or a second
 * window of it) starts with that role and without a prompt, and a window that sees another
 * window on the same remote refresh the profile it holds takes that session instead of calling
 * STS itself. Switches stay per window; another workspace's role is never restored here, and
 * nothing is restored into a window in Restricted Mode.
 */
export class SessionSync extends Disposable {
  /** The latest sign-out this window stored or read, so it stores only a newer one. */
  private knownSignOut: number | undefined;

  constructor(
    private readonly store: SecretSessionStore,
    private readonly sessions: SessionManager,
    private readonly mfaCache: MfaSessionCache,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Whether the workspace is trusted (`vscode.workspace.isTrusted`); read at restore time. */
    private readonly isTrusted: () => boolean = () => true,
  ) {
    super();
    this._register(sessions.onDidChange((change) => {
      mfaCache.prune(clock.now());
      if (change.session) store.writeActive(change.session);
      else if (change.previous) void this.forget(change.previous);
    }));
    // Only live sessions are stored: an expired one is never written back. A sign-out here is
    // stored on its own first, where no other window's write of the list can undo it.
    this._register(mfaCache.onDidChange(() => {
      const clearedAt = mfaCache.clearedAt;
      if (clearedAt !== undefined && clearedAt > (this.knownSignOut ?? -Infinity)) {
        this.knownSignOut = clearedAt;
        store.writeMfaSignOut(clearedAt);
      }
      store.writeMfaSessions(mfaCache.live(clock.now()), clearedAt);
    }));
    this._register(store.secrets.onDidChange((e: vscode.SecretStorageChangeEvent) => void this.onSecretChanged(e.key)));
  }

  /** Loads the MFA sessions, and this window's own stored session while it is valid and the workspace is trusted. */
  async restore(): Promise<Session | undefined> {
    try {
      await this.loadMfaSessions();
      await this.store.deleteLegacyActive();
      void this.store.pruneExpired().catch((e: unknown) => this.log.warn(`Could not prune the stored AWS sessions: ${errorMessage(e)}`));
      if (!this.isTrusted()) {
        this.log.info('Restricted Mode: the stored AWS session of this workspace is not restored.');
        return undefined;
      }
      const { session } = await this.store.readOwn();
      if (!session) return undefined;
      if (!this.sessions.restore(session)) return undefined;
      this.log.info(`Restored the AWS session of profile "${session.profileName}" (${session.arn}).`);
      return session;
    } catch (e) {
      this.log.warn(`Could not read the stored AWS session: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private async onSecretChanged(key: string): Promise<void> {
    try {
      if (key === SecretKeys.mfaSessions || key === SecretKeys.mfaSignOut) {
        await this.loadMfaSessions();
      } else if (key === SecretKeys.windowSessionIndex) {
        this.store.repairIndex();
      } else if (this.store.isWindowSessionSecret(key)) {
        const current = this.sessions.active;
        if (!current) return;
        const session = await this.store.peekChanged(key, current.profileName, current.expiresAt);
        if (session && this.sessions.adoptShared(session)) this.log.info(`Took the renewed session of "${session.profileName}" from another window.`);
      }
    } catch (e) {
      this.log.warn(`Could not read a session stored by another window: ${errorMessage(e)}`);
    }
  }

  /**
   * Takes the stored MFA sessions, except those expired or obtained before the last sign-out. If
   * the store held any of those (left by an earlier window, or written back by a window that had
   * not yet heard of the sign-out), it is rewritten without them, so the keychain does not keep them.
   */
  private async loadMfaSessions(): Promise<void> {
    const stored = await this.store.readMfaSessions();
    const now = this.clock.now();
    this.mfaCache.load(stored.sessions, now, stored.clearedAt);
    this.knownSignOut = laterSignOut(this.knownSignOut, stored.clearedAt);
    if (stored.sessions.some((s) => isForgottenMfaSession(s, now, this.mfaCache.clearedAt))) this.store.writeMfaSessions(this.mfaCache.live(now), this.mfaCache.clearedAt);
  }

  /** A dropped or expired session must not come back after a reload; other windows' entries stay. */
  private async forget(previous: Session): Promise<void> {
    // A switch that landed meanwhile has (or will have) stored its own session: leave it.
    await this.store.deleteActiveIf((stored) => !this.sessions.active && stored?.credentials.accessKeyId === previous.credentials.accessKeyId);
  }
}
