import type { Clock, TimerHandle } from './clock';
import { RoleSwitchError } from './errors';
import { Emitter } from './events';
import type { Session } from './session';

export type SessionChangeReason = 'assumed' | 'dropped' | 'expired';

export interface SessionChange {
  readonly session: Session | undefined;
  readonly previous: Session | undefined;
  readonly reason: SessionChangeReason;
}

/**
 * Owns the active session. A switch is all-or-nothing: the new session replaces the
 * old one only when resolving succeeded and no newer switch or drop came in meanwhile,
 * so a failure or a late answer never leaves a half-applied state.
 */
export class SessionManager {
  private current: Session | undefined;
  private generation = 0;
  private expiryTimer: TimerHandle | undefined;
  private inFlight: AbortController | undefined;
  private readonly changed = new Emitter<SessionChange>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly resolve: (profileName: string, signal: AbortSignal) => Promise<Session>,
    private readonly clock: Clock,
  ) {}

  get active(): Session | undefined {
    return this.current;
  }

  get switching(): boolean {
    return this.inFlight !== undefined;
  }

  /** Resolves and activates a profile. Rejects with a RoleSwitchError; the previous session stays. */
  async switchTo(profileName: string): Promise<Session> {
    const generation = ++this.generation;
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      const session = await this.resolve(profileName, controller.signal);
      if (generation !== this.generation) {
        throw new RoleSwitchError(`Switching to "${profileName}" was superseded by a newer switch or a drop.`, 'Superseded', profileName);
      }
      if (session.expiresAt !== undefined && session.expiresAt <= this.clock.now()) {
        throw new RoleSwitchError(`STS returned credentials for "${profileName}" that have already expired. Check this computer's clock.`, 'ExpiredToken', profileName);
      }
      this.setActive(session, 'assumed');
      return session;
    } catch (e) {
      if (generation !== this.generation && !(e instanceof RoleSwitchError && e.code === 'Superseded')) {
        throw new RoleSwitchError(`Switching to "${profileName}" was superseded by a newer switch or a drop.`, 'Superseded', profileName);
      }
      throw e;
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  /** Forgets the active session and cancels any switch in flight. */
  drop(): void {
    this.generation++;
    this.inFlight?.abort();
    this.inFlight = undefined;
    if (this.current) this.setActive(undefined, 'dropped');
  }

  private setActive(session: Session | undefined, reason: SessionChangeReason): void {
    const previous = this.current;
    this.current = session;
    this.scheduleExpiry();
    this.changed.fire({ session, previous, reason });
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const expiresAt = this.current?.expiresAt;
    if (expiresAt === undefined) return;
    this.expiryTimer = this.clock.setTimeout(() => this.expireIfDue(), Math.max(0, expiresAt - this.clock.now()));
  }

  /** Timers can fire early after sleep or be clamped, so expiry is re-checked against the clock. */
  expireIfDue(): void {
    const expiresAt = this.current?.expiresAt;
    if (expiresAt === undefined) return;
    if (expiresAt <= this.clock.now()) {
      this.setActive(undefined, 'expired');
    } else {
      this.scheduleExpiry();
    }
  }

  dispose(): void {
    this.generation++;
    this.inFlight?.abort();
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.changed.dispose();
  }
}
