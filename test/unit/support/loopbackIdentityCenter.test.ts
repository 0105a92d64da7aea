import * as assert from 'assert';
import * as http from 'http';
import { randomBytes } from 'crypto';
import {
  SSOOIDCClient, RegisterClientCommand, CreateTokenCommand, StartDeviceAuthorizationCommand,
  type RegisterClientCommandOutput, type CreateTokenCommandOutput,
} from '@aws-sdk/client-sso-oidc';
import { SSOClient, ListAccountsCommand, ListAccountRolesCommand, GetRoleCredentialsCommand, LogoutCommand } from '@aws-sdk/client-sso';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { LoopbackSts } from '../../support/loopbackSts';
import {
  LoopbackIdentityCenter, ACCOUNT_ACCESS_SCOPE, DEVICE_CODE_GRANT, codeChallengeS256, fingerprint,
  type IdentityCenterAccount, type LoopbackIdentityCenterOptions,
} from '../../support/loopbackIdentityCenter';

const START_URL = 'https://d-9067000000.awsapps.com/start';
const REGISTERED_REDIRECT = 'http://127.0.0.1/oauth/callback';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ACCOUNTS: IdentityCenterAccount[] = Array.from({ length: 12 }, (_, i) => ({
  accountId: String(111111111111 + i),
  accountName: `account-${i}`,
  emailAddress: `aws+${i}@example.com`,
  roles: i === 0 ? Array.from({ length: 13 }, (_, r) => (r === 0 ? 'Admin' : `Role${r}`)) : ['ReadOnly'],
}));

async function rejectsWith(p: Promise<unknown>, name: string, status?: number): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.strictEqual(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (status !== undefined) assert.strictEqual(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

function get(url: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, res => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    }).on('error', reject);
  });
}

/** A verifier as the AWS CLI makes it: 64 characters of the RFC 7636 alphabet. */
function newVerifier(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
  return [...randomBytes(64)].map(b => alphabet[b % alphabet.length]).join('');
}

