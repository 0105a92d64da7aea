import { Emitter } from '../events';
import type { AwsCredentials } from './stsApi';

/**
 * An MFA-authenticated session of an IAM user (STS GetSessionToken with SerialNumber and
 * TokenCode). Every role profile whose first hop shares the source keys and mfa_serial assumes
 * its role from it without asking for another code. Holds secrets.
 */
export interface MfaSession {
  readonly key: string;
  readonly sourceProfile: string;
  readonly mfaSerial: string;
  readonly credentials: AwsCredentials;
  readonly expiresAt: number;
  /** When STS returned it (ms since the epoch): a sign-out forgets every session obtained until then. Absent in what older versions stored. */
  readonly obtainedAt?: number;
}

/** A role session assumed from it lasts up to an hour, so it is only worth using with more left than that. */
export const MFA_SESSION_REUSE_MARGIN_MS = 15 * 60_000;

/** One MFA session per source key and device: a rotated key or another device needs a new code. */
export function mfaSessionKey(sourceProfile: string, accessKeyId: string, mfaSerial: string): string {
  return `${sourceProfile}\u0000${accessKeyId}\u0000${mfaSerial}`;
}

/**
 * Whether a stored MFA session must not be used: expired, or obtained no later than the last
 * AWS: Sign Out (in any window), so a write that raced the sign-out cannot bring it back.
 */
export function isForgottenMfaSession(session: MfaSession, now: number, clearedAt: number | undefined): boolean {
  return session.expiresAt <= now || (clearedAt !== undefined && (session.obtainedAt ?? -Infinity) <= clearedAt);
}

/** The MFA sessions this window knows, shared with other windows through the adapter's secret storage. */
export class MfaSessionCache {
  private readonly sessions = new Map<string, MfaSession>();
  private readonly changed = new Emitter<void>();
  /** Fires when a session was added or removed here (not when loaded from elsewhere). */
  readonly onDidChange = this.changed.event;
  private forgotten: number | undefined;

  /** When AWS: Sign Out last forgot every MFA session (here or in another window); sessions stored before it are not taken back. */
  get clearedAt(): number | undefined {
    return this.forgotten;
  }

  usable(key: string, now: number): MfaSession | undefined {
    const s = this.sessions.get(key);
    if (s && s.expiresAt - now > MFA_SESSION_REUSE_MARGIN_MS) return s;
    if (s) this.sessions.delete(key);
    return undefined;
  }

  set(session: MfaSession): void {
    this.sessions.set(session.key, session);
    this.changed.fire();
  }

  clear(): void {
    if (!this.sessions.size) return;
    this.sessions.clear();
    this.changed.fire();
  }

  /** AWS: Sign Out: forgets every MFA session, and tells other windows (through the stored clearedAt) to forget theirs. */
  forgetAll(now: number): void {
    this.sessions.clear();
    this.forgotten = now;
    this.changed.fire();
  }

  /** Drops the sessions that have expired; fires (so the stored copy is pruned too) only when there were any. */
  prune(now: number): void {
    let pruned = false;
    for (const [key, s] of this.sessions) {
      if (s.expiresAt <= now) {
        this.sessions.delete(key);
        pruned = true;
      }
    }
    if (pruned) this.changed.fire();
  }

  /**
   * Merges what another window stored (the longer-lasting entry of a key wins), dropping what has
   * expired. A newer sign-out there (`clearedAt`) first forgets what this window obtained before
   * it; a session obtained before the latest sign-out is never taken, whoever wrote it back.
   */
  load(sessions: readonly MfaSession[], now: number, clearedAt?: number): void {
    if (clearedAt !== undefined && clearedAt > (this.forgotten ?? -Infinity)) this.forgotten = clearedAt;
    for (const [key, s] of this.sessions) if (isForgottenMfaSession(s, now, this.forgotten)) this.sessions.delete(key);
    for (const s of sessions) {
      const mine = this.sessions.get(s.key);
      if (!isForgottenMfaSession(s, now, this.forgotten) && (!mine || s.expiresAt > mine.expiresAt)) this.sessions.set(s.key, s);
    }
  }

  all(): MfaSession[] {
    return [...this.sessions.values()];
  }

  /** The sessions that have not expired, soonest expiry first (the status bar's tooltip lists them). */
  live(now: number): MfaSession[] {
    return this.all()
      .filter((s) => s.expiresAt > now)
      .sort((a, b) => a.expiresAt - b.expiresAt);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
