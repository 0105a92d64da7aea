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
}

/** A role session assumed from it lasts up to an hour, so it is only worth using with more left than that. */
export const MFA_SESSION_REUSE_MARGIN_MS = 15 * 60_000;

/** One MFA session per source key and device: a rotated key or another device needs a new code. */
export function mfaSessionKey(sourceProfile: string, accessKeyId: string, mfaSerial: string): string {
  return `${sourceProfile}\u0000${accessKeyId}\u0000${mfaSerial}`;
}

/** The MFA sessions this window knows, shared with other windows through the adapter's secret storage. */
export class MfaSessionCache {
  private readonly sessions = new Map<string, MfaSession>();
  private readonly changed = new Emitter<void>();
  /** Fires when a session was added or removed here (not when loaded from elsewhere). */
  readonly onDidChange = this.changed.event;

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

  /** Merges what another window stored (the longer-lasting entry of a key wins), dropping what has expired. */
  load(sessions: readonly MfaSession[], now: number): void {
    for (const [key, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(key);
    for (const s of sessions) {
      const mine = this.sessions.get(s.key);
      if (s.expiresAt > now && (!mine || s.expiresAt > mine.expiresAt)) this.sessions.set(s.key, s);
    }
  }

  all(): MfaSession[] {
    return [...this.sessions.values()];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
