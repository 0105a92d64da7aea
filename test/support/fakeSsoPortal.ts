// An in-process IAM Identity Center portal (SsoPortalApi) for core's unit tests: accounts, roles,
// pages, a throttle, a latency, and counters of what it was asked. The HTTP stand-in for the
// extension's real SDK client is another file; this one is for the logic above the client.
import type { AwsCredentials } from '../../src/core/credentials/stsApi';
import { SsoApiError, type SsoAccount, type SsoPage, type SsoPortalApi, type SsoTarget } from '../../src/core/credentials/sso/ssoApi';

export interface FakeAccount extends SsoAccount {
  roles: string[];
}

export interface FakeSsoPortalOptions {
  accounts: FakeAccount[];
  /** The token the portal accepts; any other is UnauthorizedException. */
  accessToken?: string;
  /** The most items a page holds, whatever maxResults asks (the portal may return fewer). */
  accountsPageSize?: number;
  rolesPageSize?: number;
  /** At most `requests` accepted in any `windowMs` (sliding); the rest get TooManyRequestsException. */
  throttle?: { requests: number; windowMs: number };
  /** Milliseconds each answer takes (real timers). */
  latencyMs?: number;
  now?: () => number;
  /** A non-retryable failure of ListAccountRoles for these accounts. */
  rolesFailures?: Record<string, SsoApiError>;
}

/** A handful of accounts, each with the given roles (or `roles(i)`), ids 100000000000 + i. */
export function fakeAccounts(count: number, roles: string[] | ((i: number) => string[]) = ['Admin', 'ReadOnly']): FakeAccount[] {
  return Array.from({ length: count }, (_, i) => ({
    accountId: String(100000000000 + i),
    accountName: `account-${String(i).padStart(4, '0')}`,
    emailAddress: `aws+${i}@example.com`,
    roles: typeof roles === 'function' ? roles(i) : roles,
  }));
}

export const FAKE_ACCESS_TOKEN = 'fake-sso-access-token';

export class FakeSsoPortal implements SsoPortalApi {
  readonly calls = { listAccounts: 0, listAccountRoles: 0, getRoleCredentials: 0, logout: 0 };
  /** Requests refused with TooManyRequestsException. */
  throttled = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Every request's arrival time, in order. */
  readonly arrivals: number[] = [];
  /** The maxResults each request asked for. */
  readonly maxResultsAsked: (number | undefined)[] = [];
  private readonly accepted: number[] = [];
  private validToken: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: FakeSsoPortalOptions) {
    this.validToken = options.accessToken ?? FAKE_ACCESS_TOKEN;
    this.now = options.now ?? Date.now;
  }

  get totalCalls(): number {
    return this.calls.listAccounts + this.calls.listAccountRoles + this.calls.getRoleCredentials + this.calls.logout;
  }

  /** From now on every token is refused, as after a sign-out elsewhere. */
  revokeToken(): void {
    this.validToken = undefined;
  }

  listAccounts(target: SsoTarget, request: { accessToken: string; nextToken?: string; maxResults?: number }): Promise<SsoPage<SsoAccount>> {
    this.calls.listAccounts++;
    return this.answer(target, request, () => {
      const accounts = this.options.accounts.map(({ accountId, accountName, emailAddress }) => ({ accountId, accountName, emailAddress }));
      return page(accounts, request.nextToken, Math.min(request.maxResults ?? 20, this.options.accountsPageSize ?? 20));
    });
  }

  listAccountRoles(target: SsoTarget, request: { accessToken: string; accountId: string; nextToken?: string; maxResults?: number }): Promise<SsoPage<{ roleName: string; accountId: string }>> {
    this.calls.listAccountRoles++;
    return this.answer(target, request, () => {
      const failure = this.options.rolesFailures?.[request.accountId];
      if (failure) throw failure;
      const account = this.options.accounts.find((a) => a.accountId === request.accountId);
      if (!account) throw new SsoApiError('ResourceNotFoundException', 'No such account.', 404);
      const roles = account.roles.map((roleName) => ({ roleName, accountId: account.accountId }));
      return page(roles, request.nextToken, Math.min(request.maxResults ?? 20, this.options.rolesPageSize ?? 20));
    });
  }

  getRoleCredentials(target: SsoTarget, request: { accessToken: string; accountId: string; roleName: string }): Promise<AwsCredentials & { expiration: Date }> {
    this.calls.getRoleCredentials++;
    return this.answer(target, request, () => {
      const account = this.options.accounts.find((a) => a.accountId === request.accountId);
      if (!account?.roles.includes(request.roleName)) throw new SsoApiError('ForbiddenException', 'No access.', 403);
      return { accessKeyId: 'ASIAFAKEPORTAL', secretAccessKey: 'fake-portal-secret', sessionToken: 'fake-portal-session', expiration: new Date(this.now() + 3600_000) };
    });
  }

  logout(target: SsoTarget, request: { accessToken: string }): Promise<void> {
    this.calls.logout++;
    return this.answer(target, request, () => this.revokeToken());
  }

  private answer<T>(target: SsoTarget, request: { accessToken: string; maxResults?: number }, produce: () => T): Promise<T> {
    const t = this.now();
    this.arrivals.push(t);
    this.maxResultsAsked.push(request.maxResults);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let outcome: () => T;
    if (request.accessToken !== this.validToken) {
      outcome = () => {
        throw new SsoApiError('UnauthorizedException', 'Session token not found or invalid', 401);
      };
    } else if (this.isThrottled(t)) {
      this.throttled++;
      outcome = () => {
        throw new SsoApiError('TooManyRequestsException', 'Rate exceeded', 429);
      };
    } else {
      this.accepted.push(t);
      outcome = produce;
    }
    return new Promise<T>((resolve, reject) => {
      const finish = () => {
        target.signal?.removeEventListener('abort', onAbort);
        this.inFlight--;
        try {
          resolve(outcome());
        } catch (e) {
          reject(e);
        }
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.inFlight--;
        reject(new SsoApiError('AbortError', 'The request was aborted.'));
      };
      const timer = setTimeout(finish, this.options.latencyMs ?? 0);
      if (target.signal?.aborted) onAbort();
      else target.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private isThrottled(t: number): boolean {
    const throttle = this.options.throttle;
    if (!throttle) return false;
    while (this.accepted.length && this.accepted[0] <= t - throttle.windowMs) this.accepted.shift();
    return this.accepted.length >= throttle.requests;
  }
}

// Tokens are opaque to callers and checked strictly, as the portal does.
function page<T>(items: T[], nextToken: string | undefined, size: number): SsoPage<T> {
  let start = 0;
  if (nextToken !== undefined) {
    const match = /^page:(\d+)$/.exec(nextToken);
    if (!match || Number(match[1]) >= items.length) throw new SsoApiError('InvalidRequestException', 'Invalid nextToken.', 400);
    start = Number(match[1]);
  }
  const end = start + Math.max(1, size);
  return { items: items.slice(start, end), nextToken: end < items.length ? `page:${end}` : undefined };
}
