import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { SecretKeys } from '../constants';
import { errorMessage } from '../core/errors';
import type { MfaSession } from '../core/credentials/mfaSessions';
import type { Redactor } from '../core/redact';
import type { Session } from '../core/session/session';
import {
  fresherSharedSession,
  indexWith,
  indexWithout,
  isExpiredEntry,
  laterSignOut,
  MAX_WINDOW_ENTRIES,
  ownLegacyEntry,
  parseLegacyWindowSessions,
  parseMfaClearedAt,
  parseMfaSessions,
  parseMfaSignOut,
  parseWindowEntry,
  parseWindowIndex,
  remoteKey,
  restorableEntry,
  serializeMfaSessions,
  serializeMfaSignOut,
  serializeWindowEntry,
  serializeWindowIndex,
  windowKey,
  type WindowEntry,
  type WindowIdentity,
  type WindowIndex,
} from '../core/session/storedSessions';
import type { Logger } from './logger';

/** The secret that holds one window's session. */
function entrySecret(key: string): string {
  return SecretKeys.windowSessionPrefix + key;
}

/**
 * The active sessions and the MFA sessions in SecretStorage (the OS keychain; never settings,
 * globalState or files). MFA sessions are shared by every window of this machine; the active
 * session is kept per window (remote and workspace) in a secret of its own, which only windows
 * of that workspace write, so a reload restores only this window's own role and no other window's
 * write can bring back what this one dropped. Writes run in order, so a quick switch then drop
 * never ends with the switch stored. Everything read is remembered by the redactor before anyone
 * can print it.
 */
