import { setMaxListeners } from 'node:events';
import { RoleSwitchError } from '../../errors';
import type { DiscoveredAccount } from '../../config/discoveredRoles';
import { SIGN_IN_COMMAND_TITLE, SsoSignInRequired } from './ssoErrors';
import { SsoApiError, type SsoPortalApi, type SsoTarget } from './ssoApi';

/**
 * Every account and role a signed-in user can reach: ListAccounts page by page, then
 * ListAccountRoles for each account (also paged). The portal throttles these calls and hundreds
 * of accounts are normal, so the calls share a small cap on requests in flight and an adaptive
 * client-side rate, and retry throttling with their own budget: the SDK client used here is made
 * with maxAttempts 1, because its 3 attempts give up under a burst that this waits out.
 */

export interface DiscoveryOptions {
  /** Names the sso-session in messages. */
  ssoSession?: string;
  /** Requests in flight at most (default 4). */
  maxInFlight?: number;
  /** Attempts per request, the first included (default 10). */
  maxAttempts?: number;
  /** Retries for the whole discovery (default 1000). */
  retryBudget?: number;
  /** Backoff before the first retry at most, doubling with each (default 250 ms); full jitter. */
  baseDelayMs?: number;
  /** The backoff's ceiling (default 20 s, the AWS SDK's). */
  maxDelayMs?: number;
  /** maxResults of each page (default 100, the most the portal returns). */
  pageSize?: number;
  /** Cancels everything at once (default: the target's signal). */
  signal?: AbortSignal;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1), for the jitter. */
  random?: () => number;
  now?: () => number;
  /** Accounts whose roles are listed, of the accounts known so far (the total grows while ListAccounts pages). */
  onProgress?: (done: number, total: number) => void;
}

export interface DiscoveryResult {
  /** Sorted by name (then id); each account's roles sorted. */
  accounts: DiscoveredAccount[];
  /** Requests sent, retries included. */
  calls: number;
  retries: number;
  /** Requests the portal refused with TooManyRequestsException. */
  throttled: number;
  elapsedMs: number;
}

const DEFAULT_MAX_IN_FLIGHT = 4;
const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_RETRY_BUDGET = 1000;
const DEFAULT_BASE_DELAY_MS = 250;
// The AWS SDK's MAXIMUM_RETRY_DELAY.
const DEFAULT_MAX_DELAY_MS = 20_000;
// ListAccounts and ListAccountRoles accept maxResults 1..100.
// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_ListAccounts.html
const DEFAULT_PAGE_SIZE = 100;

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException']);
// An AbortError while the run's own signal is not aborted is the transport giving up on a request.
const TRANSIENT = new Set(['NetworkError', 'TimeoutError', 'AbortError', 'InternalServerException', 'ServiceUnavailableException']);

type Failure = 'throttled' | 'transient' | 'unauthorized' | 'final';

function classify(e: unknown): Failure {
  if (!(e instanceof SsoApiError)) return 'final';
  if (e.errorName === 'UnauthorizedException' || e.httpStatus === 401) return 'unauthorized';
  if (THROTTLING.has(e.errorName) || e.httpStatus === 429) return 'throttled';
  if (TRANSIENT.has(e.errorName) || (e.httpStatus ?? 0) >= 500) return 'transient';
  return 'final';
}

/** Thrown inside a run once it is cancelled or failed; the run throws its real reason instead. */
const ABORTED = Symbol('aborted');

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(ABORTED);
    const onAbort = () => {
      clearTimeout(timer);
      reject(ABORTED);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `p`, or a rejection as soon as the signal aborts: a call that ignores its signal cannot hold up a cancel. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(ABORTED);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** At most `size` holders; ListAccounts waiters go first, since every account they bring is more work. */
class Slots {
  private readonly waiting: { first: boolean; go: () => void }[] = [];

  constructor(private free: number) {}

  acquire(first: boolean, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(ABORTED);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        first,
        go: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(ABORTED);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const at = first ? this.waiting.findIndex((w) => !w.first) : -1;
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, waiter);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.go();
    else this.free++;
  }
}

