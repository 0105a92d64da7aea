/**
 * The IAM Identity Center core end to end against the strict stand-in
 * (test/support/loopbackIdentityCenter.ts): the real SDK clients (createSsoApi) pointed at it
 * through the sso-session's endpoint overrides, a browser that follows the stand-in's redirect to
 * the extension's loopback callback, the token file on disk, and role credentials the test STS
 * accepts. One clock (a FakeClock) drives the extension, the stand-in and the STS.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { registrationKey, signInWithAuthorizationCode, signInWithDeviceCode, type DeviceCodeDeps, type SignInDeps } from '../../../../src/core/credentials/sso/signIn';
import { SsoApiError, type SsoApis } from '../../../../src/core/credentials/sso/ssoApi';
import { createSsoApi } from '../../../../src/core/credentials/sso/ssoClients';
import { ssoSessionFromConfig, type SsoSession } from '../../../../src/core/credentials/sso/ssoConfig';
import { SsoSignInError, SsoSignInRequired } from '../../../../src/core/credentials/sso/ssoErrors';
import { formatSsoTimestamp, readToken, tokenFilePath } from '../../../../src/core/credentials/sso/tokenCache';
import { SsoTokenService, type TokenProblem } from '../../../../src/core/credentials/sso/tokenService';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../../support/awsFiles';
import { FakeClock } from '../../../support/fakeClock';
import { ACCOUNT_ACCESS_SCOPE, fingerprint, LoopbackIdentityCenter, type LoopbackIdentityCenterOptions } from '../../../support/loopbackIdentityCenter';
import { LoopbackSts } from '../../../support/loopbackSts';
import { httpGet, MemoryRegistrations, SignInBrowser } from '../../../support/ssoSignIn';

const START_URL = 'https://d-9067000000.awsapps.com/start';
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const ROLE = 'Admin';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The stand-in's defaults: 8-hour access tokens, 90-day registrations. */
const TOKEN_LIFETIME_MS = 8 * HOUR;
/** The keys and their order in the file `aws sso login` writes. */
const CLI_TOKEN_KEYS = ['startUrl', 'region', 'accessToken', 'expiresAt', 'clientId', 'clientSecret', 'registrationExpiresAt', 'refreshToken'];
const CLI_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Whether anything accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('core: IAM Identity Center against the strict stand-in (real SDK clients)', function () {
  this.timeout(20_000);
  let dir: string;
  let cacheDir: string;
  let clock: FakeClock;
  let sts: LoopbackSts;
  let center: LoopbackIdentityCenter;
  let apis: SsoApis;
  let session: SsoSession;
  let registrations: MemoryRegistrations;
  let browser: SignInBrowser;
  /** Every error message and reported problem these tests produce; scanned for secrets after each test. */
  let messages: string[];
  let problems: TokenProblem[];

  async function startStandIn(options: Partial<LoopbackIdentityCenterOptions> = {}): Promise<void> {
    await center?.stop();
    center = new LoopbackIdentityCenter({
      sts,
      now: () => clock.now(),
      startUrls: [START_URL],
      accounts: [{ accountId: ACCOUNT, accountName: 'dev', emailAddress: 'aws-dev@example.com', roles: [ROLE] }],
      ...options,
    });
    const { oidcUrl, portalUrl } = await center.start();
    // The sso-session as the extension reads it: the config file, the endpoint overrides from the environment.
    const set = await profileSetFrom(dir, `
      [sso-session corp]
      sso_start_url = ${START_URL}
      sso_region = ${REGION}
    `);
    session = ssoSessionFromConfig(set, 'corp', { AWS_ENDPOINT_URL_SSO_OIDC: oidcUrl, AWS_ENDPOINT_URL_SSO: portalUrl });
    assert.deepEqual(session.endpoints, { oidc: oidcUrl, portal: portalUrl });
  }

  const signInDeps = (extra: Partial<SignInDeps> = {}): SignInDeps => ({
    oidc: apis.oidc,
    registrations,
    clock,
    cacheDir,
    openUrl: browser.openUrl,
    probeStartUrl: async () => assert.fail('an AWS-owned start URL is not probed'),
    ...extra,
  });
  const tokenService = () => new SsoTokenService({ apis: async () => apis, clock, cacheDir, report: (p) => (problems.push(p), messages.push(p.message)) });
  /** Rejects as `check` says; the error's message and stack join the secret scan. */
  async function fails<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T, check: (e: T) => void = () => undefined): Promise<T> {
    let caught: unknown;
    await assert.rejects(promise, (e: unknown) => ((caught = e), true));
    if (caught instanceof Error) {
      messages.push(caught.message, caught.stack ?? '');
      assertNoSecretIn([caught.message, caught.stack ?? '']);
    }
    assert.ok(caught instanceof type, `expected a ${type.name}, got ${String(caught)}`);
    check(caught);
    return caught;
  }
  /** No access token, refresh token, client secret, code or role credential the stand-ins issued appears in `texts`. */
  function assertNoSecretIn(texts: readonly string[]): void {
    const secrets = [...center.allSecrets(), ...sts.allSecrets()];
    for (const text of texts) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret issued by the stand-in appears in an error message or report: ${text.split(secret).join('***')}`);
    }
  }
  const file = () => tokenFilePath(session, cacheDir);
  const fileText = () => fs.readFile(file(), 'utf8');
  const fileExists = () => fs.access(file()).then(() => true, () => false);
  const calls = (operation: string) => center.requests.filter((r) => r.operation === operation);

  beforeEach(async () => {
    dir = await makeTempDir('sso-stand-in-');
    cacheDir = path.join(dir, 'sso', 'cache');
    clock = new FakeClock();
    sts = new LoopbackSts({ users: [], roles: [], now: () => clock.now() });
    await sts.start();
    await startStandIn();
    apis = createSsoApi({ requestTimeoutMs: 5000, maxAttempts: 3 });
    registrations = new MemoryRegistrations();
    browser = new SignInBrowser();
    messages = [];
    problems = [];
  });
  afterEach(async () => {
    try {
      // Reports, and secrets issued after an error was caught (the scan in fails() saw only those before).
      assertNoSecretIn(messages);
    } finally {
      await center.stop();
      await sts.stop();
      await removeTempDir(dir);
    }
  });

  describe('authorization code with PKCE', () => {
    it('signs in through the browser and writes the CLI\'s token file (mode 600) with a token the stand-in accepts', async () => {
      const token = await signInWithAuthorizationCode(session, signInDeps());

      // The authorize URL is built on the endpoint override, not on a hard-coded host.
      assert.equal(browser.opened.length, 1);
      assert.ok(browser.opened[0].startsWith(`${center.oidcUrl}/authorize?`), 'the authorize URL is on the stand-in');
      assert.deepEqual(center.requests.map((r) => [r.operation, r.status]), [['RegisterClient', 200], ['Authorize', 302], ['CreateToken', 200]]);
      assert.equal(browser.callbackPages[0].status, 200);
      assert.equal(await accepts(portOf(browser.authorizePages[0].location!)), false, 'the callback listener is closed once it has the code');

      const [client] = center.clients();
      assert.deepEqual([client.grantTypes, client.redirectUris, client.issuerUrl, client.scopes], [['authorization_code', 'refresh_token'], ['http://127.0.0.1/oauth/callback'], START_URL, [ACCOUNT_ACCESS_SCOPE]]);
      const exchange = calls('CreateToken')[0].params;
      assert.equal(exchange.grantType, 'authorization_code');
      assert.equal(exchange.redirectUri, new URL(browser.opened[0]).searchParams.get('redirect_uri'), 'CreateToken names the redirect URI with its port');

      assert.equal((await fs.stat(file())).mode & 0o777, 0o600);
      const text = await fileText();
      const written = JSON.parse(text) as Record<string, string>;
      assert.deepEqual(Object.keys(written), CLI_TOKEN_KEYS);
      // json.dumps' separators, as botocore writes the file.
      assert.equal(text, `{${Object.entries(written).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`);
      assert.match(written.expiresAt, CLI_TIMESTAMP);
      assert.match(written.registrationExpiresAt, CLI_TIMESTAMP);
      assert.deepEqual(
        [written.startUrl, written.region, written.clientId, written.expiresAt, written.registrationExpiresAt],
        [START_URL, REGION, client.clientId, formatSsoTimestamp(clock.now() + TOKEN_LIFETIME_MS), formatSsoTimestamp(client.expiresAt)],
      );
      assert.equal(written.accessToken, token.accessToken);
      assert.equal(center.isAccessTokenValid(written.accessToken), true);
      assert.equal(center.refreshTokenState(written.refreshToken), 'active');
      assert.ok(center.allSecrets().includes(written.clientSecret), 'the client secret is the registration\'s');
      assert.equal(exchange.clientSecret, fingerprint(written.clientSecret));
    });

    it('sends the browser to the authorizationEndpoint RegisterClient names, with several registration scopes', async () => {
      await startStandIn({ advertiseEndpoints: true });
      session = { ...session, scopes: [ACCOUNT_ACCESS_SCOPE, 'codewhisperer:completions'] };
      await signInWithAuthorizationCode(session, signInDeps());
      const authorize = new URL(browser.opened[0]);
      assert.equal(`${authorize.origin}${authorize.pathname}`, `${center.oidcUrl}/authorize`);
      assert.equal(authorize.searchParams.get('scopes'), `${ACCOUNT_ACCESS_SCOPE} codewhisperer:completions`);
      assert.deepEqual(center.clients()[0].scopes, [ACCOUNT_ACCESS_SCOPE, 'codewhisperer:completions']);
      assert.equal(center.isAccessTokenValid((await readToken(file()))!.accessToken), true);
    });

    it('a browser that never comes back: the sign-in times out and the listener is closed', async () => {
      browser.follow = false;
      const signingIn = signInWithAuthorizationCode(session, signInDeps({ timeoutMs: 2 * MINUTE }));
      const callback = await browser.redirected.promise;
      clock.advance(2 * MINUTE);
      await fails(signingIn, SsoSignInError, (e) => assert.equal(e.failure, 'timeout'));
      assert.equal(await accepts(portOf(callback.toString())), false);
      assert.deepEqual(calls('CreateToken'), []);
    });

    it('reuses the registration on the next sign-in, and replaces one within 15 minutes of expiry', async () => {
      const first = await signInWithAuthorizationCode(session, signInDeps());
      clock.advance(HOUR);
      const second = await signInWithAuthorizationCode(session, signInDeps());
      assert.equal(calls('RegisterClient').length, 1, 'the second sign-in reused the registration');
      assert.equal(calls('CreateToken').filter((r) => r.status === 200).length, 2);
      assert.notEqual(second.accessToken, first.accessToken);
      assert.equal(second.clientId, first.clientId);

      const [old] = center.clients();
      clock.advance(old.expiresAt - clock.now() - 14 * MINUTE);
      assert.ok(old.expiresAt > clock.now(), 'the stand-in would still accept the old registration');
      const third = await signInWithAuthorizationCode(session, signInDeps());
      assert.equal(calls('RegisterClient').length, 2, 'a registration with under 15 minutes left is replaced');
      const renewed = center.clients().find((c) => c.clientId !== old.clientId)!;
      assert.equal(third.clientId, renewed.clientId);
      assert.deepEqual([...registrations.entries.values()].map((r) => r.clientId), [renewed.clientId]);
      const written = JSON.parse(await fileText()) as Record<string, string>;
      assert.deepEqual([written.clientId, written.registrationExpiresAt], [renewed.clientId, formatSsoTimestamp(renewed.expiresAt)]);
    });

    it('a stored registration the service no longer knows fails this sign-in (InvalidClientException) and is not used again', async () => {
      await signInWithAuthorizationCode(session, signInDeps());
      const key = registrationKey(session, 'authorizationCode');
      // The service forgot the client (an instance replaced under the same start URL): /authorize still redirects here, the exchange is refused.
      registrations.entries.set(key, { ...registrations.entries.get(key)!, clientSecret: 'a-secret-the-service-never-issued' });
      await fails(signInWithAuthorizationCode(session, signInDeps()), SsoSignInError, (e) => {
        assert.equal(e.failure, 'failed');
        assert.equal(e.oauthError, 'InvalidClientException');
      });
      center.reset();
      await signInWithAuthorizationCode(session, signInDeps());
      assert.deepEqual(center.requests.map((r) => [r.operation, r.status]), [['RegisterClient', 200], ['Authorize', 302], ['CreateToken', 200]], 'the next sign-in registers again');
    });

    it('a refusal in the browser (access_denied) is the typed denied error; no token is exchanged or written', async () => {
      center.denyNextAuthorization();
      await fails(signInWithAuthorizationCode(session, signInDeps()), SsoSignInError, (e) => {
        assert.equal(e.failure, 'denied');
        assert.equal(e.oauthError, 'access_denied');
      });
      assert.equal(new URL(browser.authorizePages[0].location!).searchParams.get('error'), 'access_denied');
      assert.equal(browser.callbackPages[0].status, 200, 'the browser is told the sign-in did not complete');
      assert.deepEqual(calls('CreateToken'), []);
      assert.equal(await fileExists(), false);
      assert.equal(await accepts(portOf(browser.authorizePages[0].location!)), false);
    });

    it('a callback with another state or on another path does not end the wait; the real one then completes', async () => {
      browser.strays = [
        (cb) => {
          const forged = new URL(cb);
          forged.searchParams.set('state', 'not-the-state');
          return forged.toString();
        },
        (cb) => `${cb.origin}/other?${cb.searchParams.toString()}`,
        (cb) => `${cb.origin}${cb.pathname}?state=${cb.searchParams.get('state')!.slice(1)}&error=access_denied`,
      ];
      await signInWithAuthorizationCode(session, signInDeps());
      assert.deepEqual(browser.strayPages.map((p) => p.status), [400, 404, 400]);
      assert.equal(browser.callbackPages[0].status, 200);
      assert.deepEqual(calls('CreateToken').map((r) => r.status), [200], 'one exchange, by the real callback');
      assert.equal(center.isAccessTokenValid((await readToken(file()))!.accessToken), true);
    });

    it('cancelling through the AbortSignal closes the listener: its port accepts no connection, the code is never exchanged', async () => {
      const controller = new AbortController();
      browser.follow = false;
      const signingIn = signInWithAuthorizationCode(session, signInDeps({ signal: controller.signal }));
      const callback = await browser.redirected.promise;
      assert.equal(await accepts(portOf(callback.toString())), true, 'the listener waits for the browser');
      controller.abort();
      await fails(signingIn, SsoSignInError, (e) => assert.equal(e.failure, 'cancelled'));
      assert.equal(await accepts(portOf(callback.toString())), false, 'the port no longer accepts connections');
      await assert.rejects(httpGet(callback.toString()), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
      assert.deepEqual(calls('CreateToken'), []);
      assert.equal(await fileExists(), false);
    });
  });

  describe('device code', () => {
    /** Polls wait on the fake clock; `onSleep` may approve, or move the clock differently (a timer firing early, a laptop asleep). */
    const deviceDeps = (onSleep: (n: number, ms: number) => number | void, extra: Partial<DeviceCodeDeps> = {}) => {
      const shown: { userCode: string; verificationUri: string }[] = [];
      const sleeps: number[] = [];
      const deps: DeviceCodeDeps = {
        ...signInDeps(),
        openUrl: async () => true,
        showUserCode: (userCode, verificationUri) => void shown.push({ userCode, verificationUri }),
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.advance(onSleep(sleeps.length, ms) ?? ms);
        },
        ...extra,
      };
      return { deps, shown, sleeps };
    };
    const polls = () => calls('CreateToken');

    it('shows the user code, polls while it is pending, and writes the token once the user approves', async () => {
      const run = deviceDeps((n) => void (n === 2 && center.approveDevice(run.shown[0].userCode)));
      const token = await signInWithDeviceCode(session, run.deps);

      assert.equal(run.shown.length, 1);
      assert.match(run.shown[0].userCode, /^[A-Z]{4}-[A-Z]{4}$/);
      assert.equal(run.shown[0].verificationUri, `${center.oidcUrl}/device`);
      assert.deepEqual(polls().map((r) => [r.status, r.errorCode]), [[400, 'AuthorizationPendingException'], [400, 'AuthorizationPendingException'], [200, undefined]]);
      const times = polls().map((r) => r.time);
      assert.deepEqual(times.slice(1).map((t, i) => t - times[i]), [1000, 1000], 'polls at the interval the service named');
      const [client] = center.clients();
      assert.deepEqual([client.grantTypes, client.scopes], [['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], [ACCOUNT_ACCESS_SCOPE]], 'registered as the CLI\'s device flow: no grant types sent');
      const written = (await readToken(file()))!;
      assert.equal(written.accessToken, token.accessToken);
      assert.equal(center.isAccessTokenValid(written.accessToken), true);
      assert.equal(center.refreshTokenState(written.refreshToken!), 'active');
      assert.equal((await fs.stat(file())).mode & 0o777, 0o600);
    });

    it('a stored registration the service no longer knows is replaced before the user is shown a code', async () => {
      const first = deviceDeps(() => undefined, { showUserCode: (code) => center.approveDevice(code) });
      await signInWithDeviceCode(session, first.deps);
      const key = registrationKey(session, 'deviceCode');
      registrations.entries.set(key, { ...registrations.entries.get(key)!, clientId: 'a-client-the-service-never-issued' });
      center.reset();
      const run = deviceDeps(() => undefined, { showUserCode: (code) => center.approveDevice(code) });
      const token = await signInWithDeviceCode(session, run.deps);
      assert.deepEqual(center.requests.map((r) => [r.operation, r.errorCode ?? r.status]), [['StartDeviceAuthorization', 'InvalidClientException'], ['RegisterClient', 200], ['StartDeviceAuthorization', 200], ['CreateToken', 200]]);
      assert.equal(center.isAccessTokenValid(token.accessToken), true);
      assert.equal(registrations.entries.get(key)?.clientId, token.clientId);
    });

    it('cancelling while polling (the default wait on the clock) stops the polls', async () => {
      const controller = new AbortController();
      const run = deviceDeps(() => undefined, { signal: controller.signal, sleep: undefined });
      const signingIn = signInWithDeviceCode(session, run.deps);
      while (polls().length < 1) await new Promise((r) => setTimeout(r, 5));
      controller.abort();
      await fails(signingIn, SsoSignInError, (e) => assert.equal(e.failure, 'cancelled'));
      clock.advance(MINUTE);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(polls().length, 1);
      assert.equal(await fileExists(), false);
    });

    it('honours slow_down: after it, polls are at least 5 seconds further apart and the service never asks again', async () => {
      // The first wait ends early (a timer that fired too soon): the stand-in answers slow_down.
      const run = deviceDeps((n, ms) => {
        if (n === 3) center.approveDevice(run.shown[0].userCode);
        return n === 1 ? ms / 2 : ms;
      });
      await signInWithDeviceCode(session, run.deps);
      assert.deepEqual(polls().map((r) => r.errorCode ?? r.status), ['AuthorizationPendingException', 'SlowDownException', 'AuthorizationPendingException', 200]);
      const times = polls().map((r) => r.time);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      assert.equal(gaps[0], 500);
      assert.ok(gaps[1] >= 6000 && gaps[2] >= 6000, `polls after slow_down are 1 s + 5 s apart or more (gaps: ${gaps.join(', ')} ms)`);
      assert.deepEqual(run.sleeps, [1000, 6000, 6000]);
    });

    it('a device code that expired at the service (ExpiredTokenException) is the typed expired error', async () => {
      // The machine sleeps through the code's 10 minutes between two polls.
      const run = deviceDeps((n, ms) => (n === 1 ? ms + 11 * MINUTE : ms));
      await fails(signInWithDeviceCode(session, run.deps), SsoSignInError, (e) => {
        assert.equal(e.failure, 'expired');
        assert.equal(e.oauthError, 'ExpiredTokenException');
        assert.match(e.message, new RegExp(run.shown[0].userCode));
      });
      assert.deepEqual(polls().map((r) => r.errorCode), ['AuthorizationPendingException', 'ExpiredTokenException']);
      assert.equal(await fileExists(), false);
    });

    it('a device code never confirmed ends at its own expiry as the typed expired error, without polling past it', async () => {
      await startStandIn({ deviceCodeSeconds: 5 });
      const run = deviceDeps(() => undefined);
      await fails(signInWithDeviceCode(session, run.deps), SsoSignInError, (e) => assert.equal(e.failure, 'expired'));
      assert.ok(polls().length >= 4, `polled while the code was valid (${polls().length} polls)`);
      assert.ok(polls().every((r) => r.time <= polls()[0].time + 5000), 'no poll after the code expired');
      assert.equal(await fileExists(), false);
    });
  });

  describe('the token service', () => {
    it('refreshes a token with under 15 minutes left through the stand-in, stores the rotated refresh token, and the new token works', async () => {
      const signedIn = await signInWithAuthorizationCode(session, signInDeps());
      const before = (await readToken(file()))!;
      clock.advance(TOKEN_LIFETIME_MS - 10 * MINUTE);
      center.reset();

      const token = await tokenService().getToken(session);
      assert.deepEqual(center.requests.map((r) => [r.operation, r.status]), [['CreateToken', 200]]);
      assert.deepEqual(center.requests[0].params, { grantType: 'refresh_token', clientId: before.clientId, clientSecret: fingerprint(before.clientSecret!), refreshToken: fingerprint(before.refreshToken!) });
      assert.notEqual(token.accessToken, signedIn.accessToken);
      assert.equal(token.refreshable, true);

      const after = (await readToken(file()))!;
      assert.equal(after.accessToken, token.accessToken);
      assert.equal(after.expiresAt, clock.now() + TOKEN_LIFETIME_MS);
      assert.notEqual(after.refreshToken, before.refreshToken, 'the rotated refresh token is stored');
      assert.equal(center.refreshTokenState(before.refreshToken!), 'used');
      assert.equal(center.refreshTokenState(after.refreshToken!), 'active');
      assert.deepEqual([after.clientId, after.clientSecret, after.registrationExpiresAt], [before.clientId, before.clientSecret, before.registrationExpiresAt]);
      assert.equal((await fs.stat(file())).mode & 0o777, 0o600);
      assert.deepEqual(Object.keys(JSON.parse(await fileText()) as object), CLI_TOKEN_KEYS);
      assert.equal(center.isAccessTokenValid(token.accessToken), true);
    });

    it('renews a token from the device code flow too (its registration allows the refresh_token grant)', async () => {
      const signedIn = await signInWithDeviceCode(session, { ...signInDeps(), openUrl: async () => true, showUserCode: (code) => center.approveDevice(code), sleep: async () => assert.fail('approved before the first poll') });
      clock.advance(TOKEN_LIFETIME_MS - 14 * MINUTE);
      center.reset();
      const token = await tokenService().getToken(session);
      assert.deepEqual(center.requests.map((r) => [r.operation, r.status]), [['CreateToken', 200]]);
      assert.notEqual(token.accessToken, signedIn.accessToken);
      assert.equal(center.isAccessTokenValid(token.accessToken), true);
      assert.equal(center.refreshTokenState(signedIn.refreshToken!), 'used');
    });

    it('two concurrent getToken calls share one refresh (one CreateToken at the stand-in)', async () => {
      await signInWithAuthorizationCode(session, signInDeps());
      clock.advance(TOKEN_LIFETIME_MS - 5 * MINUTE);
      center.reset();
      const service = tokenService();
      const [a, b] = await Promise.all([service.getToken(session), service.getToken(session)]);
      assert.equal(center.stats().calls.CreateToken, 1);
      assert.equal(a.accessToken, b.accessToken);
      assert.equal(center.isAccessTokenValid(a.accessToken), true);
      // The next call reads the renewed file and needs no refresh.
      assert.equal((await service.getToken(session)).accessToken, a.accessToken);
      assert.equal(center.stats().calls.CreateToken, 1);
    });

    it('revoked refresh tokens: the current token stays in use until it expires, then SsoSignInRequired', async () => {
      const signedIn = await signInWithAuthorizationCode(session, signInDeps());
      center.revokeRefreshTokens();
      clock.advance(TOKEN_LIFETIME_MS - 10 * MINUTE);
      center.reset();
      const service = tokenService();

      const stillValid = await service.getToken(session);
      assert.equal(stillValid.accessToken, signedIn.accessToken);
      assert.deepEqual(center.requests.map((r) => [r.operation, r.errorCode]), [['CreateToken', 'InvalidGrantException']]);
      assert.deepEqual(problems.map((p) => p.kind), ['refreshRefused']);

      clock.advance(11 * MINUTE);
      await fails(service.getToken(session), SsoSignInRequired, (e) => {
        assert.equal(e.reason, 'refused');
        assert.equal(e.ssoSession, 'corp');
      });
      assert.equal(center.stats().calls.CreateToken, 1, 'a refused refresh token is not sent again');

      // A new window (nothing remembered) asks the service once more, and gets the same answer.
      await fails(tokenService().getToken(session), SsoSignInRequired, (e) => assert.equal(e.reason, 'refused'));
      assert.equal(center.stats().calls.CreateToken, 2);
      assert.equal((await readToken(file()))!.accessToken, signedIn.accessToken, 'the file is left for the user to sign in again');
    });

    it('signs out: Logout at the portal (the token is then refused there) and the file is deleted', async () => {
      const signedIn = await signInWithAuthorizationCode(session, signInDeps());
      const { refreshToken } = (await readToken(file()))!;
      center.reset();
      await tokenService().signOut(session);

      assert.deepEqual(center.requests.map((r) => [r.service, r.operation, r.status]), [['portal', 'Logout', 200]]);
      assert.equal(center.requests[0].bearer, fingerprint(signedIn.accessToken));
      assert.equal(await fileExists(), false);
      assert.equal(center.isAccessTokenValid(signedIn.accessToken), false);
      assert.equal(center.refreshTokenState(refreshToken!), 'revoked');
      await fails(apis.portal.getRoleCredentials({ region: REGION, endpoint: session.endpoints?.portal }, { accessToken: signedIn.accessToken, accountId: ACCOUNT, roleName: ROLE }), SsoApiError, (e) => {
        assert.equal(e.errorName, 'UnauthorizedException');
        assert.equal(e.httpStatus, 401);
      });
      await fails(tokenService().getToken(session), SsoSignInRequired, (e) => assert.equal(e.reason, 'missing'));
      assert.deepEqual(problems, []);
    });
  });

  describe('the portal', () => {
    it('GetRoleCredentials through the SDK returns credentials the test STS accepts as the role', async () => {
      await signInWithAuthorizationCode(session, signInDeps());
      const { accessToken } = await tokenService().getToken(session);
      const credentials = await apis.portal.getRoleCredentials({ region: REGION, endpoint: session.endpoints?.portal }, { accessToken, accountId: ACCOUNT, roleName: ROLE });
      const verified = sts.verifyCredentials(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken ?? assert.fail("role credentials come with a session token"));
      assert.equal(verified?.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/alice@example.com`);
      assert.equal(credentials.expiration.getTime(), verified!.expiresAt);
      assert.equal(credentials.expiration.getTime(), clock.now() + HOUR);

      // A role the user is not assigned: the portal's ForbiddenException, by name.
      await fails(apis.portal.getRoleCredentials({ region: REGION, endpoint: session.endpoints?.portal }, { accessToken, accountId: ACCOUNT, roleName: 'NotAssigned' }), SsoApiError, (e) => assert.equal(e.errorName, 'ForbiddenException'));
    });
  });
});
