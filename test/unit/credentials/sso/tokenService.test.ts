import * as assert from 'node:assert/strict';
import { writeFileSync, promises as fs } from 'node:fs';
import type { CreateTokenRequest, TokenResult } from '../../../../src/core/credentials/sso/ssoApi';
import type { SsoSession } from '../../../../src/core/credentials/sso/ssoConfig';
import { SsoSignInRequired } from '../../../../src/core/credentials/sso/ssoErrors';
import { readToken, serializeToken, tokenFilePath, writeToken, type SsoToken } from '../../../../src/core/credentials/sso/tokenCache';
import { SsoTokenService, type TokenProblem } from '../../../../src/core/credentials/sso/tokenService';
import { RoleSwitchError } from '../../../../src/core/errors';
import { makeTempDir, removeTempDir } from '../../../support/awsFiles';
import { deferred, FakeClock } from '../../../support/fakeClock';
import { RecordingSsoApi, ssoError } from '../../../support/recordingSsoApi';

const START_URL = 'https://d-1234567890.awsapps.com/start';
const CORP: SsoSession = { name: 'corp', startUrl: START_URL, region: 'eu-west-1', endpoints: { oidc: 'http://127.0.0.2:4510', portal: 'http://127.0.0.2:4511' } };
const MINUTE = 60_000;

