import type { Clock, TimerHandle } from '../clock';
import { RoleSwitchError } from '../errors';
import { Emitter } from '../events';
import type { Session } from './session';

export type SessionChangeReason = 'assumed' | 'dropped' | 'signedOut' | 'expired' | 'refreshed' | 'restored';

export interface SessionChange {
  readonly session: Session | undefined;
  readonly previous: Session | undefined;
  readonly reason: SessionChangeReason;
}

/** How a profile is resolved: a background refresh must not prompt. */
export interface ResolveMode {
  interactive: boolean;
  /** Renewing the active session: cached copies of it (the AWS CLI cache) would hand back the same credentials. */
  refresh?: boolean;
}

export interface RefreshPolicy {
  enabled: boolean;
  /** Refresh this long before the session expires. */
  leadMs: number;
}

/** Why the last background refresh did not happen; the old session keeps working until it expires. */
export interface RefreshProblem {
  readonly profileName: string;
  readonly error: unknown;
  /** A code is needed and none can be reused: ask the user, without stealing focus. */
  readonly needsMfa: boolean;
  /** A sign-in is needed (an IAM Identity Center token that cannot be renewed, an aws login that expired): ask the user, never open a browser by itself. */
  readonly needsSignIn?: { ssoSession?: string };
  readonly expiresAt?: number;
}

/** How long a failed background refresh waits before it tries again (never past half of what is left). */
const RETRY_MS = 60_000;

export interface SessionManagerOptions {
  refreshPolicy?: () => RefreshPolicy;
  /**
   * A session another window already refreshed for the same profile, if any: checked before
   * calling STS, so one window's refresh spares the others.
   */
  peekShared?: (profileName: string) => Promise<Session | undefined>;
}

/**
 * Owns the active session. A switch is all-or-nothing: the new session replaces the
 * old one only when resolving succeeded and no newer switch or drop came in meanwhile,
 * so a failure or a late answer never leaves a half-applied state. Before a session
 * expires it is refreshed in the background (same rule: a refresh that finishes after a
 * switch or drop is dropped).
 */
export class SessionManager {
  private current: Session | undefined;
  private generation = 0;
  private expiryTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private refreshDue: number | undefined;
  private inFlight: AbortController | undefined;
  private refreshing: { controller: AbortController; done: Promise<Session | undefined>; interactive: boolean } | undefined;
  private problem: RefreshProblem | undefined;
  private readonly changed = new Emitter<SessionChange>();
  private readonly problemChanged = new Emitter<RefreshProblem | undefined>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeRefreshProblem = this.problemChanged.event;

  constructor(
    private readonly resolve: (profileName: string, signal: AbortSignal, mode: ResolveMode) => Promise<Session>,
    private readonly clock: Clock,
    private readonly options: SessionManagerOptions = {},
  ) {}

  get active(): Session | undefined {
    return this.current;
  }

  get switching(): boolean {
    return this.inFlight !== undefined;
  }

  get refreshProblem(): RefreshProblem | undefined {
    return this.problem;
  }

  /** When the next background refresh is due (ms since epoch), or undefined when none is scheduled. */
  get nextRefreshAt(): number | undefined {
    return this.refreshDue;
  }

