import * as assert from 'node:assert/strict';
import { AdaptiveRateLimiter, discoverAccountsAndRoles } from '../../../../src/core/credentials/sso/discovery';
import { SsoApiError, type SsoPortalApi } from '../../../../src/core/credentials/sso/ssoApi';
import { rejectsCode } from '../../../support/assertions';
import { FAKE_ACCESS_TOKEN, FakeSsoPortal, fakeAccounts } from '../../../support/fakeSsoPortal';

const target = { region: 'eu-west-1' };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const instantSleep = () => Promise.resolve();

/** The portal with its first `failures.length` requests failing with those errors, in order. */
function failingFirst(portal: SsoPortalApi, failures: SsoApiError[]): SsoPortalApi {
  const queue = [...failures];
  const wrap =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const failure = queue.shift();
      return failure ? Promise.reject(failure) : f(...args);
    };
  return {
    listAccounts: wrap(portal.listAccounts.bind(portal)),
    listAccountRoles: wrap(portal.listAccountRoles.bind(portal)),
    getRoleCredentials: portal.getRoleCredentials.bind(portal),
    logout: portal.logout.bind(portal),
  };
}

describe('Identity Center discovery: every account and role', function () {
  this.timeout(20000);

  it('follows every page of accounts and of roles, and sorts what it found', async () => {
    const accounts = fakeAccounts(45, (i) => ['ReadOnly', 'Admin', 'Billing', 'Dev', 'Ops'].slice(0, 1 + (i % 5)));
    const portal = new FakeSsoPortal({ accounts, accountsPageSize: 7, rolesPageSize: 2, latencyMs: 2 });
    const progress: [number, number][] = [];
    const result = await discoverAccountsAndRoles(portal, target, FAKE_ACCESS_TOKEN, { onProgress: (done, total) => progress.push([done, total]) });

    assert.equal(result.accounts.length, 45);
    for (const a of accounts) {
      const found = result.accounts.find((f) => f.accountId === a.accountId);
      assert.deepEqual(found, { accountId: a.accountId, accountName: a.accountName, emailAddress: a.emailAddress, roles: [...a.roles].sort() });
    }
    assert.deepEqual(
      result.accounts.map((a) => a.accountName),
      accounts.map((a) => a.accountName).sort(),
    );
    const rolePages = accounts.reduce((n, a) => n + Math.ceil(a.roles.length / 2), 0);
    assert.equal(portal.calls.listAccounts, Math.ceil(45 / 7));
    assert.equal(portal.calls.listAccountRoles, rolePages);
    assert.equal(result.calls, portal.totalCalls);
    assert.equal(result.retries, 0);
    assert.equal(result.throttled, 0);
    assert.ok(portal.maxResultsAsked.every((m) => m === 100), 'asks for the largest page the API allows');
    assert.deepEqual(progress.at(-1), [45, 45]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0] && progress[i][1] >= progress[i - 1][1]);
  });

  it('never has more requests in flight than the cap, and uses the cap', async () => {
    for (const cap of [1, 2, 4]) {
      const portal = new FakeSsoPortal({ accounts: fakeAccounts(20), latencyMs: 3 });
      await discoverAccountsAndRoles(portal, target, FAKE_ACCESS_TOKEN, { maxInFlight: cap });
      assert.equal(portal.maxInFlight, cap, `cap ${cap}`);
    }
    const portal = new FakeSsoPortal({ accounts: fakeAccounts(30), latencyMs: 2 });
    await discoverAccountsAndRoles(portal, target, FAKE_ACCESS_TOKEN);
    assert.equal(portal.maxInFlight, 4, 'four by default');
  });

  it('completes under a throttle of 50 requests a second, at about the rate the portal accepts', async () => {
    const accounts = fakeAccounts(60);
    const portal = new FakeSsoPortal({ accounts, accountsPageSize: 20, throttle: { requests: 50, windowMs: 1000 }, latencyMs: 2 });
    const result = await discoverAccountsAndRoles(portal, target, FAKE_ACCESS_TOKEN);

    assert.equal(result.accounts.length, 60);
    assert.ok(result.accounts.every((a) => a.roles.join() === 'Admin,ReadOnly' && !a.rolesError));
    const accepted = 3 + 60;
    assert.equal(result.calls, portal.totalCalls);
    assert.equal(result.calls, accepted + result.retries, 'every refused request was retried, and nothing else');
    assert.equal(result.throttled, portal.throttled);
    assert.ok(result.throttled > 0, 'the burst was throttled');
    // Never hammers: after the first refusal, the portal is asked about as often as it accepts.
    const firstThrottle = portal.arrivals[50];
    const later = portal.arrivals.filter((t) => t >= firstThrottle);
    for (const start of later) {
      const inWindow = later.filter((t) => t >= start && t < start + 1000).length;
      assert.ok(inWindow <= 80, `${inWindow} requests in one second after the first throttle`);
    }
    assert.ok(result.throttled <= 60, `${result.throttled} refused requests`);
    // About 2 s for a floor of 1.3 s (the first burst of 50 shuts the sliding window for a second,
    // and full-jitter backoff spreads the retries); a client that collapsed its rate would take 30 s.
    assert.ok(result.elapsedMs < 8000, `took ${result.elapsedMs} ms for a floor of about 1.3 s`);
  });

  it('retries throttling, 5xx and network errors with full-jitter exponential backoff, and counts them', async () => {
    const portal = new FakeSsoPortal({ accounts: fakeAccounts(2) });
    const failures = [
      new SsoApiError('TooManyRequestsException', 'Rate exceeded', 429),
      new SsoApiError('TooManyRequestsException', 'Rate exceeded', 429),
      new SsoApiError('InternalServerException', 'Oops', 500),
      new SsoApiError('NetworkError', 'socket hang up'),
    ];
    const delays: number[] = [];
    let t = 0;
    const result = await discoverAccountsAndRoles(failingFirst(portal, failures), target, FAKE_ACCESS_TOKEN, {
      maxInFlight: 1,
      baseDelayMs: 100,
      maxDelayMs: 500,
      random: () => 0.5,
      now: () => t,
      sleep: (ms) => {
        delays.push(ms);
        t += ms;
        return Promise.resolve();
      },
    });
    assert.equal(result.accounts.length, 2);
    assert.equal(result.retries, 4);
    assert.equal(result.throttled, 2);
    assert.equal(result.calls, portal.totalCalls + 4);
    // ListAccounts failed four times in a row: half of 100, 200, 400, then of the 500 ms ceiling.
    // (The first throttle also turned on the client-side rate: its spacing waits are the other sleeps.)
    const backoffs = delays.filter((d) => [50, 100, 200, 250].includes(d));
    assert.deepEqual(backoffs, [50, 100, 200, 250]);
  });

  it('gives up with Unreachable once a request fails its last attempt', async () => {
    const portal = new FakeSsoPortal({ accounts: fakeAccounts(3), throttle: { requests: 0, windowMs: 1000 } });
    const error = await rejectsCode(discoverAccountsAndRoles(portal, target, FAKE_ACCESS_TOKEN, { maxAttempts: 3, sleep: instantSleep, ssoSession: 'corp' }), 'Unreachable', /ListAccounts/, /"corp"/, /TooManyRequestsException/);
    assert.equal(portal.totalCalls, 3);
    assert.doesNotMatch(error.message, new RegExp(FAKE_ACCESS_TOKEN));
    const budget = new FakeSsoPortal({ accounts: fakeAccounts(3), throttle: { requests: 0, windowMs: 1000 } });
    await rejectsCode(discoverAccountsAndRoles(budget, target, FAKE_ACCESS_TOKEN, { retryBudget: 1, sleep: instantSleep }), 'Unreachable');
    assert.equal(budget.totalCalls, 2);
  });

  it('stops at once when the portal refuses the token: sign in again', async () => {
    const portal = new FakeSsoPortal({ accounts: fakeAccounts(40), accountsPageSize: 10, latencyMs: 5 });
    const revoking: SsoPortalApi = {
      ...failingFirst(portal, []),
      listAccountRoles: (t, r) => {
        if (portal.calls.listAccountRoles === 6) portal.revokeToken();
        return portal.listAccountRoles(t, r);
      },
    };
    const started = Date.now();
    const error = await rejectsCode(discoverAccountsAndRoles(revoking, target, FAKE_ACCESS_TOKEN, { ssoSession: 'corp' }), 'SsoSignInRequired', /Sign In/, /"corp"/);
    assert.ok(Date.now() - started < 1000);
    assert.doesNotMatch(error.message, new RegExp(FAKE_ACCESS_TOKEN));
    const callsThen = portal.totalCalls;
    await wait(50);
    assert.equal(portal.totalCalls, callsThen, 'no request after the refusal');
    assert.ok(portal.calls.listAccountRoles < 15);
    assert.equal(portal.inFlight, 0, 'requests in flight were aborted');
  });

  it('cancels promptly: nothing more is sent and the run ends as Superseded', async () => {
    const portal = new FakeSsoPortal({ accounts: fakeAccounts(50), latencyMs: 20 });
    const controller = new AbortController();
    const run = discoverAccountsAndRoles(portal, target, FAKE_ACCESS_TOKEN, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 8) controller.abort();
      },
    });
    const started = Date.now();
    await rejectsCode(run, 'Superseded', /cancelled/);
    assert.ok(Date.now() - started < 2000);
    const callsThen = portal.totalCalls;
    await wait(60);
    assert.equal(portal.totalCalls, callsThen);
    assert.ok(portal.calls.listAccountRoles < 20, `${portal.calls.listAccountRoles} role calls`);

    const already = new AbortController();
    already.abort();
    const idle = new FakeSsoPortal({ accounts: fakeAccounts(2) });
    await rejectsCode(discoverAccountsAndRoles(idle, { ...target, signal: already.signal }, FAKE_ACCESS_TOKEN), 'Superseded');
    assert.equal(idle.totalCalls, 0);
  });

  it('keeps an account whose roles are refused, with no roles and a note', async () => {
    const accounts = fakeAccounts(5);
    const portal = new FakeSsoPortal({ accounts, rolesFailures: { [accounts[2].accountId]: new SsoApiError('AccessDeniedException', 'No.', 403) } });
    const result = await discoverAccountsAndRoles(portal, target, FAKE_ACCESS_TOKEN);
    assert.equal(result.accounts.length, 5);
    const denied = result.accounts.find((a) => a.accountId === accounts[2].accountId);
    assert.deepEqual(denied?.roles, []);
    assert.match(denied?.rolesError ?? '', /AccessDeniedException/);
    assert.ok(result.accounts.filter((a) => a !== denied).every((a) => a.roles.length === 2 && a.rolesError === undefined));
    assert.equal(result.retries, 0, 'a refusal is not retried');
  });

  it('fails as AccessDenied when the accounts themselves are refused', async () => {
    const portal = new FakeSsoPortal({ accounts: fakeAccounts(2) });
    await rejectsCode(discoverAccountsAndRoles(failingFirst(portal, [new SsoApiError('AccessDeniedException', 'No.', 403)]), target, FAKE_ACCESS_TOKEN), 'AccessDenied');
  });
});