describe('core: the IAM Identity Center token service', () => {
  let dir: string;
  let clock: FakeClock;
  let api: RecordingSsoApi;
  let loads: number;
  let secrets: string[];
  let problems: TokenProblem[];
  let service: SsoTokenService;
  let file: string;

  /** A token as `aws sso login` leaves it, expiring `minutes` from now. */
  const cliToken = (minutes: number, overrides: Partial<SsoToken> = {}): SsoToken => ({
    startUrl: START_URL,
    region: 'eu-west-1',
    accessToken: 'cli-access-token-Hq2',
    expiresAt: clock.now() + minutes * MINUTE,
    clientId: 'cli-client',
    clientSecret: 'cli-client-secret-Vb9',
    registrationExpiresAt: clock.now() + 30 * 24 * 60 * MINUTE,
    refreshToken: 'cli-refresh-token-Ws5',
    ...overrides,
  });
  const refreshCalls = () => api.of('CreateToken').map((c) => c.request as Extract<CreateTokenRequest, { grantType: 'refresh_token' }>);

  beforeEach(async () => {
    dir = await makeTempDir('sso-tokens-');
    clock = new FakeClock();
    api = new RecordingSsoApi(clock);
    loads = 0;
    secrets = [];
    problems = [];
    service = new SsoTokenService({
      apis: async () => (loads++, api),
      clock,
      cacheDir: dir,
      onSecret: (...values) => secrets.push(...values.filter((v): v is string => !!v)),
      report: (p) => problems.push(p),
    });
    file = tokenFilePath(CORP, dir);
  });
  afterEach(() => removeTempDir(dir));

  it('returns the file\'s token while 15 minutes or more remain, without loading the SDK, and hands its secrets to the redactor', async () => {
    await writeToken(file, cliToken(15));
    const token = await service.getToken(CORP);
    assert.deepEqual(token, { accessToken: 'cli-access-token-Hq2', expiresAt: clock.now() + 15 * MINUTE, refreshable: true, file });
    assert.equal(loads, 0);
    assert.equal(api.calls.length, 0);
    assert.deepEqual(new Set(secrets), new Set(['cli-access-token-Hq2', 'cli-refresh-token-Ws5', 'cli-client-secret-Vb9']));
    assert.equal(service.nextRefreshAt(token), clock.now());
  });

  it('refreshes inside the window, as botocore: CreateToken with the refresh token, the new token and refresh token written back for the CLI', async () => {
    // As older botocore wrote it, with %Z.
    await fs.writeFile(file, serializeToken(cliToken(14)).replace(/Z"/g, 'UTC"'));
    const token = await service.getToken(CORP);
    assert.deepEqual(refreshCalls(), [{ grantType: 'refresh_token', clientId: 'cli-client', clientSecret: 'cli-client-secret-Vb9', refreshToken: 'cli-refresh-token-Ws5' }]);
    assert.equal(api.of('CreateToken')[0].target.endpoint, 'http://127.0.0.2:4510');
    assert.deepEqual(await readToken(file), {
      ...cliToken(8 * 60),
      accessToken: 'access-0001-Rt7wPq',
      refreshToken: 'refresh-0001-Lm4vBn',
    });
    assert.equal(token.accessToken, 'access-0001-Rt7wPq');
    assert.equal(service.nextRefreshAt(token), clock.now() + 8 * 60 * MINUTE - 15 * MINUTE);
    assert.ok(secrets.includes('access-0001-Rt7wPq') && secrets.includes('refresh-0001-Lm4vBn'));
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  });

  it('keeps the old refresh token when the answer brings none', async () => {
    await writeToken(file, cliToken(5));
    api.script.CreateToken.push(() => api.token({ refreshToken: undefined }));
    await service.getToken(CORP);
    assert.equal((await readToken(file))?.refreshToken, 'cli-refresh-token-Ws5');
  });

  it('runs one refresh at a time per file: concurrent callers share it', async () => {
    await writeToken(file, cliToken(5));
    const gate = deferred<TokenResult>();
    api.script.CreateToken.push(() => gate.promise);
    const first = service.getToken(CORP);
    const second = service.getToken(CORP);
    await new Promise((r) => setImmediate(r));
    gate.resolve(api.token());
    const [a, b] = await Promise.all([first, second]);
    assert.equal(api.of('CreateToken').length, 1);
    assert.equal(a.accessToken, b.accessToken);
    // And the next caller reads the renewed file: no second refresh.
    await service.getToken(CORP);
    assert.equal(api.of('CreateToken').length, 1);
  });

  it('re-reads the file on every call: a token the CLI rotated meanwhile is used as it is', async () => {
    await writeToken(file, cliToken(5));
    const before = await service.getToken(CORP);
    assert.equal(api.of('CreateToken').length, 1);
    await writeToken(file, cliToken(60, { accessToken: 'rotated-by-cli-Jk1' }));
    assert.equal((await service.getToken(CORP)).accessToken, 'rotated-by-cli-Jk1');
    assert.notEqual(before.accessToken, 'rotated-by-cli-Jk1');
    assert.equal(api.of('CreateToken').length, 1);
  });

  it('re-reads the file right before refreshing: the refresh token the CLI just rotated is the one sent', async () => {
    await writeToken(file, cliToken(5));
    let reads = 0;
    const racing = new SsoTokenService({
      apis: async () => api,
      clock,
      cacheDir: dir,
      // The first read is the check; between it and the refresh, the CLI rotates the file.
      onSecret: () => {
        if (++reads === 1) writeFileSync(file, serializeToken(cliToken(6, { refreshToken: 'rotated-refresh-Yt3' })));
      },
    });
    await racing.getToken(CORP);
    assert.deepEqual(refreshCalls().map((c) => c.refreshToken), ['rotated-refresh-Yt3']);
  });

  it('keeps using a still-valid token when the refresh fails (reported), and tries again after a minute, not before', async () => {
    await writeToken(file, cliToken(12));
    api.script.CreateToken.push(ssoError('NetworkError', 'connect ECONNREFUSED 127.0.0.2:4510', 0));
    const token = await service.getToken(CORP);
    assert.equal(token.accessToken, 'cli-access-token-Hq2');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].kind, 'refreshFailed');
    assert.match(problems[0].message, /sso-session "corp" failed \(NetworkError: connect ECONNREFUSED 127\.0\.0\.2:4510\)\. The current token stays in use until it expires\./);
    assert.equal(service.nextRefreshAt(token), clock.now() + MINUTE);

    clock.advance(MINUTE - 1);
    await service.getToken(CORP);
    assert.equal(api.of('CreateToken').length, 1, 'not again within the minute');
    clock.advance(1);
    assert.equal((await service.getToken(CORP)).accessToken, 'access-0001-Rt7wPq');
    assert.equal(api.of('CreateToken').length, 2);
  });

  it('an expired token whose refresh fails in transit is an error to retry, not a sign-in', async () => {
    await writeToken(file, cliToken(-1));
    api.script.CreateToken.push(ssoError('TimeoutError', 'Request timed out', 0));
    await assert.rejects(service.getToken(CORP), (e: unknown) => e instanceof RoleSwitchError && !(e instanceof SsoSignInRequired) && e.code === 'Timeout' && /has expired and could not be renewed/.test(e.message));
  });

  it('a refused refresh of an expired token asks for a sign-in naming the sso-session and the command, and is not sent again', async () => {
    await writeToken(file, cliToken(-1));
    api.script.CreateToken.push(ssoError('InvalidGrantException', 'Refresh token has expired'));
    const check = (e: unknown) => {
      assert.ok(e instanceof SsoSignInRequired);
      assert.equal(e.code, 'SsoSignInRequired');
      assert.equal(e.ssoSession, 'corp');
      assert.equal(e.reason, 'refused');
      assert.match(e.message, /refused to renew the sign-in of sso-session "corp" \(InvalidGrantException\)\. Run "AWS: Sign In to IAM Identity Center" for "corp"\./);
      return true;
    };
    await assert.rejects(service.getToken(CORP), check);
    clock.advance(5 * MINUTE);
    await assert.rejects(service.getToken(CORP), check);
    assert.equal(api.of('CreateToken').length, 1);
    assert.equal(problems[0].kind, 'refreshRefused');
  });

  for (const name of ['InvalidClientException', 'UnauthorizedClientException']) {
    it(`treats ${name} as a refusal; while the token is valid it stays in use and is no longer refreshable`, async () => {
      await writeToken(file, cliToken(10));
      api.script.CreateToken.push(ssoError(name));
      const token = await service.getToken(CORP);
      assert.equal(token.accessToken, 'cli-access-token-Hq2');
      assert.equal(token.refreshable, false);
      assert.equal(service.nextRefreshAt(token), undefined);
      assert.equal(problems[0].kind, 'refreshRefused');
      assert.match(problems[0].message, /then run "AWS: Sign In to IAM Identity Center"/);
      clock.advance(11 * MINUTE);
      await assert.rejects(service.getToken(CORP), (e: unknown) => e instanceof SsoSignInRequired && e.reason === 'refused');
      assert.equal(api.of('CreateToken').length, 1);
    });
  }

  it('asks for a sign-in, without calling anything, when the token is missing or expired and cannot be renewed', async () => {
    await assert.rejects(service.getToken(CORP), (e: unknown) => e instanceof SsoSignInRequired && e.reason === 'missing' && /not signed in to IAM Identity Center for sso-session "corp"/.test(e.message));
    await writeToken(file, cliToken(-1, { refreshToken: undefined }));
    await assert.rejects(service.getToken(CORP), (e: unknown) => e instanceof SsoSignInRequired && e.reason === 'notRenewable');
    await writeToken(file, cliToken(-1, { registrationExpiresAt: clock.now() - 1000 }));
    await assert.rejects(service.getToken(CORP), (e: unknown) => e instanceof SsoSignInRequired && e.reason === 'registrationExpired' && /client registration/.test(e.message));
    const legacy: SsoSession = { startUrl: START_URL, region: 'eu-west-1' };
    await writeToken(tokenFilePath(legacy, dir), cliToken(-1));
    await assert.rejects(service.getToken(legacy), (e: unknown) => e instanceof SsoSignInRequired && e.ssoSession === undefined && /without an sso-session never renews/.test(e.message));
    assert.equal(loads, 0);
  });

  it('never refreshes a legacy token, but uses it while it lasts', async () => {
    const legacy: SsoSession = { startUrl: START_URL, region: 'eu-west-1' };
    await writeToken(tokenFilePath(legacy, dir), cliToken(5));
    const token = await service.getToken(legacy);
    assert.equal(token.accessToken, 'cli-access-token-Hq2');
    assert.equal(token.refreshable, false);
    assert.equal(service.nextRefreshAt(token), undefined);
    assert.equal(api.calls.length, 0);
  });

  it('signs out: the portal\'s Logout with the token, then the file is gone', async () => {
    await writeToken(file, cliToken(60));
    await service.signOut(CORP);
    assert.deepEqual(api.of('Logout').map((c) => [c.target.endpoint, c.request]), [['http://127.0.0.2:4511', { accessToken: 'cli-access-token-Hq2' }]]);
    assert.equal(await readToken(file), undefined);
    await assert.rejects(service.getToken(CORP), SsoSignInRequired);
  });

  it('deletes the file even when Logout fails, and reports the failure', async () => {
    await writeToken(file, cliToken(60));
    api.script.Logout.push(ssoError('NetworkError', 'getaddrinfo ENOTFOUND portal.sso.eu-west-1.amazonaws.com', 0));
    await service.signOut(CORP);
    assert.equal(await readToken(file), undefined);
    assert.equal(problems[0].kind, 'logoutFailed');
    assert.match(problems[0].message, /Logout failed for sso-session "corp" \(NetworkError: .*\); the local token was deleted anyway\./);
    // Signing out with nothing to sign out of is fine.
    await service.signOut(CORP);
  });

  it('puts no token or secret in any error or report', async () => {
    const messages: string[] = [];
    const collect = (e: unknown) => void messages.push((e as Error).message);
    await writeToken(file, cliToken(-1));
    api.script.CreateToken.push(ssoError('InvalidGrantException', 'Invalid refresh token'));
    await service.getToken(CORP).catch(collect);
    await writeToken(file, cliToken(-1, { refreshToken: 'another-refresh-Pp0' }));
    api.script.CreateToken.push(ssoError('InternalServerException', 'Internal error', 500));
    await service.getToken(CORP).catch(collect);
    api.script.Logout.push(ssoError('UnauthorizedException', 'Session token not found or invalid', 401));
    await writeToken(file, cliToken(60));
    await service.signOut(CORP);
    messages.push(...problems.map((p) => p.message));
    assert.equal(messages.length, 5);
    for (const m of messages) for (const s of [...secrets, ...api.secrets]) assert.ok(!m.includes(s), `"${m}" holds a secret`);
  });
});
