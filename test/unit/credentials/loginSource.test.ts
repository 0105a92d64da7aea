/**
 * `aws login` (login_session) profiles as a credential source: first through a fake
 * CredentialSourceApi (what core asks for, and how failures become AwsLoginRequired), then through
 * the AWS SDK's real provider (@aws-sdk/credential-provider-login) reading a cache file in the
 * AWS CLI's format, refreshing against the loopback sign-in stand-in, and the real STS client
 * against the LoopbackSts.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { systemClock } from '../../../src/core/clock';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { createCredentialSourceApi } from '../../../src/core/credentials/sdkCredentialSources';
import { AwsLoginRequired, type CredentialSourceApi, type LoginSettings, type SourceRequest } from '../../../src/core/credentials/sourceCredentials';
import { createStsApi } from '../../../src/core/credentials/stsClient';
import { resolveSession, type ResolveDeps } from '../../../src/core/session/resolveSession';
import type { Env } from '../../../src/core/config/filePaths';
import { rejectsCode } from '../../support/assertions';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { FakeClock } from '../../support/fakeClock';
import { FakeSigninService, loginCacheFileName, newDpopKey, readLoginCache, writeLoginCache } from '../../support/fakeSigninService';
import { LoopbackSts } from '../../support/loopbackSts';
import { RecordingStsApi } from '../../support/recordingStsApi';

const LOGIN = 'arn:aws:sts::111111111111:assumed-role/Console/alice';
const CONSOLE_ROLE = 'arn:aws:iam::111111111111:role/Console';
const TARGET = 'arn:aws:iam::222222222222:role/Target';

const CONFIG = `
  [profile console]
  login_session = ${LOGIN}
  region = eu-west-2

  [profile no-region]
  login_session = ${LOGIN}

  [profile via-console]
  role_arn = ${TARGET}
  source_profile = console

  [profile via-console-long]
  role_arn = ${TARGET}
  source_profile = console
  duration_seconds = 7200
`;

describe('core/credentials: aws login (login_session) as a credential source', () => {
  let dir: string;
  let set: ProfileSet;

  before(async () => {
    dir = await makeTempDir('login-source-');
    set = await profileSetFrom(dir, CONFIG);
  });
  after(() => removeTempDir(dir));

  describe('through a fake CredentialSourceApi', () => {
    let clock: FakeClock;
    let sts: RecordingStsApi;
    let asked: (SourceRequest & { login: LoginSettings })[];
    let answer: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

    beforeEach(() => {
      clock = new FakeClock();
      sts = new RecordingStsApi(clock);
      sts.identity = { arn: LOGIN, account: '111111111111', userId: 'AROACONSOLE:alice' };
      asked = [];
      answer = async () => ({ accessKeyId: 'ASIALOGIN00000000001', secretAccessKey: 'login-secret-1', sessionToken: 'login-token-1', expiration: new Date(clock.now() + 900_000) });
    });

    const deps = (env: Env = {}): ResolveDeps => ({
      loadSts: async () => sts,
      loadSources: async () =>
        ({
          login: async (r: SourceRequest & { login: LoginSettings }) => {
            asked.push(r);
            return answer();
          },
        }) as unknown as CredentialSourceApi,
      mfaCode: async () => undefined,
      clock,
      env,
      sessionName: () => 'tester',
    });

    it('picked directly: the login session, region and sign-in endpoint go to the provider; a session of kind login with its expiry', async () => {
      const session = await resolveSession(set, 'console', deps({ AWS_ENDPOINT_URL_SIGNIN: 'http://127.0.0.1:9/signin', AWS_ENDPOINT_URL: 'http://127.0.0.1:9/all' }));
      assert.equal(asked.length, 1);
      assert.equal(asked[0].profile.name, 'console');
      assert.deepEqual(asked[0].login, { session: LOGIN, region: 'eu-west-2', endpoint: 'http://127.0.0.1:9/signin' });
      assert.equal(session.kind, 'login');
      assert.equal(session.arn, LOGIN);
      assert.equal(session.roleName, 'Console');
      assert.equal(session.expiresAt, clock.now() + 900_000);
      assert.equal(session.credentials.accessKeyId, 'ASIALOGIN00000000001');
      assert.deepEqual(sts.calls.map((c) => c.op), ['GetCallerIdentity']);
    });

    it("without a region of its own the session's region is used, and AWS_ENDPOINT_URL when there is no AWS_ENDPOINT_URL_SIGNIN", async () => {
      await resolveSession(set, 'no-region', deps({ AWS_REGION: 'ap-southeast-2', AWS_ENDPOINT_URL: 'http://127.0.0.1:9/all' }));
      assert.deepEqual(asked[0].login, { session: LOGIN, region: 'ap-southeast-2', endpoint: 'http://127.0.0.1:9/all' });
    });

    it('as the source of a role: AssumeRole is signed with the login credentials, and it is role chaining', async () => {
      const session = await resolveSession(set, 'via-console', deps());
      assert.equal(sts.calls[0].op, 'AssumeRole');
      assert.equal(sts.calls[0].options.credentials.accessKeyId, 'ASIALOGIN00000000001');
      assert.equal(session.kind, 'role');
      assert.equal(session.chained, true);
      assert.deepEqual(session.chain, ['via-console', 'console']);
    });

    it('every resolve asks the provider again: a refresh is never answered from something remembered', async () => {
      let n = 0;
      answer = async () => ({ accessKeyId: `ASIALOGIN0000000000${++n}`, secretAccessKey: 'x', sessionToken: 'y', expiration: new Date(clock.now() + 900_000) });
      const first = await resolveSession(set, 'console', deps());
      const second = await resolveSession(set, 'console', deps());
      assert.equal(asked.length, 2);
      assert.notEqual(first.credentials.accessKeyId, second.credentials.accessKeyId);
    });

    const failures: [string, string, RegExp][] = [
      ["Failed to load token from /home/u/.aws/login/cache/ab12.json: Error: ENOENT: no such file or directory, open '/home/u/.aws/login/cache/ab12.json'", 'missing', /is missing \(no \/home\/u\/\.aws\/login\/cache\/ab12\.json\)/],
      ['Your session has expired. Please reauthenticate.', 'expired', /has expired/],
      ['Unable to refresh credentials because of a change in your password. Please reauthenticate with your new password.', 'password', /password changed/],
      ['Failed to refresh token: TimeoutError: socket hang up. Please re-authenticate using aws login', 'unreachable after expiry', /could not be refreshed \(Failed to refresh token: TimeoutError: socket hang up\)/],
      ['Failed to generate Dpop proof: error:1E08010C:DECODER routines::unsupported', 'bad key', /proof-of-possession key is unreadable/],
    ];
    for (const [text, what, message] of failures) {
      it(`a login that is ${what}: AwsLoginRequired with "aws login --profile console"`, async () => {
        answer = () => Promise.reject(new Error(text));
        const e = await rejectsCode(resolveSession(set, 'console', deps()), 'AwsLoginRequired', /aws login of profile "console"/, message, /Run "aws login --profile console"/);
        assert.ok(e instanceof AwsLoginRequired);
        assert.deepEqual(e.login.args, ['login', '--profile', 'console']);
        assert.equal(e.profile, 'console');
        assert.equal(sts.calls.length, 0);
      });
    }

    it("for a role's source: signs in to the source profile, and the error belongs to the picked profile", async () => {
      answer = () => Promise.reject(new Error('Your session has expired. Please reauthenticate.'));
      const e = await rejectsCode(resolveSession(set, 'via-console', deps()), 'AwsLoginRequired', /"console" \(the source of "via-console"\)/);
      assert.deepEqual((e as AwsLoginRequired).login.args, ['login', '--profile', 'console']);
      assert.equal(e.profile, 'via-console');
    });

    it('a cache file that does not parse is described, never quoted (a JSON error shows a piece of the file)', async () => {
      answer = () => Promise.reject(new Error(`Failed to load token from /c/ab.json: SyntaxError: Unexpected token 'r', "{"refreshToken":"secret-refresh-token-123" is not valid JSON`));
      const e = await rejectsCode(resolveSession(set, 'console', deps()), 'AwsLoginRequired', /\/c\/ab\.json is unreadable or incomplete/);
      assert.ok(!e.message.includes('secret-refresh-token'), e.message);
    });

    it('missing permission to refresh is not a sign-in problem: AccessDenied with the policy to attach', async () => {
      answer = () => Promise.reject(new Error("Unable to refresh credentials due to insufficient permissions. You may be missing permission for the 'CreateOAuth2Token' action."));
      await rejectsCode(resolveSession(set, 'console', deps()), 'AccessDenied', /SignInLocalDevelopmentAccess/);
    });
  });

  describe("through the AWS SDK's login provider, a real cache file and the loopback sign-in service", function () {
    this.timeout(30000);
    let sts: LoopbackSts;
    let stsUrl: string;
    let signin: FakeSigninService;
    let cacheDir: string;
    const savedEnv = { ...process.env };

    before(async () => {
      sts = new LoopbackSts({ users: [], roles: [{ arn: TARGET, trustedPrincipals: [CONSOLE_ROLE], maxSessionDuration: 43200 }] });
      stsUrl = (await sts.start()).url;
      signin = new FakeSigninService(sts, () => CONSOLE_ROLE);
      await signin.start();
      cacheDir = path.join(dir, 'login-cache');
      // The SDK reads the cache directory from the process environment, as the AWS CLI does.
      process.env.AWS_LOGIN_CACHE_DIRECTORY = cacheDir;
      process.env.HOME = dir;
      delete process.env.AWS_PROFILE;
      delete process.env.AWS_REGION;
    });
    after(async () => {
      process.env = savedEnv;
      await Promise.all([sts.stop(), signin.stop()]);
    });
    beforeEach(async () => {
      sts.reset();
      signin.requests.length = 0;
      await fs.rm(cacheDir, { recursive: true, force: true });
    });

    const resolve = (profile: string, env: Env = {}) =>
      resolveSession(set, profile, {
        loadSts: async () => createStsApi({ requestTimeoutMs: 5000, maxAttempts: 1 }),
        loadSources: async () => createCredentialSourceApi({ timeoutMs: 5000 }),
        mfaCode: async () => undefined,
        clock: systemClock,
        env: { AWS_ENDPOINT_URL_STS: stsUrl, AWS_ENDPOINT_URL_SIGNIN: signin.url, ...env },
        sessionName: () => 'tester-vscode',
      });

    const login = (expiresAt: Date) => writeLoginCache(cacheDir, LOGIN, signin.signIn(LOGIN, { expiresAt }));

    it('a valid cached login: its credentials as they are, no request to the sign-in service, and STS accepts them', async () => {
      const cache = signin.signIn(LOGIN, { expiresAt: new Date(Date.now() + 14 * 60_000) });
      const file = await writeLoginCache(cacheDir, LOGIN, cache);
      assert.equal(path.basename(file), loginCacheFileName(LOGIN));
      const session = await resolve('console');
      assert.equal(session.kind, 'login');
      assert.equal(session.credentials.accessKeyId, cache.accessToken.accessKeyId);
      assert.equal(session.credentials.sessionToken, cache.accessToken.sessionToken);
      assert.equal(session.expiresAt, Date.parse(cache.accessToken.expiresAt));
      assert.equal(session.arn, 'arn:aws:sts::111111111111:assumed-role/Console/alice');
      assert.deepEqual(signin.requests, []);
      assert.deepEqual(sts.requests.map((r) => [r.action, r.status]), [['GetCallerIdentity', 200]]);
    });

    it('an expired login: refreshed with a DPoP proof, the new credentials written back where the AWS CLI reads them', async () => {
      const before = await readLoginCache(cacheDir, LOGIN).catch(() => undefined);
      assert.equal(before, undefined);
      await login(new Date(Date.now() - 60_000));
      const old = await readLoginCache(cacheDir, LOGIN);
      const session = await resolve('console');
      assert.deepEqual(signin.requests.map((r) => [r.method, r.path, r.status, r.refusal]), [['POST', '/v1/token', 200, undefined]]);
      assert.equal(signin.requests[0].proof?.htu, `${signin.url}/v1/token`);
      assert.equal(signin.requests[0].proof?.htm, 'POST');
      const now = await readLoginCache(cacheDir, LOGIN);
      assert.notEqual(now.accessToken.accessKeyId, old.accessToken.accessKeyId);
      assert.notEqual(now.refreshToken, old.refreshToken, 'the rotated refresh token is stored');
      assert.equal(now.dpopKey, old.dpopKey);
      assert.equal(now.accessToken.accountId, '111111111111');
      assert.equal(session.credentials.accessKeyId, now.accessToken.accessKeyId);
      assert.ok(session.expiresAt && session.expiresAt > Date.now() + 14 * 60_000, 'a fresh 15 minutes');
      assert.deepEqual(sts.requests.map((r) => [r.action, r.status]), [['GetCallerIdentity', 200]]);
      // The next resolve (a background refresh) reads the file again and needs no refresh.
      await resolve('console');
      assert.equal(signin.requests.length, 1);
    });

    it('less than 5 minutes left: refreshed before it expires (the SDK and CLI window)', async () => {
      await login(new Date(Date.now() + 4 * 60_000));
      await resolve('console');
      assert.deepEqual(signin.requests.map((r) => r.status), [200]);
    });

    it('as the source of a role: the refreshed login assumes it, and STS caps it as role chaining', async () => {
      await login(new Date(Date.now() - 1000));
      const session = await resolve('via-console');
      assert.equal(sts.requests.find((r) => r.action === 'AssumeRole')?.callerArn, 'arn:aws:sts::111111111111:assumed-role/Console/alice');
      assert.equal(session.roleArn, TARGET);
      await login(new Date(Date.now() + 10 * 60_000));
      await assert.rejects(resolve('via-console-long'), /chain|3600|one hour/i);
    });

    it('no cached login: AwsLoginRequired, nothing sent anywhere', async () => {
      const e = await rejectsCode(resolve('console'), 'AwsLoginRequired', /is missing/, new RegExp(loginCacheFileName(LOGIN)), /aws login --profile console/);
      assert.deepEqual((e as AwsLoginRequired).login.args, ['login', '--profile', 'console']);
      assert.deepEqual(signin.requests, []);
      assert.deepEqual(sts.requests, []);
    });

    it('a login whose 12 hours are over: the refusal (TOKEN_EXPIRED) becomes AwsLoginRequired, and the old credentials are not used', async () => {
      const cache = signin.signIn(LOGIN, { expiresAt: new Date(Date.now() - 1000) });
      await writeLoginCache(cacheDir, LOGIN, cache);
      signin.endLogin(LOGIN);
      const e = await rejectsCode(resolve('console'), 'AwsLoginRequired', /has expired/, /aws login --profile console/);
      assert.ok(!e.message.includes(cache.refreshToken) && !e.message.includes(cache.accessToken.secretAccessKey), e.message);
      assert.deepEqual(signin.requests.map((r) => r.status), [400]);
      assert.deepEqual(sts.requests, []);
    });

    it('a refresh token is good once: the file from before a refresh is refused afterwards', async () => {
      const cache = signin.signIn(LOGIN, { expiresAt: new Date(Date.now() - 1000) });
      const stale = JSON.stringify(cache);
      await writeLoginCache(cacheDir, LOGIN, cache);
      await resolve('console');
      await fs.writeFile(path.join(cacheDir, loginCacheFileName(LOGIN)), stale);
      await rejectsCode(resolve('console'), 'AwsLoginRequired', /has expired/);
      assert.deepEqual(signin.requests.map((r) => r.status), [200, 400]);
    });

    it('a refresh token only works with the key it was bound to', async () => {
      const cache = signin.signIn(LOGIN, { expiresAt: new Date(Date.now() - 1000) });
      await writeLoginCache(cacheDir, LOGIN, { ...cache, dpopKey: newDpopKey().pem });
      await rejectsCode(resolve('console'), 'AwsLoginRequired', /could not be refreshed/);
      assert.match(signin.requests[0]?.refusal ?? '', /not the one the refresh token is bound to/);
    });

    it('with no sign-in endpoint override, a valid cached login is used as it is (nothing is sent to AWS)', async () => {
      await login(new Date(Date.now() + 14 * 60_000));
      const sources = createCredentialSourceApi({ timeoutMs: 5000 });
      const creds = await sources.login({ profile: set.profiles.get('console')!, paths: set.files.paths, login: { session: LOGIN, region: 'eu-west-2' } });
      assert.equal(creds.accessKeyId, (await readLoginCache(cacheDir, LOGIN)).accessToken.accessKeyId);
      assert.deepEqual(signin.requests, []);
    });
  });
});
