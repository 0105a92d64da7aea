import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { SecretKeys } from '../constants';
import { errorMessage } from '../core/errors';
import type { MfaSession } from '../core/credentials/mfaSessions';
import type { Redactor } from '../core/redact';
import type { Session } from '../core/session/session';
import { parseActive, parseMfaClearedAt, parseMfaSessions, serializeActive, serializeMfaSessions } from '../core/session/storedSessions';
import type { Logger } from './logger';

/**
 * The active session and the MFA sessions in SecretStorage (the OS keychain; never settings,
 * globalState or files), shared by every window of this machine. Writes run in order, so a
 * quick switch then drop never ends with the switch stored. Everything read is remembered by
 * the redactor before anyone can print it.
 */
export class SecretSessionStore {
  /** Which window wrote the active session, so a window can tell its own writes from another's. */
  readonly windowId = randomUUID();
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly secrets: vscode.SecretStorage,
    private readonly redactor: Redactor,
    private readonly log: Logger,
  ) {}

  /** The stored active session and the window that wrote it. */
  async readActive(): Promise<{ session?: Session; writer?: string }> {
    const stored = parseActive(await this.secrets.get(SecretKeys.activeSession));
    if (stored.session) this.remember(stored.session.credentials);
    return stored;
  }

  async readMfaSessions(): Promise<{ sessions: MfaSession[]; clearedAt?: number }> {
    const text = await this.secrets.get(SecretKeys.mfaSessions);
    const sessions = parseMfaSessions(text);
    for (const m of sessions) this.remember(m.credentials);
    return { sessions, clearedAt: parseMfaClearedAt(text) };
  }

  /** A session another window stored for this profile, for a refresh to take instead of calling STS. */
  async peekShared(profileName: string): Promise<Session | undefined> {
    const { session, writer } = await this.readActive().catch(() => ({ session: undefined, writer: undefined }));
    if (!session || writer === this.windowId || session.profileName !== profileName) return undefined;
    return session;
  }

  writeActive(session: Session): void {
    this.queue(() => this.secrets.store(SecretKeys.activeSession, serializeActive(session, this.windowId)));
  }

  writeMfaSessions(sessions: readonly MfaSession[], clearedAt?: number): void {
    this.queue(() => this.secrets.store(SecretKeys.mfaSessions, serializeMfaSessions(sessions, clearedAt)));
  }

  /** AWS: Sign Out: no stored active session survives it, whichever window wrote it. */
  deleteActive(): void {
    this.queue(() => this.secrets.delete(SecretKeys.activeSession));
  }

  /** Deletes the stored active session once the writes before it are done, if `stillWanted` says so then. */
  async deleteActiveIf(stillWanted: (stored: Session | undefined) => boolean): Promise<void> {
    await this.writes;
    const { session } = await this.readActive().catch(() => ({ session: undefined }));
    if (!stillWanted(session)) return;
    this.queue(() => (stillWanted(session) ? this.secrets.delete(SecretKeys.activeSession) : Promise.resolve()));
  }

  private remember(c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): void {
    this.redactor.remember(c.accessKeyId, c.secretAccessKey, c.sessionToken);
  }

  private queue(run: () => Thenable<void>): void {
    this.writes = this.writes.then(run).then(undefined, (e: unknown) => this.log.warn(`Could not store the AWS session: ${errorMessage(e)}`));
  }
}