describe('LoopbackIdentityCenter', function () {
  this.timeout(20_000);
  let sts: LoopbackSts;
  let center: LoopbackIdentityCenter;
  let oidcUrl: string;
  let portalUrl: string;
  let clock: number;
  let stsUrl: string;
  const clients: { destroy(): void }[] = [];
  const oidc = () => { const c = new SSOOIDCClient({ endpoint: oidcUrl, region: 'eu-west-1', maxAttempts: 1 }); clients.push(c); return c; };
  const portal = () => { const c = new SSOClient({ endpoint: portalUrl, region: 'eu-west-1', maxAttempts: 1 }); clients.push(c); return c; };

  async function startCenter(extra: Partial<LoopbackIdentityCenterOptions> = {}): Promise<void> {
    await center?.stop();
    center = new LoopbackIdentityCenter({ sts, now: () => clock, startUrls: [START_URL], accounts: ACCOUNTS, ...extra });
    ({ oidcUrl, portalUrl } = await center.start());
  }

  beforeEach(async () => {
    clock = Date.now();
    sts = new LoopbackSts({ users: [], roles: [], now: () => clock });
    stsUrl = (await sts.start()).url;
    await startCenter();
  });
  afterEach(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await center.stop();
    await sts.stop();
  });

  const registerForAuthCode = (input: Record<string, unknown> = {}) => oidc().send(new RegisterClientCommand({
    clientName: 'aws-role-switcher', clientType: 'public', grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [REGISTERED_REDIRECT], issuerUrl: START_URL, scopes: [ACCOUNT_ACCESS_SCOPE], ...input,
  }));

  /** The browser's request, encoded as the AWS CLI v2 encodes it (scopes joined by spaces, %20). */
  function authorizeUrl(reg: RegisterClientCommandOutput, verifier: string, o: { redirectUri?: string; state?: string; scopes?: string; challenge?: string } = {}): string {
    const params: [string, string][] = [
      ['response_type', 'code'], ['client_id', reg.clientId!], ['redirect_uri', o.redirectUri ?? 'http://127.0.0.1:54321/oauth/callback'],
      ['state', o.state ?? 'b2c3d4e5-0000-4000-8000-000000000001'], ['code_challenge_method', 'S256'], ['scopes', o.scopes ?? ACCOUNT_ACCESS_SCOPE],
    ];
    const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    return `${oidcUrl}/authorize?${query}&code_challenge=${o.challenge ?? codeChallengeS256(verifier)}`;
  }

  async function authorize(reg: RegisterClientCommandOutput, verifier: string, o: Parameters<typeof authorizeUrl>[2] = {}): Promise<{ code: string; redirectUri: string }> {
    const res = await get(authorizeUrl(reg, verifier, o));
    assert.strictEqual(res.status, 302, res.body);
    const target = new URL(res.location!);
    assert.strictEqual(target.searchParams.get('error'), null, target.searchParams.get('error_description') ?? '');
    return { code: target.searchParams.get('code')!, redirectUri: `${target.origin}${target.pathname}` };
  }

  const exchange = (reg: RegisterClientCommandOutput, code: string, verifier: string, redirectUri = 'http://127.0.0.1:54321/oauth/callback', secret = reg.clientSecret!) =>
    oidc().send(new CreateTokenCommand({ grantType: 'authorization_code', clientId: reg.clientId!, clientSecret: secret, code, codeVerifier: verifier, redirectUri }));

  async function signIn(): Promise<{ reg: RegisterClientCommandOutput; token: CreateTokenCommandOutput }> {
    const reg = await registerForAuthCode();
    const verifier = newVerifier();
    const { code } = await authorize(reg, verifier);
    return { reg, token: await exchange(reg, code, verifier) };
  }

  it('listens on 127.0.0.2 by default, one base URL per service', () => {
    assert.match(oidcUrl, /^http:\/\/127\.0\.0\.2:\d+$/);
    assert.match(portalUrl, /^http:\/\/127\.0\.0\.2:\d+$/);
    assert.notStrictEqual(oidcUrl, portalUrl);
  });

  describe('RegisterClient', () => {
    it('registers a public client for 90 days and, like the service by default, names no endpoints', async () => {
      const reg = await registerForAuthCode();
      assert.ok(reg.clientId && reg.clientSecret);
      assert.strictEqual(reg.clientIdIssuedAt, Math.floor(clock / 1000));
      assert.strictEqual(reg.clientSecretExpiresAt, reg.clientIdIssuedAt! + 90 * 86400);
      assert.strictEqual(reg.authorizationEndpoint, undefined);
      assert.strictEqual(reg.tokenEndpoint, undefined);
      assert.deepStrictEqual(center.clients().map(c => [c.clientName, c.grantTypes, c.redirectUris, c.issuerUrl, c.scopes]),
        [['aws-role-switcher', ['authorization_code', 'refresh_token'], [REGISTERED_REDIRECT], START_URL, [ACCOUNT_ACCESS_SCOPE]]]);
      await startCenter({ advertiseEndpoints: true });
      const advertised = await registerForAuthCode();
      assert.strictEqual(advertised.authorizationEndpoint, `${oidcUrl}/authorize`);
      assert.strictEqual(advertised.tokenEndpoint, `${oidcUrl}/token`);
    });

    it('refuses a non-public client, redirect URIs with a port or off loopback, a foreign issuer and unknown grants', async () => {
      await rejectsWith(registerForAuthCode({ clientType: 'confidential' }), 'InvalidRequestException', 400);
      await rejectsWith(registerForAuthCode({ clientName: '' }), 'InvalidRequestException', 400);
      await rejectsWith(registerForAuthCode({ redirectUris: ['http://127.0.0.1:8080/oauth/callback'] }), 'InvalidRedirectUriException', 400);
      await rejectsWith(registerForAuthCode({ redirectUris: ['http://127.0.0.1:80/oauth/callback'] }), 'InvalidRedirectUriException', 400);
      await rejectsWith(registerForAuthCode({ redirectUris: ['http://localhost/oauth/callback'] }), 'InvalidRedirectUriException', 400);
      await rejectsWith(registerForAuthCode({ redirectUris: [] }), 'InvalidRedirectUriException', 400);
      await rejectsWith(registerForAuthCode({ issuerUrl: 'https://d-0000000000.awsapps.com/start' }), 'InvalidClientMetadataException', 400);
      await rejectsWith(registerForAuthCode({ grantTypes: ['authorization_code', 'password'] }), 'UnsupportedGrantTypeException', 400);
      await rejectsWith(registerForAuthCode({ scopes: ['not a scope'] }), 'InvalidScopeException', 400);
      assert.deepStrictEqual(center.clients(), []);
    });
  });

  describe('authorization code with PKCE', () => {
    it('redirects the browser to the loopback port with a one-time code and the state, and the code buys tokens the portal accepts', async () => {
      const reg = await registerForAuthCode();
      const verifier = newVerifier();
      const res = await get(authorizeUrl(reg, verifier, { redirectUri: 'http://127.0.0.1:49152/oauth/callback', state: 'the-state' }));
      assert.strictEqual(res.status, 302);
      const target = new URL(res.location!);
      assert.strictEqual(`${target.origin}${target.pathname}`, 'http://127.0.0.1:49152/oauth/callback');
      assert.strictEqual(target.searchParams.get('state'), 'the-state');
      const code = target.searchParams.get('code')!;
      assert.ok(code);
      const token = await exchange(reg, code, verifier, 'http://127.0.0.1:49152/oauth/callback');
      assert.strictEqual(token.tokenType, 'Bearer');
      assert.strictEqual(token.expiresIn, 8 * 3600);
      assert.ok(token.accessToken && token.refreshToken);
      const accounts = await portal().send(new ListAccountsCommand({ accessToken: token.accessToken! }));
      assert.strictEqual(accounts.accountList?.length, 10);
      const recorded = center.requests.find(r => r.operation === 'Authorize')!;
      assert.strictEqual(recorded.params.scopes, ACCOUNT_ACCESS_SCOPE);
      assert.match(recorded.rawQuery, /scopes=sso%3Aaccount%3Aaccess/);
    });

    it('accepts scopes joined by spaces (the AWS CLI) or commas (the AWS Toolkit), and only scopes of the registration', async () => {
      const reg = await registerForAuthCode({ scopes: [ACCOUNT_ACCESS_SCOPE, 'codewhisperer:completions'] });
      await authorize(reg, newVerifier(), { scopes: `${ACCOUNT_ACCESS_SCOPE} codewhisperer:completions` });
      await authorize(reg, newVerifier(), { scopes: `${ACCOUNT_ACCESS_SCOPE},codewhisperer:completions` });
      const res = await get(authorizeUrl(reg, newVerifier(), { scopes: `${ACCOUNT_ACCESS_SCOPE} sso:admin`, state: 's1' }));
      const target = new URL(res.location!);
      assert.deepStrictEqual([res.status, target.searchParams.get('error'), target.searchParams.get('state'), target.searchParams.get('code')], [302, 'invalid_scope', 's1', null]);
    });

    it('never redirects for an unknown client or a redirect URI that is not a registered one on some loopback port', async () => {
      const reg = await registerForAuthCode();
      const v = newVerifier();
      for (const redirectUri of ['http://127.0.0.1/oauth/callback', 'http://127.0.0.1:5000/other', 'http://localhost:5000/oauth/callback', 'https://127.0.0.1:5000/oauth/callback', 'http://127.0.0.1:5000/oauth/callback?x=1']) {
        const res = await get(authorizeUrl(reg, v, { redirectUri }));
        assert.strictEqual(res.status, 400, redirectUri);
        assert.strictEqual(res.location, undefined);
        assert.strictEqual(JSON.parse(res.body).error, 'invalid_redirect_uri');
      }
      const unknown = await get(authorizeUrl({ ...reg, clientId: 'nope' }, v));
      assert.deepStrictEqual([unknown.status, JSON.parse(unknown.body).error], [400, 'invalid_client']);
    });

    it('redirects with an error for a bad challenge, a missing state, another method, or a client without the grant', async () => {
      const reg = await registerForAuthCode();
      const v = newVerifier();
      const errorOf = async (url: string) => {
        const res = await get(url);
        assert.strictEqual(res.status, 302);
        const target = new URL(res.location!);
        assert.strictEqual(target.searchParams.get('code'), null);
        return target.searchParams.get('error');
      };
      // The padded challenge (44 characters): the AWS CLI trims the final '='.
      assert.strictEqual(await errorOf(authorizeUrl(reg, v, { challenge: `${codeChallengeS256(v)}%3D` })), 'invalid_request');
      assert.strictEqual(await errorOf(authorizeUrl(reg, v, { challenge: 'short' })), 'invalid_request');
      assert.strictEqual(await errorOf(authorizeUrl(reg, v, { state: '' })), 'invalid_request');
      assert.strictEqual(await errorOf(authorizeUrl(reg, v).replace('code_challenge_method=S256', 'code_challenge_method=plain')), 'invalid_request');
      assert.strictEqual(await errorOf(authorizeUrl(reg, v).replace('response_type=code', 'response_type=token')), 'unsupported_response_type');
      const deviceOnly = await oidc().send(new RegisterClientCommand({ clientName: 'device', clientType: 'public', redirectUris: [REGISTERED_REDIRECT] }));
      assert.strictEqual(await errorOf(authorizeUrl(deviceOnly, v)), 'unauthorized_client');
    });

    it('answers access_denied (with the state) when the user refuses, then approves again', async () => {
      const reg = await registerForAuthCode();
      center.denyNextAuthorization();
      const res = await get(authorizeUrl(reg, newVerifier(), { state: 'st' }));
      const target = new URL(res.location!);
      assert.deepStrictEqual([target.searchParams.get('error'), target.searchParams.get('state'), target.searchParams.get('code')], ['access_denied', 'st', null]);
      await authorize(reg, newVerifier());
    });

    it('refuses a wrong verifier, and the code is spent by the attempt', async () => {
      const reg = await registerForAuthCode();
      const verifier = newVerifier();
      const { code } = await authorize(reg, verifier);
      await rejectsWith(exchange(reg, code, newVerifier()), 'InvalidGrantException', 400);
      await rejectsWith(exchange(reg, code, verifier), 'InvalidGrantException', 400);
    });

    it('refuses a verifier outside RFC 7636 (too short, other characters)', async () => {
      const reg = await registerForAuthCode();
      for (const verifier of ['a'.repeat(42), `${'a'.repeat(50)}+/`]) {
        const { code } = await authorize(reg, verifier);
        await rejectsWith(exchange(reg, code, verifier), 'InvalidRequestException', 400);
      }
    });

    it('a code used twice fails and revokes the tokens of its first use', async () => {
      const reg = await registerForAuthCode();
      const verifier = newVerifier();
      const { code } = await authorize(reg, verifier);
      const token = await exchange(reg, code, verifier);
      await rejectsWith(exchange(reg, code, verifier), 'InvalidGrantException', 400);
      assert.strictEqual(center.isAccessTokenValid(token.accessToken!), false);
      assert.strictEqual(center.refreshTokenState(token.refreshToken!), 'revoked');
    });

    it('refuses a redirectUri other than the one authorized (another port), an old code and a wrong client secret', async () => {
      const reg = await registerForAuthCode();
      const v = newVerifier();
      const a = await authorize(reg, v);
      await rejectsWith(exchange(reg, a.code, v, 'http://127.0.0.1:54322/oauth/callback'), 'InvalidGrantException', 400);
      const b = await authorize(reg, v);
      clock += 301_000;
      await rejectsWith(exchange(reg, b.code, v), 'InvalidGrantException', 400);
      const c = await authorize(reg, v);
      await rejectsWith(exchange(reg, c.code, v, undefined, `${reg.clientSecret}x`), 'InvalidClientException', 401);
      await rejectsWith(exchange({ ...reg, clientId: 'unknown' }, c.code, v), 'InvalidClientException', 401);
      // The wrong secret did not spend the code: client authentication comes first.
      await exchange(reg, c.code, v);
    });
  });

  describe('device code', () => {
    const registerForDevice = (scopes?: string[]) => oidc().send(new RegisterClientCommand({ clientName: 'device', clientType: 'public', ...(scopes ? { scopes } : {}) }));
    const start = (reg: RegisterClientCommandOutput, startUrl = START_URL) =>
      oidc().send(new StartDeviceAuthorizationCommand({ clientId: reg.clientId!, clientSecret: reg.clientSecret!, startUrl }));
    const poll = (reg: RegisterClientCommandOutput, deviceCode: string) =>
      oidc().send(new CreateTokenCommand({ grantType: DEVICE_CODE_GRANT, clientId: reg.clientId!, clientSecret: reg.clientSecret!, deviceCode }));

    it('is pending until approved, slows a client that polls too fast, then issues a token once', async () => {
      const reg = await registerForDevice();
      const d = await start(reg);
      assert.strictEqual(d.expiresIn, 600);
      assert.strictEqual(d.interval, 1);
      assert.match(d.userCode!, /^[A-Z]{4}-[A-Z]{4}$/);
      assert.strictEqual(d.verificationUri, `${oidcUrl}/device`);
      assert.strictEqual(d.verificationUriComplete, `${oidcUrl}/device?user_code=${d.userCode}`);
      await rejectsWith(poll(reg, d.deviceCode!), 'AuthorizationPendingException', 400);
      await rejectsWith(poll(reg, d.deviceCode!), 'SlowDownException', 400);
      // After a slow_down the interval is 1 + 5 seconds (RFC 8628 §3.5).
      clock += 5_000;
      await rejectsWith(poll(reg, d.deviceCode!), 'SlowDownException', 400);
      clock += 11_000;
      await rejectsWith(poll(reg, d.deviceCode!), 'AuthorizationPendingException', 400);
      center.approveDevice(d.userCode!);
      const token = await poll(reg, d.deviceCode!);
      assert.ok(token.accessToken);
      // Registered without scopes: a legacy token, no refresh token, still good for the portal.
      assert.strictEqual(token.refreshToken, undefined);
      await portal().send(new ListAccountsCommand({ accessToken: token.accessToken! }));
      await rejectsWith(poll(reg, d.deviceCode!), 'InvalidGrantException', 400);
    });

    it('approves when the browser opens verificationUriComplete; a scoped registration gets a refresh token', async () => {
      const reg = await registerForDevice([ACCOUNT_ACCESS_SCOPE]);
      const d = await start(reg);
      const page = await get(d.verificationUriComplete!);
      assert.strictEqual(page.status, 200);
      const token = await poll(reg, d.deviceCode!);
      assert.ok(token.refreshToken);
    });

    it('expires, can be denied, and needs the right client, secret and start URL', async () => {
      const reg = await registerForDevice();
      const d = await start(reg);
      clock += 600_000;
      await rejectsWith(poll(reg, d.deviceCode!), 'ExpiredTokenException', 400);
      const denied = await start(reg);
      center.denyDevice(denied.userCode!);
      await rejectsWith(poll(reg, denied.deviceCode!), 'AccessDeniedException', 400);
      const other = await registerForDevice();
      const d2 = await start(reg);
      await rejectsWith(poll(other, d2.deviceCode!), 'InvalidGrantException', 400);
      await rejectsWith(start(reg, 'https://d-0000000000.awsapps.com/start'), 'InvalidRequestException', 400);
      await rejectsWith(start({ ...reg, clientSecret: 'wrong' }), 'InvalidClientException', 401);
      const authCodeClient = await registerForAuthCode();
      await rejectsWith(start(authCodeClient), 'UnauthorizedClientException', 400);
    });
  });

  describe('refresh tokens', () => {
    const refresh = (reg: RegisterClientCommandOutput, refreshToken: string) =>
      oidc().send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: reg.clientId!, clientSecret: reg.clientSecret!, refreshToken }));

    it('rotate: each refresh returns a new pair, and a used refresh token never works again', async () => {
      const { reg, token } = await signIn();
      const second = await refresh(reg, token.refreshToken!);
      assert.ok(second.accessToken && second.refreshToken);
      assert.notStrictEqual(second.accessToken, token.accessToken);
      assert.notStrictEqual(second.refreshToken, token.refreshToken);
      assert.strictEqual(center.refreshTokenState(token.refreshToken!), 'used');
      await rejectsWith(refresh(reg, token.refreshToken!), 'InvalidGrantException', 400);
      const third = await refresh(reg, second.refreshToken!);
      await portal().send(new ListAccountsCommand({ accessToken: third.accessToken! }));
    });

    it('fail with InvalidClientException once the registration expired, and InvalidGrantException when revoked or for another client', async () => {
      const { reg, token } = await signIn();
      const other = await registerForAuthCode();
      await rejectsWith(refresh(other, token.refreshToken!), 'InvalidGrantException', 400);
      center.revokeRefreshTokens();
      await rejectsWith(refresh(reg, token.refreshToken!), 'InvalidGrantException', 400);
      const again = await signIn();
      clock += 90 * DAY;
      await rejectsWith(refresh(again.reg, again.token.refreshToken!), 'InvalidClientException', 401);
    });
  });

  describe('portal', () => {
    it('pages accounts (10 by default, max_result on request) and roles', async () => {
      const { token } = await signIn();
      const sso = portal();
      const first = await sso.send(new ListAccountsCommand({ accessToken: token.accessToken! }));
      assert.strictEqual(first.accountList?.length, 10);
      assert.deepStrictEqual(first.accountList?.[0], { accountId: '111111111111', accountName: 'account-0', emailAddress: 'aws+0@example.com' });
      const second = await sso.send(new ListAccountsCommand({ accessToken: token.accessToken!, nextToken: first.nextToken }));
      assert.strictEqual(second.accountList?.length, 2);
      assert.strictEqual(second.nextToken, undefined);
      const small = await sso.send(new ListAccountsCommand({ accessToken: token.accessToken!, maxResults: 5 }));
      assert.strictEqual(small.accountList?.length, 5);
      const rec = center.requests.filter(r => r.operation === 'ListAccounts').at(-1)!;
      assert.deepStrictEqual(rec.params, { max_result: '5' });
      assert.strictEqual(rec.bearer, fingerprint(token.accessToken!));

      const roles = await sso.send(new ListAccountRolesCommand({ accessToken: token.accessToken!, accountId: '111111111111' }));
      assert.deepStrictEqual(roles.roleList?.[0], { roleName: 'Admin', accountId: '111111111111' });
      assert.ok(roles.nextToken);
      const rest = await sso.send(new ListAccountRolesCommand({ accessToken: token.accessToken!, accountId: '111111111111', nextToken: roles.nextToken }));
      assert.strictEqual(rest.roleList?.length, 3);
      // A page token belongs to its own listing.
      await rejectsWith(sso.send(new ListAccountsCommand({ accessToken: token.accessToken!, nextToken: roles.nextToken })), 'InvalidRequestException', 400);
      await rejectsWith(sso.send(new ListAccountsCommand({ accessToken: token.accessToken!, maxResults: 101 })), 'InvalidRequestException', 400);
      await rejectsWith(sso.send(new ListAccountRolesCommand({ accessToken: token.accessToken!, accountId: '999999999999' })), 'ForbiddenException', 403);
    });

    it('GetRoleCredentials issues role credentials the test STS accepts, expiration in ms; unassigned roles get ForbiddenException', async () => {
      const { token } = await signIn();
      const out = await portal().send(new GetRoleCredentialsCommand({ accessToken: token.accessToken!, accountId: '111111111111', roleName: 'Admin' }));
      const c = out.roleCredentials!;
      assert.strictEqual(c.expiration, clock + 3600_000);
      const sessions = sts.verifyCredentials(c.accessKeyId!, c.secretAccessKey!, c.sessionToken!);
      assert.strictEqual(sessions?.arn, 'arn:aws:sts::111111111111:assumed-role/Admin/alice@example.com');
      await rejectsWith(portal().send(new GetRoleCredentialsCommand({ accessToken: token.accessToken!, accountId: '111111111112', roleName: 'Admin' })), 'ForbiddenException', 403);
      await rejectsWith(portal().send(new GetRoleCredentialsCommand({ accessToken: token.accessToken!, accountId: '999999999999', roleName: 'Admin' })), 'ForbiddenException', 403);
    });

    it('the credentials sign a real GetCallerIdentity against the test STS', async () => {
      const { token } = await signIn();
      const { roleCredentials: c } = await portal().send(new GetRoleCredentialsCommand({ accessToken: token.accessToken!, accountId: '111111111112', roleName: 'ReadOnly' }));
      const client = new STSClient({ endpoint: stsUrl, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: c!.accessKeyId!, secretAccessKey: c!.secretAccessKey!, sessionToken: c!.sessionToken! } });
      clients.push(client);
      const who = await client.send(new GetCallerIdentityCommand({}));
      assert.strictEqual(who.Arn, 'arn:aws:sts::111111111112:assumed-role/ReadOnly/alice@example.com');
    });

    it('refuses unknown, expired and logged-out tokens with UnauthorizedException 401; Logout also ends the refresh token', async () => {
      const sso = portal();
      await rejectsWith(sso.send(new ListAccountsCommand({ accessToken: 'aoa-unknown' })), 'UnauthorizedException', 401);
      const a = await signIn();
      center.expireAccessToken(a.token.accessToken!);
      await rejectsWith(sso.send(new ListAccountsCommand({ accessToken: a.token.accessToken! })), 'UnauthorizedException', 401);
      const b = await signIn();
      clock += 8 * HOUR;
      await rejectsWith(sso.send(new ListAccountsCommand({ accessToken: b.token.accessToken! })), 'UnauthorizedException', 401);
      const c = await signIn();
      await sso.send(new LogoutCommand({ accessToken: c.token.accessToken! }));
      await rejectsWith(sso.send(new GetRoleCredentialsCommand({ accessToken: c.token.accessToken!, accountId: '111111111111', roleName: 'Admin' })), 'UnauthorizedException', 401);
      assert.strictEqual(center.refreshTokenState(c.token.refreshToken!), 'revoked');
      await rejectsWith(sso.send(new LogoutCommand({ accessToken: c.token.accessToken! })), 'UnauthorizedException', 401);
    });

    it('a token whose registration lacks sso:account:access does not reach the portal', async () => {
      const reg = await registerForAuthCode({ scopes: ['codewhisperer:completions'] });
      const v = newVerifier();
      const { code } = await authorize(reg, v, { scopes: 'codewhisperer:completions' });
      const token = await exchange(reg, code, v);
      assert.strictEqual(token.refreshToken, undefined);
      await rejectsWith(portal().send(new ListAccountsCommand({ accessToken: token.accessToken! })), 'UnauthorizedException', 401);
    });

    it('throttles above the rate limit with a 429 the SDK reads as TooManyRequestsException, and counts calls', async () => {
      const { token } = await signIn();
      center.setPortalRateLimit(3);
      center.reset();
      const sso = portal();
      const list = () => sso.send(new ListAccountsCommand({ accessToken: token.accessToken! }));
      await list(); await list(); await list();
      await rejectsWith(list(), 'TooManyRequestsException', 429);
      clock += 1000;
      await list();
      assert.deepStrictEqual(center.stats(), { calls: { ListAccounts: 5 }, throttled: 1, maxInFlight: 1 });
      assert.deepStrictEqual(center.requests.map(r => r.status), [200, 200, 200, 429, 200]);
    });

    it('counts the most requests in flight at once', async () => {
      await startCenter({ portalDelayMs: 100 });
      const { token } = await signIn();
      const sso = portal();
      await Promise.all(Array.from({ length: 5 }, () => sso.send(new ListAccountsCommand({ accessToken: token.accessToken! }))));
      assert.strictEqual(center.stats().maxInFlight, 5);
      assert.strictEqual(center.stats().calls.ListAccounts, 5);
    });
  });

  it('allSecrets() lists every secret issued, and none of them is in the recorded requests', async () => {
    const { reg, token } = await signIn();
    const refreshed = await oidc().send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: reg.clientId!, clientSecret: reg.clientSecret!, refreshToken: token.refreshToken! }));
    const { roleCredentials: c } = await portal().send(new GetRoleCredentialsCommand({ accessToken: refreshed.accessToken!, accountId: '111111111111', roleName: 'Admin' }));
    const device = await oidc().send(new RegisterClientCommand({ clientName: 'device', clientType: 'public' }));
    const d = await oidc().send(new StartDeviceAuthorizationCommand({ clientId: device.clientId!, clientSecret: device.clientSecret!, startUrl: START_URL }));
    const secrets = center.allSecrets();
    for (const s of [reg.clientSecret, token.accessToken, token.refreshToken, refreshed.accessToken, refreshed.refreshToken, c!.secretAccessKey, c!.sessionToken, device.clientSecret, d.deviceCode]) {
      assert.ok(secrets.includes(s!), 'a secret is missing from allSecrets()');
    }
    const recorded = JSON.stringify(center.requests);
    assert.ok(secrets.every(s => !recorded.includes(s)), 'a secret leaked into the recorded requests');
    const tokenRequest = center.requests.find(r => r.operation === 'CreateToken' && r.params.grantType === 'refresh_token')!;
    assert.deepStrictEqual(tokenRequest.params, { clientId: reg.clientId, clientSecret: fingerprint(reg.clientSecret!), grantType: 'refresh_token', refreshToken: fingerprint(token.refreshToken!) });
  });
});
