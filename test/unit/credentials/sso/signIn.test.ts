import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import { codeChallenge } from '../../../../src/core/credentials/sso/pkce';
import { CLIENT_NAME, registrationKey, signInWithAuthorizationCode, signInWithDeviceCode, type SignInDeps } from '../../../../src/core/credentials/sso/signIn';
import type { CreateTokenRequest, RegisterClientRequest } from '../../../../src/core/credentials/sso/ssoApi';
import type { SsoSession } from '../../../../src/core/credentials/sso/ssoConfig';
import { SsoSignInError } from '../../../../src/core/credentials/sso/ssoErrors';
import { readToken, tokenFilePath } from '../../../../src/core/credentials/sso/tokenCache';
import { RoleSwitchError } from '../../../../src/core/errors';
import { makeTempDir, removeTempDir } from '../../../support/awsFiles';
import { FakeClock } from '../../../support/fakeClock';
import { RecordingSsoApi, ssoError } from '../../../support/recordingSsoApi';
import { MemoryRegistrations } from '../../../support/ssoSignIn';

const START_URL = 'https://d-1234567890.awsapps.com/start';
const CORP: SsoSession = { name: 'corp', startUrl: START_URL, region: 'eu-west-1' };

/** The browser: follows the authorize URL to the redirect URI with a code and the state it was given (or what `answer` says). */
function browser(answer: (authorize: URL) => string = (u) => `code=auth-code-1&state=${u.searchParams.get('state')}`) {
  const opened: string[] = [];
  const openUrl = async (url: string) => {
    opened.push(url);
    const authorize = new URL(url);
    const redirect = authorize.searchParams.get('redirect_uri')!;
    // After openUrl has returned, as a real browser would.
    setImmediate(() => http.get(`${redirect}?${answer(authorize)}`, (res) => res.resume()).on('error', () => undefined));
    return true;
  };
  return { opened, openUrl };
}

