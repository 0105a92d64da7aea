import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { SecretKeys } from '../constants';
import type { Clock } from '../core/clock';
import type { MfaSessionCache } from '../core/credentials/mfaSessions';
import type { Redactor } from '../core/redact';
import type { Session } from '../core/session/session';
import type { SessionManager } from '../core/session/sessionManager';
import { parseActive, parseMfaSessions, serializeActive, serializeMfaSessions } from '../core/session/storedSessions';
import { Disposable } from './disposable';
import type { Logger } from './logger';

/**
 * Keeps the active session and the MFA sessions in SecretStorage (the OS keychain; never
 * settings, globalState or files), so a reload or a second window starts with the role and
 * without a prompt. Windows share refreshes: a window that sees another refresh the profile
 * it holds takes that session instead of calling STS itself. Switches stay per window.
 */
export class SessionPersistence extends Disposable {
  private readonly windowId = randomUUID();
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly sessions: SessionManager,
    private readonly mfaCache: MfaSessionCache,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
    private readonly log: Logger,
  ) {
    super();
    this._register(sessions.onDidChange((change) => {
      if (change.session) this.write(SecretKeys.activeSession, serializeActive(change.session, this.windowId));
      else if (change.previous) void this.forget(change.previous);
    }));
    this._register(mfaCache.onDidChange(() => this.write(SecretKeys.mfaSessions, serializeMfaSessions(mfaCache.all()))));
    this._register(secrets.onDidChange((e) => void this.onSecretChanged(e.key)));
  }

  /** Loads what an earlier or another window stored; the active session only while it is valid. */
  async restore(): Promise<Session | undefined> {
    try {
      this.loadMfa(await this.secrets.get(SecretKeys.mfaSessions));
      const { session } = parseActive(await this.secrets.get(SecretKeys.activeSession));
      if (!session) return undefined;
      this.remember(session);
      if (!this.sessions.restore(session)) return undefined;
      this.log.info(`Restored the AWS session of profile "${session.profileName}" (${session.arn}).`);
      return session;
    } catch (e) {
      this.log.warn(`Could not read the stored AWS session: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** A session stored by another window for this profile, for the refresh to take instead of calling STS. */
  async peekShared(profileName: string): Promise<Session | undefined> {
    const { session, writer } = parseActive(await this.secrets.get(SecretKeys.activeSession).then(undefined, () => undefined));
    if (!session || writer === this.windowId || session.profileName !== profileName) return undefined;
    this.remember(session);
    return session;
  }

  private async onSecretChanged(key: string): Promise<void> {
    try {
      if (key === SecretKeys.mfaSessions) {
        this.loadMfa(await this.secrets.get(key));
      } else if (key === SecretKeys.activeSession) {
        const { session, writer } = parseActive(await this.secrets.get(key));
        if (!session || writer === this.windowId) return;
        this.remember(session);
        if (this.sessions.adoptShared(session)) this.log.info(`Took the renewed session of "${session.profileName}" from another window.`);
      }
    } catch (e) {
      this.log.warn(`Could not read a session stored by another window: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private loadMfa(text: string | undefined): void {
    const list = parseMfaSessions(text);
    for (const m of list) this.redactor.remember(m.credentials.accessKeyId, m.credentials.secretAccessKey, m.credentials.sessionToken);
    this.mfaCache.load(list, this.clock.now());
  }

  private remember(session: Session): void {
    this.redactor.remember(session.credentials.accessKeyId, session.credentials.secretAccessKey, session.credentials.sessionToken);
  }

  /** A dropped or expired session must not come back in the next window; another window's newer one stays. */
  private async forget(previous: Session): Promise<void> {
    await this.writes;
    const { session } = parseActive(await this.secrets.get(SecretKeys.activeSession).then(undefined, () => undefined));
    // A switch that landed meanwhile has (or will have) stored its own session: leave it.
    if (this.sessions.active) return;
    if (session?.credentials.accessKeyId === previous.credentials.accessKeyId) this.queue(() => (this.sessions.active ? Promise.resolve() : this.secrets.delete(SecretKeys.activeSession)));
  }

  private write(key: string, value: string): void {
    this.queue(() => this.secrets.store(key, value));
  }

  // Writes in order: a quick switch then drop must not end with the switch stored.
  private queue(run: () => Thenable<void>): void {
    this.writes = this.writes.then(run).then(undefined, (e: unknown) => this.log.warn(`Could not store the AWS session: ${e instanceof Error ? e.message : String(e)}`));
  }
}