// AIMD, as TCP and the AWS SDK's adaptive retry mode do: throttled, the rate drops to 70 % of
// what was sent in the last second; each success adds INCREASE / rate, about INCREASE requests a
// second per second. The portal counts over about a second, so one decrease per second: the
// refusals that follow at once are the same overload, not a new one.
const DECREASE = 0.7;
const INCREASE = 2;
const MIN_RATE = 0.5;
const MAX_RATE = 1000;
const WINDOW_MS = 1000;

/**
 * A client-side send rate that follows what the portal accepts. Unlimited until the first
 * throttle (a portal that never throttles is never slowed down); then requests are spaced
 * 1/rate apart, the rate lowered on throttling and raised slowly on success.
 */
export class AdaptiveRateLimiter {
  private rate: number | undefined;
  private nextSlot = 0;
  private sent = 0;
  private decreasedAfter = 0;
  private decreasedAt = -Infinity;
  private readonly sendTimes: number[] = [];

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  ) {}

  /** Requests a second; undefined while not limiting. */
  get currentRate(): number | undefined {
    return this.rate;
  }

  /** Waits for the next send slot; returns the send's ticket for onThrottle. */
  async acquire(signal: AbortSignal): Promise<number> {
    if (this.rate !== undefined) {
      const t = this.now();
      const slot = Math.max(t, this.nextSlot);
      this.nextSlot = slot + 1000 / this.rate;
      if (slot > t) await untilAborted(this.sleep(slot - t, signal), signal);
    }
    const t = this.now();
    this.sendTimes.push(t);
    while (this.sendTimes[0] <= t - WINDOW_MS) this.sendTimes.shift();
    return ++this.sent;
  }

  onSuccess(): void {
    if (this.rate !== undefined) this.rate = Math.min(MAX_RATE, this.rate + INCREASE / this.rate);
  }

  /** `ticket`: the refused request's, from acquire. */
  onThrottle(ticket: number): void {
    const t = this.now();
    // Sent before the last decrease, or refused within a second of it: the overload already reacted to.
    if (ticket <= this.decreasedAfter || t - this.decreasedAt < WINDOW_MS) return;
    while (this.sendTimes.length && this.sendTimes[0] <= t - WINDOW_MS) this.sendTimes.shift();
    const sentLastSecond = (this.sendTimes.length * 1000) / WINDOW_MS;
    this.rate = Math.max(MIN_RATE, Math.min(this.rate ?? Infinity, sentLastSecond) * DECREASE);
    this.decreasedAfter = this.sent;
    this.decreasedAt = t;
    this.nextSlot = Math.max(this.nextSlot, t + 1000 / this.rate);
  }
}

function byName(a: DiscoveredAccount, b: DiscoveredAccount): number {
  return (a.accountName ?? a.accountId).localeCompare(b.accountName ?? b.accountId) || a.accountId.localeCompare(b.accountId);
}

/**
 * Lists every account and its roles. Throws a RoleSwitchError: `SsoSignInRequired` at once when the
 * portal refuses the token, `Superseded` when cancelled, `Unreachable` when the portal keeps
 * failing past the retry budget, `AccessDenied` when it refuses ListAccounts. An account whose
 * roles cannot be listed for another reason is kept with no roles and `rolesError`.
 */