describe('core: signing in to IAM Identity Center', () => {
  let dir: string;
  let clock: FakeClock;
  let api: RecordingSsoApi;
  let registrations: MemoryRegistrations;
  let secrets: string[];
  const deps = (extra: Partial<SignInDeps> = {}): SignInDeps => ({
    oidc: api,
    registrations,
    clock,
    cacheDir: dir,
    openUrl: browser().openUrl,
    onSecret: (...values) => secrets.push(...values.filter((v): v is string => !!v)),
    probeStartUrl: async () => assert.fail('an AWS-owned start URL is not probed'),
    ...extra,
  });
  beforeEach(async () => {
    dir = await makeTempDir('sso-signin-');
    clock = new FakeClock();
    api = new RecordingSsoApi(clock);
    registrations = new MemoryRegistrations();
    secrets = [];
  });
  afterEach(() => removeTempDir(dir));

  describe('authorization code with PKCE', () => {
    it('registers as the CLI does, opens the authorize URL at once, exchanges the code with the verifier and writes the CLI\'s token file', async () => {
      const b = browser();
      const token = await signInWithAuthorizationCode(CORP, deps({ openUrl: b.openUrl }));

      const register = api.of('RegisterClient')[0].request as RegisterClientRequest;
      assert.deepEqual(register, { clientName: CLIENT_NAME, clientType: 'public', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: START_URL, scopes: ['sso:account:access'] });
      assert.deepEqual(api.of('RegisterClient')[0].target, { region: 'eu-west-1', endpoint: undefined, signal: undefined });

      assert.equal(b.opened.length, 1);
      const authorize = new URL(b.opened[0]);
      assert.equal(`${authorize.origin}${authorize.pathname}`, 'https://oidc.eu-west-1.amazonaws.com/authorize');
      assert.deepEqual([...authorize.searchParams.keys()], ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge_method', 'scopes', 'code_challenge']);
      assert.equal(authorize.searchParams.get('client_id'), 'client-0001');
      assert.match(authorize.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);

      const create = api.of('CreateToken')[0].request as Extract<CreateTokenRequest, { grantType: 'authorization_code' }>;
      assert.equal(create.grantType, 'authorization_code');
      assert.equal(create.code, 'auth-code-1');
      assert.equal(create.clientId, 'client-0001');
      assert.equal(create.redirectUri, authorize.searchParams.get('redirect_uri'), 'the same redirect URI, with the port');
      assert.equal(codeChallenge(create.codeVerifier), authorize.searchParams.get('code_challenge'), 'the verifier matches the challenge');

      const file = tokenFilePath(CORP, dir);
      assert.equal(path.basename(file), 'ee0bfd2552fbd840c02cc48b6e823320543c450f.json');
      const written = await readToken(file);
      assert.deepEqual(written, token);
      assert.deepEqual(written, {
        startUrl: START_URL,
        region: 'eu-west-1',
        accessToken: 'access-0002-Rt7wPq',
        expiresAt: clock.now() + 8 * 3600_000,
        clientId: 'client-0001',
        clientSecret: 'client-secret-0001-Zq8xY2',
        registrationExpiresAt: clock.now() + 90 * 24 * 3600_000,
        refreshToken: 'refresh-0002-Lm4vBn',
      });
      assert.deepEqual(new Set(secrets), api.secrets, 'every secret obtained went to the redactor');
      assert.equal(registrations.entries.get(registrationKey(CORP, 'authorizationCode'))?.clientId, 'client-0001');
    });

    it('sends the configured scopes, and resolves the authorize URL\'s base through the endpoint override', async () => {
      const b = browser();
      const session: SsoSession = { ...CORP, scopes: ['sso:account:access', 'codewhisperer:completions'], endpoints: { oidc: 'http://127.0.0.2:4510' } };
      await signInWithAuthorizationCode(session, deps({ openUrl: b.openUrl }));
      assert.deepEqual((api.of('RegisterClient')[0].request as RegisterClientRequest).scopes, ['sso:account:access', 'codewhisperer:completions']);
      assert.ok(b.opened[0].startsWith('http://127.0.0.2:4510/authorize?'));
      assert.match(b.opened[0], /&scopes=sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions&/);
      assert.ok(api.calls.every((c) => c.target.endpoint === 'http://127.0.0.2:4510'));
    });

    it('prefers the authorization endpoint the registration names', async () => {
      api.authorizationEndpoint = 'https://d-1234567890.awsapps.com/start/authorize';
      const b = browser();
      await signInWithAuthorizationCode(CORP, deps({ openUrl: b.openUrl }));
      assert.ok(b.opened[0].startsWith('https://d-1234567890.awsapps.com/start/authorize?response_type=code&'));
    });

    it('reuses the registration until it is within 15 minutes of expiry, and registers again when it no longer fits', async () => {
      await signInWithAuthorizationCode(CORP, deps());
      await signInWithAuthorizationCode(CORP, deps());
      assert.equal(api.of('RegisterClient').length, 1, 'reused');
      assert.equal((api.of('CreateToken')[1].request as { clientId: string }).clientId, 'client-0001');

      clock.advance(api.registrationLifetimeMs - 15 * 60_000 + 1);
      await signInWithAuthorizationCode(CORP, deps());
      assert.equal(api.of('RegisterClient').length, 2, 'registered again near expiry');

      await signInWithAuthorizationCode({ ...CORP, scopes: ['sso:account:access', 'other:scope'] }, deps());
      assert.equal(api.of('RegisterClient').length, 3, 'other scopes');
      await signInWithAuthorizationCode({ ...CORP, scopes: ['sso:account:access', 'other:scope'], endpoints: { oidc: 'http://127.0.0.2:1' } }, deps());
      assert.equal(api.of('RegisterClient').length, 4, 'another OIDC endpoint');
      await signInWithAuthorizationCode({ ...CORP, scopes: ['sso:account:access', 'other:scope'], endpoints: { oidc: 'http://127.0.0.2:1' }, region: 'us-east-1' }, deps());
      assert.equal(api.of('RegisterClient').length, 5, 'another region');
    });

    it('does not reuse a device code registration (other grant types)', async () => {
      registrations.entries.set(registrationKey(CORP, 'authorizationCode'), { clientId: 'device-client', clientSecret: 'x', expiresAt: clock.now() + 86400_000, startUrl: START_URL, region: 'eu-west-1', scopes: ['sso:account:access'] });
      await signInWithAuthorizationCode(CORP, deps());
      assert.equal(api.of('RegisterClient').length, 1);
    });

    it('ends with a typed error when the user refuses in the browser, and writes nothing', async () => {
      const b = browser((u) => `error=access_denied&state=${u.searchParams.get('state')}`);
      await assert.rejects(signInWithAuthorizationCode(CORP, deps({ openUrl: b.openUrl })), (e: unknown) => e instanceof SsoSignInError && e.failure === 'denied');
      assert.equal(api.of('CreateToken').length, 0);
      assert.equal(await readToken(tokenFilePath(CORP, dir)), undefined);
    });

    it('is cancelled when the browser could not be opened, or when the signal aborts', async () => {
      await assert.rejects(signInWithAuthorizationCode(CORP, deps({ openUrl: async () => false })), (e: unknown) => e instanceof SsoSignInError && e.failure === 'cancelled');
      const abort = new AbortController();
      const waiting = signInWithAuthorizationCode(CORP, deps({ signal: abort.signal, openUrl: async () => (setImmediate(() => abort.abort()), true) }));
      await assert.rejects(waiting, (e: unknown) => e instanceof SsoSignInError && e.failure === 'cancelled');
      assert.equal(api.of('CreateToken').length, 0);
    });

    it('turns a refused code exchange into a sign-in error without any secret in its message', async () => {
      api.script.CreateToken.push(ssoError('InvalidGrantException', 'Invalid grant provided'));
      await assert.rejects(signInWithAuthorizationCode(CORP, deps()), (e: unknown) => {
        assert.ok(e instanceof SsoSignInError && e.failure === 'failed' && e.oauthError === 'InvalidGrantException');
        assert.match(e.message, /CreateToken answered InvalidGrantException \(Invalid grant provided\)\. Run "AWS: Sign In to IAM Identity Center" again\./);
        for (const s of [...api.secrets, 'auth-code-1']) assert.ok(!e.message.includes(s));
        return true;
      });
    });

    it('needs an sso-session, as the CLI (a legacy profile signs in with the device code)', async () => {
      await assert.rejects(signInWithAuthorizationCode({ startUrl: START_URL, region: 'eu-west-1' }, deps()), (e: unknown) => e instanceof RoleSwitchError && e.code === 'InvalidProfile' && /sso-session/.test(e.message));
      assert.equal(api.calls.length, 0);
    });

    it('follows a custom domain\'s redirect for the issuer URL only; the token file keeps the configured URL and name', async () => {
      const custom: SsoSession = { name: 'corp', startUrl: 'https://sso.example.com/start', region: 'eu-west-1' };
      const probed: string[] = [];
      await signInWithAuthorizationCode(custom, deps({ probeStartUrl: async (url) => (probed.push(url), 'https://d-1234567890.awsapps.com/start/#/') }));
      assert.deepEqual(probed, ['https://sso.example.com/start']);
      assert.equal((api.of('RegisterClient')[0].request as RegisterClientRequest).issuerUrl, 'https://d-1234567890.awsapps.com/start');
      const written = await readToken(tokenFilePath(custom, dir));
      assert.equal(written?.startUrl, 'https://sso.example.com/start');
      assert.equal(path.basename(tokenFilePath(custom, dir)), 'ee0bfd2552fbd840c02cc48b6e823320543c450f.json');
    });

    it('signs in with the configured URL when the probe fails or leads off AWS', async () => {
      const custom: SsoSession = { name: 'corp', startUrl: 'https://sso.example.com/start', region: 'eu-west-1' };
      await signInWithAuthorizationCode(custom, deps({ probeStartUrl: async () => Promise.reject(new Error('ECONNRESET')) }));
      await signInWithAuthorizationCode({ ...custom, name: 'corp2' }, deps({ probeStartUrl: async () => 'https://phish.example.net/start' }));
      await signInWithAuthorizationCode({ ...custom, name: 'corp3' }, deps({ probeStartUrl: async () => 'http://d-1234567890.awsapps.com/start' }));
      assert.deepEqual(
        api.of('RegisterClient').map((c) => (c.request as RegisterClientRequest).issuerUrl),
        ['https://sso.example.com/start', 'https://sso.example.com/start', 'https://sso.example.com/start'],
      );
    });
  });

  describe('device code', () => {
    let sleeps: number[];
    let shown: [string, string][];
    let opened: string[];
    const deviceDeps = (extra: Partial<SignInDeps> = {}) => ({
      ...deps(extra),
      openUrl: async (url: string) => (opened.push(url), true),
      showUserCode: (code: string, uri: string) => void shown.push([code, uri]),
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      ...extra,
    });
    beforeEach(() => {
      sleeps = [];
      shown = [];
      opened = [];
    });

    it('registers as the CLI does (no grant types), shows the code, opens the browser at once, polls through pending and slow-down (+5 s)', async () => {
      api.script.CreateToken.push(ssoError('AuthorizationPendingException'), ssoError('AuthorizationPendingException'), ssoError('SlowDownException'), ssoError('AuthorizationPendingException'));
      const token = await signInWithDeviceCode(CORP, deviceDeps());
      assert.deepEqual(api.of('RegisterClient')[0].request, { clientName: CLIENT_NAME, clientType: 'public', scopes: ['sso:account:access'] });
      assert.deepEqual(api.of('StartDeviceAuthorization')[0].request, { clientId: 'client-0001', clientSecret: 'client-secret-0001-Zq8xY2', startUrl: START_URL });
      assert.deepEqual(shown, [['ABCD-EFGH', 'https://device.sso.eu-west-1.amazonaws.com/']]);
      assert.deepEqual(opened, ['https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH']);
      assert.deepEqual(sleeps, [5000, 5000, 10000, 10000]);
      const creates = api.of('CreateToken').map((c) => c.request as Extract<CreateTokenRequest, { grantType: 'urn:ietf:params:oauth:grant-type:device_code' }>);
      assert.equal(creates.length, 5);
      assert.ok(creates.every((c) => c.grantType === 'urn:ietf:params:oauth:grant-type:device_code' && c.deviceCode === 'device-code-0002-Kp3'));
      assert.deepEqual(await readToken(tokenFilePath(CORP, dir)), token);
      assert.equal(token.refreshToken !== undefined, true);
      assert.ok(secrets.includes(token.accessToken) && secrets.includes(token.refreshToken!) && secrets.includes('client-secret-0001-Zq8xY2'));
    });

    it('honours the interval the service asks for', async () => {
      api.deviceAuthorization = { interval: 2 };
      api.script.CreateToken.push(ssoError('AuthorizationPendingException'));
      await signInWithDeviceCode(CORP, deviceDeps());
      assert.deepEqual(sleeps, [2000]);
    });

    it('a legacy profile registers without scopes (a legacy token), as the CLI; its file is named by the start URL', async () => {
      const legacy: SsoSession = { startUrl: START_URL, region: 'eu-west-1' };
      await signInWithDeviceCode(legacy, deviceDeps());
      assert.deepEqual(api.of('RegisterClient')[0].request, { clientName: CLIENT_NAME, clientType: 'public', scopes: undefined });
      assert.ok(await readToken(tokenFilePath(legacy, dir)));
      assert.equal(registrations.entries.has(`deviceCode:${START_URL}`), true);
    });

    it('says so clearly when the code expires (ExpiredTokenException): start again', async () => {
      api.script.CreateToken.push(ssoError('AuthorizationPendingException'), ssoError('ExpiredTokenException', 'Device code has expired'));
      await assert.rejects(signInWithDeviceCode(CORP, deviceDeps()), (e: unknown) => e instanceof SsoSignInError && e.failure === 'expired' && /ABCD-EFGH expired before it was confirmed.*Sign In to IAM Identity Center/.test(e.message));
      assert.equal(await readToken(tokenFilePath(CORP, dir)), undefined);
    });

    it('forgets a registration the service refuses (InvalidClientException) while polling, keeps it on any other refusal; a fresh one refused is not retried', async () => {
      const key = registrationKey(CORP, 'deviceCode');
      api.script.CreateToken.push(ssoError('InvalidGrantException'));
      await assert.rejects(signInWithDeviceCode(CORP, deviceDeps()), (e: unknown) => e instanceof SsoSignInError && e.oauthError === 'InvalidGrantException');
      assert.equal(registrations.entries.has(key), true, 'another refusal says nothing about the client');

      api.script.CreateToken.push(ssoError('AuthorizationPendingException'), ssoError('InvalidClientException', 'Invalid client provided', 401));
      await assert.rejects(signInWithDeviceCode(CORP, deviceDeps()), (e: unknown) => e instanceof SsoSignInError && e.oauthError === 'InvalidClientException');
      assert.equal(registrations.entries.has(key), false);

      api.script.StartDeviceAuthorization.push(ssoError('InvalidClientException', 'Invalid client provided', 401));
      await assert.rejects(signInWithDeviceCode(CORP, deviceDeps()), (e: unknown) => e instanceof SsoSignInError && e.oauthError === 'InvalidClientException');
      assert.equal(api.of('RegisterClient').length, 2, 'a client registered just now and refused is not registered again in a loop');
      assert.equal(api.of('StartDeviceAuthorization').length, 3);
    });

    it('stops polling when the device code\'s lifetime (or the timeout) is over', async () => {
      api.deviceAuthorization = { expiresIn: 12 };
      for (let i = 0; i < 10; i++) api.script.CreateToken.push(ssoError('AuthorizationPendingException'));
      await assert.rejects(signInWithDeviceCode(CORP, deviceDeps()), (e: unknown) => e instanceof SsoSignInError && e.failure === 'expired' && /within 12 seconds/.test(e.message));
      assert.deepEqual(sleeps, [5000, 5000]);
      api.script.CreateToken.length = 0;
      sleeps = [];
      api.deviceAuthorization = {};
      for (let i = 0; i < 20; i++) api.script.CreateToken.push(ssoError('AuthorizationPendingException'));
      await assert.rejects(signInWithDeviceCode(CORP, deviceDeps({ timeoutMs: 60_000 })), (e: unknown) => e instanceof SsoSignInError && e.failure === 'timeout' && /within 1 minute\./.test(e.message));
    });

    it('is cancelled by the signal while it waits', async () => {
      const abort = new AbortController();
      api.script.CreateToken.push(ssoError('AuthorizationPendingException'), ssoError('AuthorizationPendingException'));
      const running = signInWithDeviceCode(CORP, { ...deviceDeps({ signal: abort.signal }), sleep: undefined });
      // The default sleep waits on the fake clock: abort while it waits.
      await new Promise((r) => setImmediate(r));
      assert.equal(clock.pendingTimers, 1);
      abort.abort();
      await assert.rejects(running, (e: unknown) => e instanceof SsoSignInError && e.failure === 'cancelled');
      assert.equal(api.of('CreateToken').length, 1);
    });

    it('uses a custom domain\'s AWS-owned target as StartDeviceAuthorization\'s startUrl, and keeps the configured one in the file', async () => {
      const custom: SsoSession = { name: 'corp', startUrl: 'https://sso.example.com/start', region: 'eu-west-1' };
      await signInWithDeviceCode(custom, deviceDeps({ probeStartUrl: async () => 'https://d-1234567890.awsapps.com/start' }));
      assert.equal((api.of('StartDeviceAuthorization')[0].request as { startUrl: string }).startUrl, 'https://d-1234567890.awsapps.com/start');
      assert.equal((api.of('RegisterClient')[0].request as RegisterClientRequest).issuerUrl, undefined);
      assert.equal((await readToken(tokenFilePath(custom, dir)))?.startUrl, 'https://sso.example.com/start');
    });
  });
});
