/**
 * The Identity Center stand-in (test/support/loopbackIdentityCenter.ts) against a client nobody
 * here wrote: botocore in the AWS CLI v1, pointed at it with AWS_ENDPOINT_URL_SSO_OIDC /
 * AWS_ENDPOINT_URL_SSO and at the test STS with AWS_ENDPOINT_URL_STS. The token is a real one,
 * issued by the stand-in's OIDC service through the SDK (authorization code + PKCE), and written to
 * ~/.aws/sso/cache as the AWS CLI v2 writes it after `aws sso login`.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { SSOOIDCClient, RegisterClientCommand, CreateTokenCommand } from '@aws-sdk/client-sso-oidc';
import { cleanEnv, type CliCommand } from '../support/awsCliV1';
import { requireAwsCliV1 } from '../support/externalTools';
import { LoopbackSts } from '../support/loopbackSts';
import { LoopbackIdentityCenter, ACCOUNT_ACCESS_SCOPE, codeChallengeS256, fingerprint } from '../support/loopbackIdentityCenter';
import { makeTempDir, removeTempDir } from '../support/awsFiles';

const START_URL = 'https://d-9067000000.awsapps.com/start';
const SSO_REGION = 'eu-west-1';
const SESSION = 'corp';
const ACCOUNT = '123456789012';
const ROLE = 'Admin';

/** The fields `aws sso login` (CLI v2) caches; dates as botocore's _sso_json_dumps writes them. */
interface CliToken {
  startUrl: string;
  region: string;
  accessToken: string;
  expiresAt: Date;
  clientId: string;
  clientSecret: string;
  registrationExpiresAt: Date;
  refreshToken?: string;
}

const cliTimestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Stands in for the extension's token writer until it exists: ~/.aws/sso/cache/<sha1(session)>.json,
 * mode 0600, keys in the CLI's order, Python's json.dumps separators.
 */