export class SecretSessionStore {
  /** Which window (activation) wrote an entry, so a window can tell its own writes from another's. */
  readonly windowId = randomUUID();
  /** This window's key: the same after a reload of the same workspace. */
  readonly windowKey: string;
  /** This window's remote: entries of other remotes are never restored or taken. */
  readonly remote: string;
  private readonly ownSecret: string;
  /** When this window last stored its session, while it has one stored: the index should name it. */
  private indexedAt: number | undefined;
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
    this.ownSecret = entrySecret(this.windowKey);
  }

  /** Whether a changed secret is a window's stored session (this window's or another's). */
  isWindowSessionSecret(secret: string): boolean {
    return secret.startsWith(SecretKeys.windowSessionPrefix);
  }

  /** This window's stored entry as it is, valid or not (tests inspect it). */
  readOwnEntry(): Promise<WindowEntry | undefined> {
    return this.readEntry(this.ownSecret);
  }

  /**
   * This window's own stored session (what a reload restores), if still valid. At the first
   * restore after an upgrade, this window's entry in the previous format's shared map moves to
   * its own secret, and the map is deleted: the other windows' entries in it are lost, which costs
   * each of them one prompt at its next reload, never a session it did not hold.
   */
  async readOwn(): Promise<{ session?: Session; writer?: string }> {
    let own = await this.readOwnEntry();
    const legacy = await this.secrets.get(SecretKeys.legacyWindowSessions);
    if (legacy !== undefined) {
      const moved = own ? undefined : ownLegacyEntry(parseLegacyWindowSessions(legacy), this.windowKey, this.remote, this.now());
      if (moved) {
        this.remember(moved.session.credentials);
        own = moved;
        this.queue(async () => {
          // Another window of this workspace may have stored its own since: that one stays.
          if ((await this.secrets.get(this.ownSecret)) === undefined) await this.storeEntry(moved);
        });
      }
      this.queue(() => this.secrets.delete(SecretKeys.legacyWindowSessions));
    }
    const valid = restorableEntry(own, this.remote, this.now());
    return valid ? { session: valid.session, writer: valid.writer } : {};
  }

  async readMfaSessions(): Promise<{ sessions: MfaSession[]; clearedAt?: number }> {
    const [text, signOut] = await Promise.all([this.secrets.get(SecretKeys.mfaSessions), this.secrets.get(SecretKeys.mfaSignOut)]);
    const sessions = parseMfaSessions(text);
    for (const m of sessions) this.remember(m.credentials);
    return { sessions, clearedAt: laterSignOut(parseMfaClearedAt(text), parseMfaSignOut(signOut)) };
  }

  /**
   * The freshest session another window (any workspace on this remote) stored for this profile,
   * for a refresh to take instead of calling STS. Reads the windows the index names; the expired
   * ones found are deleted, and the index forgets the windows that no longer have one.
   */
  async peekShared(profileName: string, notBefore?: number): Promise<Session | undefined> {
    try {
      const index = await this.readIndex();
      const keys = Object.keys(index).filter((k) => index[k].remote === this.remote);
      const entries = await Promise.all(keys.map((k) => this.readEntry(entrySecret(k))));
      this.pruneIfStale(keys.filter((_, i) => !entries[i] || isExpiredEntry(entries[i], this.now())));
      return fresherSharedSession(entries, { profileName, remote: this.remote, writer: this.windowId, now: this.now(), notBefore });
    } catch {
      return undefined;
    }
  }

  /** Like `peekShared`, from the one window's secret that just changed. */
  async peekChanged(secret: string, profileName: string, notBefore?: number): Promise<Session | undefined> {
    if (!this.isWindowSessionSecret(secret)) return undefined;
    return fresherSharedSession([await this.readEntry(secret)], { profileName, remote: this.remote, writer: this.windowId, now: this.now(), notBefore });
  }

  /** Deletes the expired sessions of every window the index names (a restore runs it, so they are not kept forever). */
  async pruneExpired(): Promise<void> {
    const keys = Object.keys(await this.readIndex());
    const entries = await Promise.all(keys.map((k) => this.readEntry(entrySecret(k))));
    this.pruneIfStale(keys.filter((_, i) => !entries[i] || isExpiredEntry(entries[i], this.now())));
  }

  writeActive(session: Session): void {
    this.queue(() => this.storeEntry({ session, writer: this.windowId, remote: this.remote, storedAt: this.now() }));
  }

  writeMfaSessions(sessions: readonly MfaSession[], clearedAt?: number): void {
    this.queue(() => this.secrets.store(SecretKeys.mfaSessions, serializeMfaSessions(sessions, clearedAt)));
  }

  /** AWS: Sign Out forgot every MFA session at `signedOutAt`: kept apart from the list, which every window rewrites whole. */
  writeMfaSignOut(signedOutAt: number): void {
    this.queue(async () => {
      const stored = parseMfaSignOut(await this.secrets.get(SecretKeys.mfaSignOut));
      if (stored === undefined || stored < signedOutAt) await this.secrets.store(SecretKeys.mfaSignOut, serializeMfaSignOut(signedOutAt));
    });
  }

  /** AWS: Sign Out: this window's stored session goes (and what earlier versions stored); other windows' stay. */
  deleteActive(): void {
    this.queue(() => this.deleteOwn());
    this.queue(() => this.secrets.delete(SecretKeys.legacyActiveSession));
  }

  /** The single shared entry of earlier versions is never restored; its credentials are not kept either. */
  async deleteLegacyActive(): Promise<void> {
    if ((await this.secrets.get(SecretKeys.legacyActiveSession)) !== undefined) this.queue(() => this.secrets.delete(SecretKeys.legacyActiveSession));
  }

  /** Deletes this window's stored session once the writes before it are done, if `stillWanted` says so then. */
  async deleteActiveIf(stillWanted: (stored: Session | undefined) => boolean): Promise<void> {
    this.queue(async () => {
      if (stillWanted((await this.readOwnEntry())?.session)) await this.deleteOwn();
    });
    await this.writes;
  }

  private async readEntry(secret: string): Promise<WindowEntry | undefined> {
    const entry = parseWindowEntry(await this.secrets.get(secret));
    if (entry) this.remember(entry.session.credentials);
    return entry;
  }

  private async readIndex(): Promise<WindowIndex> {
    return parseWindowIndex(await this.secrets.get(SecretKeys.windowSessionIndex));
  }

  /** Stores this window's session in its own secret, then adds this window to the index. */
  private async storeEntry(entry: WindowEntry): Promise<void> {
    await this.secrets.store(this.ownSecret, serializeWindowEntry(entry));
    this.indexedAt = entry.storedAt;
    const index = await this.readIndex();
    const next = indexWith(index, this.windowKey, { remote: this.remote, storedAt: entry.storedAt });
    await this.secrets.store(SecretKeys.windowSessionIndex, serializeWindowIndex(next.index));
    // Beyond the bound: the oldest writes go, unless their window wrote again meanwhile.
    for (const key of next.evicted) {
      const line = index[key] as WindowIndex[string] | undefined;
      if (!line || key === this.windowKey) continue;
      const storedAt = parseWindowEntry(await this.secrets.get(entrySecret(key)))?.storedAt;
      if (storedAt !== undefined && storedAt <= line.storedAt) await this.secrets.delete(entrySecret(key));
    }
  }

  /**
   * The index changed: if another window's write (read before this window's) dropped this
   * window's line, it is added again, if its session is still stored. Not when the index is full: the bound evicted it, and adding
   * it back would evict another window, which would do the same.
   */
  repairIndex(): void {
    if (this.indexedAt === undefined) return;
    this.queue(async () => {
      const storedAt = this.indexedAt;
      if (storedAt === undefined) return;
      const index = await this.readIndex();
      if (index[this.windowKey] || Object.keys(index).length >= MAX_WINDOW_ENTRIES) return;
      // Deleted as expired by another window, or stored since by another window of this workspace: not this one's to add.
      if (parseWindowEntry(await this.secrets.get(this.ownSecret))?.storedAt !== storedAt) return;
      await this.secrets.store(SecretKeys.windowSessionIndex, serializeWindowIndex(indexWith(index, this.windowKey, { remote: this.remote, storedAt }).index));
    });
  }

  /**
   * Deletes this window's secret, and its line in the index. The previous format's map goes too,
   * so an older version still running in another window cannot keep this window's old entry
   * there for a later restore to carry over.
   */
  private async deleteOwn(): Promise<void> {
    this.indexedAt = undefined;
    await this.secrets.delete(this.ownSecret);
    await this.secrets.delete(SecretKeys.legacyWindowSessions);
    const index = await this.readIndex();
    if (index[this.windowKey]) await this.secrets.store(SecretKeys.windowSessionIndex, serializeWindowIndex(indexWithout(index, [this.windowKey])));
  }

  /**
   * Deletes the windows' sessions found expired, each read again just before (its window may
   * have stored a new one meanwhile), and drops from the index the windows that have none. A
   * window's write that lands between that read and the delete is lost: that costs it a prompt
   * at its next reload, never a session it did not hold.
   */
  private pruneIfStale(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.queue(async () => {
      const gone: string[] = [];
      for (const key of keys) {
        const text = await this.secrets.get(entrySecret(key));
        const entry = parseWindowEntry(text);
        if (entry && isExpiredEntry(entry, this.now())) await this.secrets.delete(entrySecret(key));
        if (text === undefined || (entry && isExpiredEntry(entry, this.now()))) gone.push(key);
      }
      if (gone.length === 0) return;
      const index = await this.readIndex();
      if (gone.some((k) => index[k])) await this.secrets.store(SecretKeys.windowSessionIndex, serializeWindowIndex(indexWithout(index, gone)));
    });
  }

  private remember(c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): void {
    this.redactor.remember(c.accessKeyId, c.secretAccessKey, c.sessionToken);
  }

  private queue(run: () => Thenable<void>): void {
    this.writes = this.writes.then(run).then(undefined, (e: unknown) => this.log.warn(`Could not store the AWS session: ${errorMessage(e)}`));
  }
}
