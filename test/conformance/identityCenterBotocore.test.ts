/**
 * The extension's IAM Identity Center core and the stand-in (test/support/loopbackIdentityCenter.ts)
 * against a client nobody here wrote: botocore in the AWS CLI v1, pointed at the stand-in with
 * AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO and at the test STS with AWS_ENDPOINT_URL_STS.
 * The token file is the extension's: written by its sign-in (authorization code + PKCE, a browser
 * that follows the stand-in's redirect to the extension's loopback callback) or its token service,
 * and read, refreshed and rewritten by botocore's own SSOTokenProvider, each side then using what
 * the other wrote.
 *
 * botocore runs on the real clock. "Later" and "earlier" are played by the extension and the
 * stand-in sharing a shifted clock, so that both agree how long a token has left.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { systemClock, type Clock } from '../../src/core/clock';
import { signInWithAuthorizationCode, signInWithDeviceCode } from '../../src/core/credentials/sso/signIn';
import type { SsoApis } from '../../src/core/credentials/sso/ssoApi';
import { createSsoApi } from '../../src/core/credentials/sso/ssoClients';
import { ssoSessionFromConfig, type SsoSession } from '../../src/core/credentials/sso/ssoConfig';
import { readToken, ssoCacheDir, tokenFilePath, writeToken, type SsoToken } from '../../src/core/credentials/sso/tokenCache';
import { SsoTokenService, type TokenProblem } from '../../src/core/credentials/sso/tokenService';
import { cleanEnv, type CliCommand } from '../support/awsCliV1';
import { requireAwsCliV1 } from '../support/externalTools';
import { LoopbackSts } from '../support/loopbackSts';
import { LoopbackIdentityCenter, ACCOUNT_ACCESS_SCOPE, fingerprint } from '../support/loopbackIdentityCenter';
import { makeTempDir, profileSetFrom, removeTempDir } from '../support/awsFiles';
import { MemoryRegistrations, SignInBrowser } from '../support/ssoSignIn';

const START_URL = 'https://d-9067000000.awsapps.com/start';
const SSO_REGION = 'eu-west-1';
const SESSION = 'corp';
const ACCOUNT = '123456789012';
const ROLE = 'Admin';
const MINUTE = 60_000;
/** The stand-in's access tokens live 8 hours. */
const TOKEN_LIFETIME_MS = 8 * 60 * MINUTE;
/** The keys and their order in the file `aws sso login` (and botocore's refresher) writes. */
const CLI_TOKEN_KEYS = ['startUrl', 'region', 'accessToken', 'expiresAt', 'clientId', 'clientSecret', 'registrationExpiresAt', 'refreshToken'];
/** botocore's _serialize_utc_timestamp: strftime('%Y-%m-%dT%H:%M:%SZ'). */
const CLI_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** The system clock moved by `offsetMs`: the extension at another time. */
function shiftedClock(offsetMs: number): Clock {
  return { ...systemClock, now: () => Date.now() + offsetMs };
}

/** json.dumps(obj) of a flat object of strings, as Python writes it: `{"k": "v", "k2": "v2"}`. */
function pythonJsonDumps(obj: Record<string, string>): string {
  return `{${Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}

/** A token file's text: the CLI's keys in the CLI's order, Python's separators, the CLI's timestamps. */
function assertCliTokenText(text: string, who: string): Record<string, string> {
  const parsed = JSON.parse(text) as Record<string, string>;
  assert.deepEqual(Object.keys(parsed), CLI_TOKEN_KEYS, `${who}: the keys of the file`);
  assert.equal(text, pythonJsonDumps(parsed), `${who}: the file is json.dumps' text`);
  assert.match(parsed.expiresAt, CLI_TIMESTAMP, `${who}: expiresAt`);
  assert.match(parsed.registrationExpiresAt, CLI_TIMESTAMP, `${who}: registrationExpiresAt`);
  return parsed;
}

