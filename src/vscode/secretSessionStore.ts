import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { SecretKeys } from '../constants';
import { errorMessage } from '../core/errors';
import type { MfaSession } from '../core/credentials/mfaSessions';
import type { Redactor } from '../core/redact';
import type { Session } from '../core/session/session';
import { fresherSharedSession, ownWindowSession, parseMfaClearedAt, parseMfaSessions, parseWindowSessions, putWindowSession, remoteKey, removeWindowSession, serializeMfaSessions, serializeWindowSessions, windowKey, type WindowIdentity, type WindowSessions } from '../core/session/storedSessions';
import type { Logger } from './logger';

/**
 * The active sessions and the MFA sessions in SecretStorage (the OS keychain; never settings,
 * globalState or files). MFA sessions are shared by every window of this machine; the active
 * session is kept per window (remote and workspace), so a reload restores only this window's own
 * role. Writes run in order, so a quick switch then drop never ends with the switch stored.
 * Everything read is remembered by the redactor before anyone can print it.
 */
export class SecretSessionStore {
  /** Which window (activation) wrote an entry, so a window can tell its own writes from another's. */
  readonly windowId = randomUUID();
  /** This window's entry in the stored map: the same after a reload of the same workspace. */
  readonly windowKey: string;
  /** This window's remote: entries of other remotes are never restored or taken. */
  readonly remote: string;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly secrets: vscode.SecretStorage,
    private readonly redactor: Redactor,
    private readonly log: Logger,
    identity: WindowIdentity,
    private readonly now: () => number = Date.now,
  ) {
    this.windowKey = windowKey(identity);
    this.remote = remoteKey(identity);
  }

  /** Every window's stored session. */
  async readWindows(): Promise<WindowSessions> {
    const entries = parseWindowSessions(await this.secrets.get(SecretKeys.windowSessions));
    for (const e of Object.values(entries)) this.remember(e.session.credentials);
    return entries;
  }

  /** This window's own stored session (what a reload restores), if still valid. */
  async readOwn(): Promise<{ session?: Session; writer?: string }> {
    const own = ownWindowSession(await this.readWindows(), this.windowKey, this.remote, this.now());
    return own ? { session: own.session, writer: own.writer } : {};
  }

  async readMfaSessions(): Promise<{ sessions: MfaSession[]; clearedAt?: number }> {
    const text = await this.secrets.get(SecretKeys.mfaSessions);
    const sessions = parseMfaSessions(text);
    for (const m of sessions) this.remember(m.credentials);
    return { sessions, clearedAt: parseMfaClearedAt(text) };
  }

  /** The freshest session another window (any workspace on this remote) stored for this profile, for a refresh to take instead of calling STS. */
  async peekShared(profileName: string, notBefore?: number): Promise<Session | undefined> {
    const entries = await this.readWindows().catch(() => ({}));
    return fresherSharedSession(entries, { profileName, remote: this.remote, writer: this.windowId, now: this.now(), notBefore });
  }

  writeActive(session: Session): void {
    this.update((entries) => putWindowSession(entries, this.windowKey, { session, writer: this.windowId, remote: this.remote, storedAt: this.now() }, this.now()));
  }

  writeMfaSessions(sessions: readonly MfaSession[], clearedAt?: number): void {
    this.queue(() => this.secrets.store(SecretKeys.mfaSessions, serializeMfaSessions(sessions, clearedAt)));
  }

  /** AWS: Sign Out: this window's stored session goes (and the old shared entry of earlier versions, if any); other windows' stay. */
  deleteActive(): void {
    this.update((entries) => removeWindowSession(entries, this.windowKey, this.now()));
    this.queue(() => this.secrets.delete(SecretKeys.legacyActiveSession));
  }

  /** The single shared entry of earlier versions is never restored; its credentials are not kept either. */
  async deleteLegacyActive(): Promise<void> {
    if ((await this.secrets.get(SecretKeys.legacyActiveSession)) !== undefined) this.queue(() => this.secrets.delete(SecretKeys.legacyActiveSession));
  }

  /** Deletes this window's stored session once the writes before it are done, if `stillWanted` says so then. */
  async deleteActiveIf(stillWanted: (stored: Session | undefined) => boolean): Promise<void> {
    await this.writes;
    this.update((entries) => {
      const own = Object.prototype.hasOwnProperty.call(entries, this.windowKey) ? entries[this.windowKey] : undefined;
      return stillWanted(own?.session) ? removeWindowSession(entries, this.windowKey, this.now()) : undefined;
    });
    await this.writes;
  }

  /** Read, change, write, in this window's order; `change` returning undefined writes nothing. */
  private update(change: (entries: WindowSessions) => WindowSessions | undefined): void {
    this.queue(async () => {
      const next = change(await this.readWindows());
      if (!next) return;
      if (Object.keys(next).length === 0) await this.secrets.delete(SecretKeys.windowSessions);
      else await this.secrets.store(SecretKeys.windowSessions, serializeWindowSessions(next));
    });
  }

  private remember(c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): void {
    this.redactor.remember(c.accessKeyId, c.secretAccessKey, c.sessionToken);
  }

  private queue(run: () => Thenable<void>): void {
    this.writes = this.writes.then(run).then(undefined, (e: unknown) => this.log.warn(`Could not store the AWS session: ${errorMessage(e)}`));
  }
}