export async function discoverAccountsAndRoles(portal: SsoPortalApi, target: SsoTarget, accessToken: string, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const baseDelay = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelay = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const session = options.ssoSession ? ` of "${options.ssoSession}"` : '';
  const started = now();
  const stats = { calls: 0, retries: 0, throttled: 0 };
  let retriesLeft = options.retryBudget ?? DEFAULT_RETRY_BUDGET;

  const external = options.signal ?? target.signal;
  const controller = new AbortController();
  const signal = controller.signal;
  // Every waiting request listens to it: hundreds of accounts are normal.
  setMaxListeners(0, signal);
  let failure: unknown;
  const stop = (e: unknown) => {
    failure ??= e;
    controller.abort();
  };
  const cancelled = () => new RoleSwitchError(`Listing the IAM Identity Center accounts${session} was cancelled.`, 'Superseded');
  const onExternalAbort = () => stop(cancelled());
  if (external?.aborted) throw cancelled();
  external?.addEventListener('abort', onExternalAbort, { once: true });

  const slots = new Slots(Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
  const limiter = new AdaptiveRateLimiter(now, sleep);
  const callTarget: SsoTarget = { ...target, signal };

  /** One request with its retries. Rethrows the portal's error when retrying cannot help. */
  async function call<T>(operation: string, first: boolean, send: (t: SsoTarget) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await slots.acquire(first, signal);
      let ticket = 0;
      try {
        ticket = await limiter.acquire(signal);
        stats.calls++;
        const out = await untilAborted(send(callTarget), signal);
        limiter.onSuccess();
        return out;
      } catch (e) {
        if (signal.aborted) throw ABORTED;
        const kind = classify(e);
        if (kind === 'unauthorized') {
          stop(new SsoSignInRequired(`The IAM Identity Center sign-in${session} is no longer valid: the portal refused its token. Run "${SIGN_IN_COMMAND_TITLE}", then refresh the accounts.`, options.ssoSession, 'refused'));
          throw ABORTED;
        }
        if (kind === 'final') throw e;
        if (kind === 'throttled') {
          stats.throttled++;
          limiter.onThrottle(ticket);
        }
        if (attempt >= maxAttempts || retriesLeft <= 0) {
          const reason = e instanceof SsoApiError ? e.errorName : 'error';
          stop(new RoleSwitchError(`IAM Identity Center kept failing ${operation}${session} (${reason}) after ${attempt} attempts and ${stats.retries} retries in all. Try again later.`, 'Unreachable'));
          throw ABORTED;
        }
        retriesLeft--;
        stats.retries++;
      } finally {
        slots.release();
      }
      // Full jitter: retries of a burst spread out instead of coming back together.
      await untilAborted(sleep(random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1)), signal), signal);
    }
  }

  const accounts = new Map<string, DiscoveredAccount>();
  let done = 0;
  const progress = () => options.onProgress?.(done, accounts.size);

  async function listRoles(account: DiscoveredAccount): Promise<void> {
    const roles = new Set<string>();
    try {
      const seen = new Set<string>();
      let nextToken: string | undefined;
      do {
        const page = await call('ListAccountRoles', false, (t) => portal.listAccountRoles(t, { accessToken, accountId: account.accountId, nextToken, maxResults: pageSize }));
        for (const r of page.items) roles.add(r.roleName);
        nextToken = page.nextToken;
        // A token seen before would page forever.
        if (nextToken && seen.has(nextToken)) break;
        if (nextToken) seen.add(nextToken);
      } while (nextToken);
      account.roles = [...roles].sort();
    } catch (e) {
      if (e === ABORTED) return;
      if (!(e instanceof SsoApiError)) return stop(e);
      account.roles = [];
      account.rolesError = `Its roles could not be listed (${e.errorName}).`;
    }
    done++;
    progress();
  }

  // Settles only on abort; never rejects, so nothing is left unhandled.
  const abortedRun = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    const roleLists: Promise<void>[] = [];
    const seen = new Set<string>();
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await call('ListAccounts', true, (t) => portal.listAccounts(t, { accessToken, nextToken, maxResults: pageSize }));
      } catch (e) {
        if (e !== ABORTED) {
          const name = e instanceof SsoApiError ? e.errorName : undefined;
          stop(
            name === 'AccessDeniedException' || name === 'ForbiddenException'
              ? new RoleSwitchError(`IAM Identity Center refused to list the accounts${session} (${name}).`, 'AccessDenied')
              : e instanceof SsoApiError
                ? new RoleSwitchError(`IAM Identity Center could not list the accounts${session} (${e.errorName}).`, 'Unreachable')
                : e,
          );
        }
        break;
      }
      for (const a of page.items) {
        if (accounts.has(a.accountId)) continue;
        const account: DiscoveredAccount = { accountId: a.accountId, roles: [] };
        if (a.accountName) account.accountName = a.accountName;
        if (a.emailAddress) account.emailAddress = a.emailAddress;
        accounts.set(a.accountId, account);
        roleLists.push(listRoles(account));
      }
      progress();
      nextToken = page.nextToken;
      if (nextToken && seen.has(nextToken)) break;
      if (nextToken) seen.add(nextToken);
    } while (nextToken);
    await Promise.race([Promise.all(roleLists), abortedRun]);
    if (signal.aborted) throw failure ?? cancelled();
  } finally {
    external?.removeEventListener('abort', onExternalAbort);
    // Whatever is still waiting (a failure elsewhere, a cancel) stops now.
    controller.abort();
  }
  return { accounts: [...accounts.values()].sort(byName), ...stats, elapsedMs: now() - started };
}