async function writeTokenLikeTheCli(home: string, sessionName: string, token: CliToken): Promise<string> {
  const dir = path.join(home, '.aws', 'sso', 'cache');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${createHash('sha1').update(sessionName).digest('hex')}.json`);
  const fields: [string, string][] = [
    ['startUrl', token.startUrl], ['region', token.region], ['accessToken', token.accessToken], ['expiresAt', cliTimestamp(token.expiresAt)],
    ['clientId', token.clientId], ['clientSecret', token.clientSecret], ['registrationExpiresAt', cliTimestamp(token.registrationExpiresAt)],
    ...(token.refreshToken ? [['refreshToken', token.refreshToken] as [string, string]] : []),
  ];
  await fs.writeFile(file, `{${fields.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`, { mode: 0o600 });
  return file;
}

function get(url: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, res => { res.resume(); res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location })); }).on('error', reject);
  });
}

describe('IAM Identity Center stand-in with botocore (AWS CLI v1)', function () {
  this.timeout(60_000);
  let cli: CliCommand;
  let home: string;
  let sts: LoopbackSts;
  let center: LoopbackIdentityCenter;
  let urls: { oidcUrl: string; portalUrl: string; stsUrl: string };
  let oidc: SSOOIDCClient;

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
    oidc = new SSOOIDCClient({ endpoint: urls.oidcUrl, region: SSO_REGION, maxAttempts: 1 });
    await fs.mkdir(path.join(home, '.aws'), { recursive: true });
    await fs.writeFile(path.join(home, '.aws', 'config'), [
      `[sso-session ${SESSION}]`, `sso_start_url = ${START_URL}`, `sso_region = ${SSO_REGION}`, `sso_registration_scopes = ${ACCOUNT_ACCESS_SCOPE}`, '',
      '[profile x]', `sso_session = ${SESSION}`, `sso_account_id = ${ACCOUNT}`, `sso_role_name = ${ROLE}`, 'region = us-east-1', '',
    ].join('\n'));
    await fs.writeFile(path.join(home, '.aws', 'credentials'), '');
  });
  after(async () => {
    oidc?.destroy();
    await center?.stop();
    await sts?.stop();
    if (home) await removeTempDir(home);
  });

  /** A sign-in as `aws sso login` does it: registration, the browser's /authorize, the code exchange. */
  async function signIn(): Promise<CliToken> {
    const reg = await oidc.send(new RegisterClientCommand({
      clientName: `botocore-client-${SESSION}`, clientType: 'public', grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['http://127.0.0.1/oauth/callback'], issuerUrl: START_URL, scopes: [ACCOUNT_ACCESS_SCOPE],
    }));
    const verifier = randomBytes(48).toString('base64url');
    const redirectUri = 'http://127.0.0.1:43210/oauth/callback';
    const res = await get(`${urls.oidcUrl}/authorize?response_type=code&client_id=${encodeURIComponent(reg.clientId!)}&redirect_uri=${encodeURIComponent(redirectUri)}&state=s&code_challenge_method=S256&scopes=${encodeURIComponent(ACCOUNT_ACCESS_SCOPE)}&code_challenge=${codeChallengeS256(verifier)}`);
    assert.equal(res.status, 302);
    const code = new URL(res.location!).searchParams.get('code')!;
    const token = await oidc.send(new CreateTokenCommand({ grantType: 'authorization_code', clientId: reg.clientId!, clientSecret: reg.clientSecret!, code, codeVerifier: verifier, redirectUri }));
    assert.ok(token.refreshToken, 'a token with sso:account:access comes with a refresh token');
    return {
      startUrl: START_URL, region: SSO_REGION, accessToken: token.accessToken!, expiresAt: new Date(Date.now() + token.expiresIn! * 1000),
      clientId: reg.clientId!, clientSecret: reg.clientSecret!, registrationExpiresAt: new Date(reg.clientSecretExpiresAt! * 1000), refreshToken: token.refreshToken!,
    };
  }

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

  it('a cached token: GetRoleCredentials on the portal, then STS answers with the assumed role', async () => {
    const token = await signIn();
    await writeTokenLikeTheCli(home, SESSION, token);
    center.reset();
    const out = await callerIdentity();
    assert.equal(out.status, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { Arn: string }).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/alice@example.com`);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status]), [['GetRoleCredentials', 200]], 'no refresh while the token has hours left');
    const sent = center.requests[0];
    assert.deepEqual(sent.params, { role_name: ROLE, account_id: ACCOUNT });
    assert.equal(sent.bearer, fingerprint(token.accessToken));
  });

  it('a token with less than 15 minutes left: botocore refreshes it through the OIDC stand-in and rewrites the file', async () => {
    const token = await signIn();
    const file = await writeTokenLikeTheCli(home, SESSION, { ...token, expiresAt: new Date(Date.now() + 12 * 60_000) });
    center.reset();
    const out = await callerIdentity();
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(center.requests.map(r => [r.service, r.operation, r.status]), [['oidc', 'CreateToken', 200], ['portal', 'GetRoleCredentials', 200]]);

    // Exactly what botocore sends for a refresh.
    const refresh = center.requests[0];
    assert.deepEqual(refresh.params, { grantType: 'refresh_token', clientId: token.clientId, clientSecret: fingerprint(token.clientSecret), refreshToken: fingerprint(token.refreshToken!) });
    assert.equal(refresh.method, 'POST');
    assert.equal(refresh.path, '/token');
    assert.equal(refresh.contentType, 'application/json');
    assert.equal(refresh.headerNames.includes('authorization'), false, 'CreateToken is unsigned');

    const rewritten = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(rewritten), ['startUrl', 'region', 'accessToken', 'expiresAt', 'clientId', 'clientSecret', 'registrationExpiresAt', 'refreshToken']);
    assert.notEqual(rewritten.accessToken, token.accessToken);
    assert.notEqual(rewritten.refreshToken, token.refreshToken);
    assert.equal(center.isAccessTokenValid(rewritten.accessToken), true);
    assert.equal(center.refreshTokenState(rewritten.refreshToken), 'active');
    assert.match(rewritten.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(rewritten.expiresAt) - (Date.now() + 8 * 3600_000)) < 120_000, 'expiresAt is the new token\'s');
    assert.deepEqual([rewritten.startUrl, rewritten.region, rewritten.clientId, rewritten.clientSecret, rewritten.registrationExpiresAt],
      [START_URL, SSO_REGION, token.clientId, token.clientSecret, cliTimestamp(token.registrationExpiresAt)]);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal(center.requests[1].bearer, fingerprint(rewritten.accessToken), 'the role credentials were fetched with the new token');

    // The refresh token botocore used is spent.
    assert.equal(center.refreshTokenState(token.refreshToken!), 'used');
    await assert.rejects(
      oidc.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: token.clientId, clientSecret: token.clientSecret, refreshToken: token.refreshToken! })),
      (e: Error) => e.name === 'InvalidGrantException');
  });

  it('botocore reads the stand-in\'s errors: a refused refresh keeps the old token, an unknown token is UnauthorizedException (an expired session to the CLI)', async () => {
    const token = await signIn();
    center.revokeRefreshTokens();
    const file = await writeTokenLikeTheCli(home, SESSION, { ...token, expiresAt: new Date(Date.now() + 12 * 60_000) });
    center.reset();
    const out = await callerIdentity();
    // Outside the mandatory 10 minutes a failed refresh is only logged; the old token still works.
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(center.requests.map(r => [r.operation, r.status, r.errorCode]), [['CreateToken', 400, 'InvalidGrantException'], ['GetRoleCredentials', 200, undefined]]);
    assert.equal((JSON.parse(await fs.readFile(file, 'utf8')) as { accessToken: string }).accessToken, token.accessToken);

    await writeTokenLikeTheCli(home, SESSION, { ...token, accessToken: 'aoa-not-issued' });
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
    const refresh = ['sso-oidc', 'create-token', '--grant-type', 'refresh_token', '--client-id', token.clientId, '--refresh-token', token.refreshToken!];
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
    assert.equal(await errorOf([...refresh.slice(0, -2), '--refresh-token', 'aor-not-issued', '--client-secret', token.clientSecret]), 'InvalidGrantException');
  });
});