describe('Identity Center discovery: the adaptive rate', () => {
  it('is unlimited until throttled, then drops to 70 % of what was sent in the last second, once per overload, and climbs back on success', async () => {
    let t = 0;
    const slept: number[] = [];
    const limiter = new AdaptiveRateLimiter(
      () => t,
      (ms) => {
        slept.push(ms);
        t += ms;
        return Promise.resolve();
      },
    );
    const signal = new AbortController().signal;
    const tickets: number[] = [];
    for (let i = 0; i < 20; i++) {
      t += 50; // 20 requests a second
      tickets.push(await limiter.acquire(signal));
    }
    assert.equal(limiter.currentRate, undefined);
    assert.deepEqual(slept, []);
    limiter.onThrottle(tickets[19]);
    assert.ok(Math.abs((limiter.currentRate ?? 0) - 14) < 0.01, String(limiter.currentRate));
    limiter.onThrottle(tickets[18]); // sent before the decrease: the same overload
    assert.ok(Math.abs((limiter.currentRate ?? 0) - 14) < 0.01);
    const before = t;
    const next = await limiter.acquire(signal);
    await limiter.acquire(signal);
    assert.ok(t - before >= 2 * (1000 / 14) - 1e-6, 'spaced by 1/rate');
    limiter.onThrottle(next); // within a second of the decrease
    assert.ok(Math.abs((limiter.currentRate ?? 0) - 14) < 0.01);
    limiter.onSuccess();
    const raised = limiter.currentRate ?? 0;
    assert.ok(Math.abs(raised - (14 + 2 / 14)) < 0.01, String(raised));
    t += 1000;
    limiter.onThrottle(await limiter.acquire(signal));
    assert.ok(Math.abs((limiter.currentRate ?? 0) - 0.7) < 0.01, 'one request in the last second: 70 % of it, above the floor');
    for (let i = 0; i < 3; i++) {
      t += 1000;
      limiter.onThrottle(await limiter.acquire(signal));
    }
    assert.equal(limiter.currentRate, 0.5, 'never below half a request a second');
  });
});