describe('IAM Identity Center stand-in with botocore (AWS CLI v1)', function () {
  this.timeout(60_000);
  let cli: CliCommand;
  let home: string;
  let sts: LoopbackSts;
  let center: LoopbackIdentityCenter;
  let urls: { oidcUrl: string; portalUrl: string; stsUrl: string };
  let apis: SsoApis;
  let session: SsoSession;
  let tokenFile: string;
  let registrations: MemoryRegistrations;
  let problems: TokenProblem[];

  before(async () => {
    cli = requireAwsCliV1();
    home = await makeTempDir('identity-center-botocore-');
    sts = new LoopbackSts({ users: [], roles: [] });
    const stsUrl = (await sts.start()).url;
    center = new LoopbackIdentityCenter({
      sts, startUrls: [START_URL],
      accounts: [{ accountId: ACCOUNT, accountName: 'dev', emailAddress: 'aws-dev@example.com', roles: [ROLE] }],
    });
    urls = { ...(await center.start()), stsUrl };
    apis = createSsoApi({ requestTimeoutMs: 5000, maxAttempts: 1 });
    await fs.mkdir(path.join(home, '.aws'), { recursive: true });
    // One config for both: botocore reads it through AWS_CONFIG_FILE, the extension through its reader.
    const set = await profileSetFrom(path.join(home, '.aws'), [
      `[sso-session ${SESSION}]`, `sso_start_url = ${START_URL}`, `sso_region = ${SSO_REGION}`, `sso_registration_scopes = ${ACCOUNT_ACCESS_SCOPE}`, '',
      '[profile x]', `sso_session = ${SESSION}`, `sso_account_id = ${ACCOUNT}`, `sso_role_name = ${ROLE}`, 'region = us-east-1', '',
      '[profile legacy]', `sso_start_url = ${START_URL}`, `sso_region = ${SSO_REGION}`, `sso_account_id = ${ACCOUNT}`, `sso_role_name = ${ROLE}`, 'region = us-east-1', '',
    ].join('\n'), '');
    session = ssoSessionFromConfig(set, SESSION, { AWS_ENDPOINT_URL_SSO_OIDC: urls.oidcUrl, AWS_ENDPOINT_URL_SSO: urls.portalUrl }, set.profiles.get('x'));
    assert.deepEqual(session.endpoints, { oidc: urls.oidcUrl, portal: urls.portalUrl });
    // Where botocore looks: ~/.aws/sso/cache under the HOME it runs with.
    tokenFile = tokenFilePath(session, ssoCacheDir(home));
    registrations = new MemoryRegistrations();
  });
  beforeEach(() => {
    problems = [];
  });
  afterEach(() => {
    center.setClock(Date.now);
    assert.deepEqual(problems, [], 'the extension reported no problem');
  });
  after(async () => {
    await center?.stop();
    await sts?.stop();
    if (home) await removeTempDir(home);
  });

  /**
   * The extension signs in through the browser and writes the token file; `agoMs` earlier than
   * now (for botocore), so the token has that much less left.
   */
  async function signIn(agoMs = 0): Promise<SsoToken> {
    const clock = shiftedClock(-agoMs);
    center.setClock(() => clock.now());
    try {
      const browser = new SignInBrowser();
      await signInWithAuthorizationCode(session, { oidc: apis.oidc, registrations, clock, cacheDir: ssoCacheDir(home), openUrl: browser.openUrl });
      assert.ok(browser.opened[0].startsWith(`${urls.oidcUrl}/authorize?`));
      assert.equal(browser.callbackPages[0]?.status, 200);
    } finally {
      center.setClock(Date.now);
    }
    const token = (await readToken(tokenFile))!;
    assert.ok(token.refreshToken, 'a token with sso:account:access comes with a refresh token');
    return token;
  }
  const tokenService = (clock: Clock = systemClock) =>
    new SsoTokenService({ apis: async () => apis, clock, cacheDir: ssoCacheDir(home), report: (p) => problems.push(p) });

  const aws = (args: string[]) => new Promise<{ status: number; stdout: string; stderr: string }>(resolve => {
    execFile(cli.file, [...cli.args, ...args, '--output', 'json'], {
      encoding: 'utf8', timeout: 30_000,
      env: {
        ...cleanEnv(), HOME: home, AWS_CONFIG_FILE: path.join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
        AWS_ENDPOINT_URL_SSO_OIDC: urls.oidcUrl, AWS_ENDPOINT_URL_SSO: urls.portalUrl, AWS_ENDPOINT_URL_STS: urls.stsUrl, AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      },
    }, (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
  const callerIdentity = async () => {
    // Role credentials the CLI cached from an earlier run would spare it the token altogether.
    await fs.rm(path.join(home, '.aws', 'cli', 'cache'), { recursive: true, force: true });
    return aws(['sts', 'get-caller-identity', '--profile', 'x']);
  };

  const assumedRoleArn = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/alice@example.com`;

  it('the extension signs in and writes the token; botocore uses it as is: GetRoleCredentials, then STS answers as the role, no OIDC call', async () => {
    const token = await signIn();
    assert.equal((await fs.stat(tokenFile)).mode & 0o777, 0o600);
    assertCliTokenText(await fs.readFile(tokenFile, 'utf8'), 'the extension');
    center.reset();
    const out = await callerIdentity();
    assert.equal(out.status, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { Arn: string }).Arn, assumedRoleArn);
    assert.deepEqual(center.requests.map(r => [r.service, r.operation, r.status]), [['portal', 'GetRoleCredentials', 200]], 'no refresh while the token has hours left');
    const sent = center.requests[0];
    assert.deepEqual(sent.params, { role_name: ROLE, account_id: ACCOUNT });
    assert.equal(sent.bearer, fingerprint(token.accessToken));
  });

  it('botocore refreshes the extension\'s token (under 15 minutes left) with its own refresher; the extension then uses the file botocore rewrote', async () => {
    const token = await signIn(TOKEN_LIFETIME_MS - 12 * MINUTE);
    const extensionText = await fs.readFile(tokenFile, 'utf8');
    center.reset();
    const out = await callerIdentity();
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(center.requests.map(r => [r.service, r.operation, r.status]), [['oidc', 'CreateToken', 200], ['portal', 'GetRoleCredentials', 200]]);

    // Exactly what botocore sends for a refresh, from the fields the extension wrote.
    const refresh = center.requests[0];
    assert.deepEqual(refresh.params, { grantType: 'refresh_token', clientId: token.clientId, clientSecret: fingerprint(token.clientSecret!), refreshToken: fingerprint(token.refreshToken!) });
    assert.equal(refresh.method, 'POST');
    assert.equal(refresh.path, '/token');
    assert.equal(refresh.contentType, 'application/json');
    assert.equal(refresh.headerNames.includes('authorization'), false, 'CreateToken is unsigned');

    const botocoreText = await fs.readFile(tokenFile, 'utf8');
    const rewritten = assertCliTokenText(botocoreText, 'botocore');
    const written = assertCliTokenText(extensionText, 'the extension');
    // The same bytes but for the values botocore renewed.
    assert.equal(pythonJsonDumps({ ...rewritten, accessToken: written.accessToken, expiresAt: written.expiresAt, refreshToken: written.refreshToken }), extensionText);
    assert.equal((await fs.stat(tokenFile)).mode & 0o777, 0o600);
    assert.notEqual(rewritten.accessToken, token.accessToken);
    assert.notEqual(rewritten.refreshToken, token.refreshToken);
    assert.equal(center.refreshTokenState(token.refreshToken!), 'used');
    assert.equal(center.refreshTokenState(rewritten.refreshToken), 'active');
    assert.ok(Math.abs(Date.parse(rewritten.expiresAt) - (Date.now() + TOKEN_LIFETIME_MS)) < 120_000, 'expiresAt is the new token\'s');
    assert.equal(center.requests[1].bearer, fingerprint(rewritten.accessToken), 'the role credentials were fetched with the new token');

    // The extension reads what botocore wrote: that token, no refresh of its own.
    center.reset();
    const service = tokenService();
    const used = await service.getToken(session);
    assert.equal(used.accessToken, rewritten.accessToken);
    assert.equal(used.expiresAt, Date.parse(rewritten.expiresAt));
    assert.equal(used.refreshable, true, 'botocore\'s file keeps what a refresh needs (refresh token, client, registration expiry)');
    assert.equal(service.nextRefreshAt(used), used.expiresAt - 15 * MINUTE);
    const credentials = await apis.portal.getRoleCredentials({ region: SSO_REGION, endpoint: session.endpoints?.portal }, { accessToken: used.accessToken, accountId: ACCOUNT, roleName: ROLE });
    assert.equal(sts.verifyCredentials(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken!)?.arn, assumedRoleArn);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status]), [['GetRoleCredentials', 200]], 'no CreateToken from the extension');
    assert.equal(center.requests[0].bearer, fingerprint(rewritten.accessToken));
    assert.equal(await fs.readFile(tokenFile, 'utf8'), botocoreText, 'the extension left botocore\'s file as it was');
  });

  it('the extension refreshes a file botocore wrote, and botocore then uses the extension\'s token', async () => {
    // botocore writes the file: it refreshes a sign-in that is nearly spent.
    await signIn(TOKEN_LIFETIME_MS - 12 * MINUTE);
    assert.equal((await callerIdentity()).status, 0);
    const botocoreText = await fs.readFile(tokenFile, 'utf8');
    const byBotocore = assertCliTokenText(botocoreText, 'botocore');

    // Later: 10 minutes before botocore's token expires, the extension renews it.
    const later = Date.parse(byBotocore.expiresAt) - 10 * MINUTE - Date.now();
    const clock = shiftedClock(later);
    center.setClock(() => clock.now());
    center.reset();
    const renewed = await tokenService(clock).getToken(session);
    center.setClock(Date.now);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status]), [['CreateToken', 200]]);
    assert.deepEqual(center.requests[0].params, { grantType: 'refresh_token', clientId: byBotocore.clientId, clientSecret: fingerprint(byBotocore.clientSecret), refreshToken: fingerprint(byBotocore.refreshToken) });
    assert.notEqual(renewed.accessToken, byBotocore.accessToken);
    assert.equal(center.refreshTokenState(byBotocore.refreshToken), 'used');

    const extensionText = await fs.readFile(tokenFile, 'utf8');
    const byExtension = assertCliTokenText(extensionText, 'the extension');
    assert.equal((await fs.stat(tokenFile)).mode & 0o777, 0o600);
    assert.equal(byExtension.accessToken, renewed.accessToken);
    assert.equal(center.refreshTokenState(byExtension.refreshToken), 'active', 'the rotated refresh token is stored');
    assert.deepEqual([byExtension.startUrl, byExtension.region, byExtension.clientId, byExtension.clientSecret, byExtension.registrationExpiresAt],
      [byBotocore.startUrl, byBotocore.region, byBotocore.clientId, byBotocore.clientSecret, byBotocore.registrationExpiresAt]);

    // Back to botocore's now: it uses the extension's token, and has no reason to refresh it.
    center.reset();
    const out = await callerIdentity();
    assert.equal(out.status, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { Arn: string }).Arn, assumedRoleArn);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status]), [['GetRoleCredentials', 200]]);
    assert.equal(center.requests[0].bearer, fingerprint(renewed.accessToken));
    assert.equal(await fs.readFile(tokenFile, 'utf8'), extensionText);
  });

  it('a legacy profile (sso_start_url, no sso-session): the extension signs in with the device code, botocore finds the token under sha1(start URL) and uses it', async () => {
    const legacy: SsoSession = { startUrl: START_URL, region: SSO_REGION, endpoints: session.endpoints };
    const token = await signInWithDeviceCode(legacy, {
      oidc: apis.oidc, registrations, clock: systemClock, cacheDir: ssoCacheDir(home),
      openUrl: async () => true, showUserCode: (userCode) => center.approveDevice(userCode),
    });
    const file = tokenFilePath(legacy, ssoCacheDir(home));
    assert.equal(path.basename(file), `${createHash('sha1').update(START_URL).digest('hex')}.json`);
    assert.equal(token.refreshToken, undefined, 'a registration without scopes gets a legacy token, as the CLI\'s');
    center.reset();
    const out = await aws(['sts', 'get-caller-identity', '--profile', 'legacy']);
    assert.equal(out.status, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { Arn: string }).Arn, assumedRoleArn);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status]), [['GetRoleCredentials', 200]]);
    assert.equal(center.requests[0].bearer, fingerprint(token.accessToken));
  });

  it('botocore reads the stand-in\'s errors: a refused refresh keeps the old token, an unknown token is UnauthorizedException (an expired session to the CLI)', async () => {
    const token = await signIn(TOKEN_LIFETIME_MS - 12 * MINUTE);
    center.revokeRefreshTokens();
    center.reset();
    const out = await callerIdentity();
    // Outside the mandatory 10 minutes a failed refresh is only logged; the old token still works.
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status, r.errorCode]), [['CreateToken', 400, 'InvalidGrantException'], ['GetRoleCredentials', 200, undefined]]);
    assert.equal((await readToken(tokenFile))!.accessToken, token.accessToken);

    await writeToken(tokenFile, { ...token, accessToken: 'aoa-not-issued', expiresAt: Date.now() + TOKEN_LIFETIME_MS });
    center.reset();
    const refused = await callerIdentity();
    assert.notEqual(refused.status, 0);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status, r.errorCode]), [['GetRoleCredentials', 401, 'UnauthorizedException']]);
    // botocore turns the modeled UnauthorizedException (and only that) into UnauthorizedSSOTokenError.
    assert.match(refused.stderr, /The SSO session associated with this profile has expired or is otherwise invalid/);
  });

  it('botocore names every error the stand-ins answer with by its modeled name', async () => {
    const token = await signIn();
    const region = ['--region', SSO_REGION];
    const errorOf = async (args: string[]) => {
      const out = await aws([...args, ...region]);
      assert.notEqual(out.status, 0);
      return /An error occurred \((\w+)\)/.exec(out.stderr)?.[1];
    };
    const refresh = ['sso-oidc', 'create-token', '--grant-type', 'refresh_token', '--client-id', token.clientId!, '--refresh-token', token.refreshToken!];
    assert.equal(await errorOf([...refresh, '--client-secret', 'wrong']), 'InvalidClientException');
    const succeeds = async (args: string[]) => {
      const out = await aws([...args, ...region]);
      assert.equal(out.status, 0, out.stderr);
      return JSON.parse(out.stdout) as Record<string, unknown>;
    };
    const device = await succeeds(['sso-oidc', 'register-client', '--client-name', 'cli', '--client-type', 'public']) as { clientId: string; clientSecret: string };
    const { deviceCode } = await succeeds(['sso-oidc', 'start-device-authorization', '--client-id', device.clientId, '--client-secret', device.clientSecret,
      // As JSON: the CLI v1 would fetch an https:// parameter value (cli_follow_urlparam).
      '--cli-input-json', JSON.stringify({ startUrl: START_URL })]) as { deviceCode: string };
    const poll = ['sso-oidc', 'create-token', '--grant-type', 'urn:ietf:params:oauth:grant-type:device_code', '--client-id', device.clientId, '--client-secret', device.clientSecret, '--device-code', deviceCode];
    assert.equal(await errorOf(poll), 'AuthorizationPendingException');
    assert.equal(await errorOf(poll), 'SlowDownException');
    assert.equal(await errorOf(['sso', 'list-accounts', '--access-token', 'aoa-not-issued']), 'UnauthorizedException');
    assert.equal(await errorOf(['sso', 'get-role-credentials', '--access-token', token.accessToken, '--account-id', ACCOUNT, '--role-name', 'NotAssigned']), 'ForbiddenException');
    assert.deepEqual(await succeeds(['sso', 'list-accounts', '--access-token', token.accessToken]), { accountList: [{ accountId: ACCOUNT, accountName: 'dev', emailAddress: 'aws-dev@example.com' }] });
    center.setPortalRateLimit(0);
    try {
      assert.equal(await errorOf(['sso', 'list-accounts', '--access-token', token.accessToken]), 'TooManyRequestsException');
    } finally {
      center.setPortalRateLimit(undefined);
    }
    assert.equal(center.refreshTokenState(token.refreshToken!), 'active', 'the wrong secret did not spend the refresh token');
    assert.equal(await errorOf([...refresh.slice(0, -2), '--refresh-token', 'aor-not-issued', '--client-secret', token.clientSecret!]), 'InvalidGrantException');
  });
});