  /** Resolves and activates a profile. Rejects with a RoleSwitchError; the previous session stays. */
  async switchTo(profileName: string): Promise<Session> {
    const generation = ++this.generation;
    this.inFlight?.abort();
    this.cancelRefresh();
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      const session = await this.resolve(profileName, controller.signal, { interactive: true });
      if (generation !== this.generation) {
        throw new RoleSwitchError(`Switching to "${profileName}" was superseded by a newer switch or a drop.`, 'Superseded', profileName);
      }
      this.checkNotExpired(session);
      this.setProblem(undefined);
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

  /**
   * Renews the active session with the same profile. Background refreshes (not interactive)
   * never prompt: when a code would be needed the problem says so and the caller asks the user.
   * Concurrent calls share one refresh. Resolves undefined when nothing was refreshed.
   */
  refresh(mode: ResolveMode = { interactive: false }): Promise<Session | undefined> {
    const session = this.current;
    if (!session) return Promise.resolve(undefined);
    // A click on Refresh does not join a background run that would never prompt.
    if (this.refreshing && (this.refreshing.interactive || !mode.interactive)) return this.refreshing.done;
    this.cancelRefresh();
    const generation = this.generation;
    const controller = new AbortController();
    const done = this.runRefresh(session, generation, controller, { ...mode, refresh: true }).finally(() => {
      if (this.refreshing?.controller === controller) this.refreshing = undefined;
    });
    this.refreshing = { controller, done, interactive: mode.interactive };
    return done;
  }

  private cancelRefresh(): void {
    this.refreshing?.controller.abort();
    this.refreshing = undefined;
  }

  private async runRefresh(session: Session, generation: number, controller: AbortController, mode: ResolveMode): Promise<Session | undefined> {
    const stillCurrent = () => generation === this.generation && this.current?.profileName === session.profileName;
    try {
      const shared = await this.options.peekShared?.(session.profileName);
      if (shared && stillCurrent() && this.isFresher(shared, this.current ?? session)) {
        this.setProblem(undefined);
        this.setActive(shared, 'refreshed');
        return shared;
      }
      const fresh = await this.resolve(session.profileName, controller.signal, mode);
      if (!stillCurrent()) return undefined;
      this.checkNotExpired(fresh);
      this.setProblem(undefined);
      this.setActive(fresh, 'refreshed');
      return fresh;
    } catch (e) {
      if (!stillCurrent() || (e instanceof RoleSwitchError && (e.code === 'Superseded' || e.code === 'MfaCancelled'))) return undefined;
      const needsMfa = e instanceof RoleSwitchError && e.code === 'MfaRequired';
      const needsSignIn = e instanceof RoleSwitchError && (e.code === 'SsoSignInRequired' || e.code === 'SsoLoginRequired' || e.code === 'AwsLoginRequired') ? { ssoSession: (e as { ssoSession?: string }).ssoSession } : undefined;
      this.setProblem({ profileName: session.profileName, error: e, needsMfa, needsSignIn, expiresAt: session.expiresAt });
      // A network blip must not leave the session to expire: try again later, quietly, while time is left.
      if (!needsMfa && !needsSignIn && !mode.interactive) this.scheduleRetry(session);
      if (mode.interactive) throw e;
      return undefined;
    }
  }

  private scheduleRetry(session: Session): void {
    const left = (session.expiresAt ?? 0) - this.clock.now();
    if (left <= 10_000 || this.current !== session) return;
    this.armRefresh(Math.min(RETRY_MS, left / 2));
  }

  private armRefresh(delay: number): void {
    if (this.refreshTimer) this.clock.clearTimeout(this.refreshTimer);
    this.refreshDue = this.clock.now() + delay;
    this.refreshTimer = this.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      this.refreshDue = undefined;
      void this.refresh({ interactive: false });
    }, delay);
  }

  /** Takes a session another window refreshed, when it is for the profile we hold and lasts longer. */
  adoptShared(session: Session): boolean {
    const current = this.current;
    if (!current || !this.isFresher(session, current) || this.inFlight) return false;
    this.setProblem(undefined);
    this.setActive(session, 'refreshed');
    return true;
  }

  /** Brings back a session kept from an earlier window (reload, second window), if it is still good. */
  restore(session: Session): boolean {
    if (this.current || this.inFlight) return false;
    if (session.expiresAt !== undefined && session.expiresAt <= this.clock.now()) return false;
    this.setActive(session, 'restored');
    return true;
  }

  private isFresher(candidate: Session, current: Session): boolean {
    return candidate.profileName === current.profileName && candidate.expiresAt !== undefined && candidate.expiresAt > (current.expiresAt ?? Infinity) && candidate.expiresAt > this.clock.now();
  }

  private checkNotExpired(session: Session): void {
    if (session.expiresAt !== undefined && session.expiresAt <= this.clock.now()) {
      throw new RoleSwitchError(`STS returned credentials for "${session.profileName}" that have already expired. Check this computer's clock.`, 'ExpiredToken', session.profileName);
    }
  }

  /** Forgets the active session and cancels any switch or refresh in flight. */
  /** Forgets the session (and cancels a switch or refresh in flight); `signedOut` when AWS: Sign Out did it. */
  drop(reason: 'dropped' | 'signedOut' = 'dropped'): void {
    this.generation++;
    this.inFlight?.abort();
    this.inFlight = undefined;
    this.cancelRefresh();
    this.setProblem(undefined);
    if (this.current) this.setActive(undefined, reason);
  }

  /** Re-reads the refresh policy (a setting changed). */
  reschedule(): void {
    this.scheduleRefresh();
  }

  private setActive(session: Session | undefined, reason: SessionChangeReason): void {
    const previous = this.current;
    this.current = session;
    this.scheduleExpiry();
    this.scheduleRefresh();
    this.changed.fire({ session, previous, reason });
  }

  private setProblem(problem: RefreshProblem | undefined): void {
    if (!problem && !this.problem) return;
    this.problem = problem;
    this.problemChanged.fire(problem);
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const expiresAt = this.current?.expiresAt;
    if (expiresAt === undefined) return;
    this.expiryTimer = this.clock.setTimeout(() => this.expireIfDue(), Math.max(0, expiresAt - this.clock.now()));
  }

  /**
   * `leadMs` before expiry, but never earlier than halfway through what is left: a session
   * shorter than the lead (a 15-minute role with a 20-minute lead) must not refresh in a loop.
   */
  private scheduleRefresh(): void {
    if (this.refreshTimer) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.refreshDue = undefined;
    const expiresAt = this.current?.expiresAt;
    const policy = this.options.refreshPolicy?.();
    if (expiresAt === undefined || !policy?.enabled) return;
    const now = this.clock.now();
    this.armRefresh(Math.max(0, Math.max(expiresAt - policy.leadMs, now + (expiresAt - now) / 2) - now));
  }

  /** Timers can fire early after sleep or be clamped, so expiry is re-checked against the clock. */
  expireIfDue(): void {
    const expiresAt = this.current?.expiresAt;
    if (expiresAt === undefined) return;
    if (expiresAt <= this.clock.now()) {
      this.setProblem(undefined);
      this.setActive(undefined, 'expired');
    } else {
      this.scheduleExpiry();
    }
  }

  dispose(): void {
    this.generation++;
    this.inFlight?.abort();
    this.refreshing?.controller.abort();
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    if (this.refreshTimer) this.clock.clearTimeout(this.refreshTimer);
    this.expiryTimer = undefined;
    this.refreshTimer = undefined;
    this.changed.dispose();
    this.problemChanged.dispose();
  }
}
