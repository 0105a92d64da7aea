/**
 * Every credential source the AWS CLI supports, resolved through the AWS SDK's real providers
 * (credentialSources.ts) and the real STS client, against loopback stand-ins for the AWS
 * endpoints involved: the strict loopback STS (SigV4 checked, role-chaining limits enforced), the
 * IAM Identity Center portal, EC2 instance metadata (IMDSv2) and the container endpoint.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createCredentialSourceApi } from '../../../src/core/credentials/sdkCredentialSources';
import { RoleSwitchError } from '../../../src/core/errors';
import { systemClock } from '../../../src/core/clock';
import { resolveSession, type ResolveDeps } from '../../../src/core/session/resolveSession';
import { SsoLoginRequired } from '../../../src/core/credentials/sourceCredentials';
import { createStsApi } from '../../../src/core/credentials/stsClient';
import type { Env } from '../../../src/core/config/filePaths';
import { FakeContainerCredentials, FakeInstanceMetadata, FakeSsoPortal } from '../../support/fakeCredentialEndpoints';
import { LoopbackSts } from '../../support/loopbackSts';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

const ALICE = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIASOURCESALICE0001', secretAccessKey: 'alice-sources-secret-000000000000000001' };
const ROLE = {
  target: 'arn:aws:iam::222222222222:role/Target',
  web: 'arn:aws:iam::333333333333:role/WebApp',
  instance: 'arn:aws:iam::444444444444:role/InstanceRole',
  task: 'arn:aws:iam::555555555555:role/TaskRole',
};
const SSO_ACCOUNT = '666666666666';
const SSO_ROLE_ARN = FakeSsoPortal.roleArn(SSO_ACCOUNT, 'PowerUser');
const SSO_TOKEN = 'sso-access-token-for-tests-0001';
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.fake-oidc-token.signature';

describe('Credential sources through the AWS SDK providers', function () {
  this.timeout(30000);
  let dir: string;
  let sts: LoopbackSts;
  let stsUrl: string;
  let portal: FakeSsoPortal;
  let imds: FakeInstanceMetadata;
  let container: FakeContainerCredentials;
  const savedEnv = { ...process.env };

  before(async () => {
    dir = await makeTempDir('sources-');
    sts = new LoopbackSts({
      users: [ALICE],
      roles: [
        // Trusted by alice's account, the SSO permission-set role, the instance role and the task role.
        { arn: ROLE.target, trustedPrincipals: [ALICE.arn, SSO_ROLE_ARN, ROLE.instance, ROLE.task, ROLE.web], maxSessionDuration: 43200 },
        { arn: ROLE.web, trustedPrincipals: [], webIdentityTokens: [OIDC_TOKEN] },
      ],
    });
    stsUrl = (await sts.start()).url;
    portal = new FakeSsoPortal(sts);
    portal.allow(SSO_TOKEN, SSO_ACCOUNT, 'PowerUser');
    await portal.start();
    imds = new FakeInstanceMetadata(sts, ROLE.instance);
    await imds.start();
    container = new FakeContainerCredentials(sts, ROLE.task);
    await container.start();
    // The SDK's SSO token cache and IMDS endpoint come from the process environment.
    process.env.HOME = dir;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.url;
    delete process.env.AWS_PROFILE;
    await fs.mkdir(path.join(dir, '.aws', 'sso', 'cache'), { recursive: true });
    await fs.writeFile(path.join(dir, 'token'), OIDC_TOKEN);
    await fs.writeFile(path.join(dir, 'creds.js'), `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(ALICE.accessKeyId)}, SecretAccessKey: ${JSON.stringify(ALICE.secretAccessKey)} }))`);
    await fs.writeFile(path.join(dir, 'bad.js'), `process.stdout.write('not json')`);
  });

  after(async () => {
    process.env = savedEnv;
    await Promise.all([sts.stop(), portal.stop(), imds.stop(), container.stop()]);
    await removeTempDir(dir);
  });

  beforeEach(() => sts.reset());

  const config = () => `
    [profile via-process]
    role_arn = ${ROLE.target}
    source_profile = proc

    [profile proc]
    credential_process = node ${path.join(dir, 'creds.js')}

    [profile bad-proc]
    credential_process = node ${path.join(dir, 'bad.js')}

    [profile via-env]
    role_arn = ${ROLE.target}
    credential_source = Environment

    [profile via-imds]
    role_arn = ${ROLE.target}
    credential_source = Ec2InstanceMetadata

    [profile via-ecs]
    role_arn = ${ROLE.target}
    credential_source = EcsContainer

    [profile web]
    role_arn = ${ROLE.web}
    web_identity_token_file = ${path.join(dir, 'token')}
    role_session_name = ci-job-42

    [profile via-web]
    role_arn = ${ROLE.target}
    source_profile = web

    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = eu-west-1
    sso_registration_scopes = sso:account:access

    [profile sso-power]
    sso_session = corp
    sso_account_id = ${SSO_ACCOUNT}
    sso_role_name = PowerUser
    region = eu-west-1

    [profile legacy-sso]
    sso_start_url = https://legacy.awsapps.com/start
    sso_region = eu-west-1
    sso_account_id = ${SSO_ACCOUNT}
    sso_role_name = PowerUser

    [profile via-sso]
    role_arn = ${ROLE.target}
    source_profile = sso-power

    [profile via-sso-long]
    role_arn = ${ROLE.target}
    source_profile = sso-power
    duration_seconds = 7200
  `;

  async function resolve(profile: string, env: Env = {}) {
    const set = await profileSetFrom(dir, config());
    const deps: ResolveDeps = {
      loadSts: async () => createStsApi({ requestTimeoutMs: 5000, maxAttempts: 1 }),
      loadSources: async () => createCredentialSourceApi({ timeoutMs: 5000 }),
      mfaCode: async () => undefined,
      clock: systemClock,
      env: { AWS_ENDPOINT_URL_STS: stsUrl, AWS_ENDPOINT_URL_SSO: portal.url, ...env },
      sessionName: () => 'tester-vscode',
    };
    return resolveSession(set, profile, deps);
  }

  async function writeSsoToken(cacheKey: string, expiresInMs: number) {
    const file = path.join(dir, '.aws', 'sso', 'cache', `${createHash('sha1').update(cacheKey).digest('hex')}.json`);
    await fs.writeFile(file, JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', accessToken: SSO_TOKEN, expiresAt: new Date(Date.now() + expiresInMs).toISOString() }));
    return file;
  }

  it('credential_process: runs the command and assumes the role with what it printed', async () => {
    const session = await resolve('via-process');
    const [call] = sts.requests.filter((r) => r.action === 'AssumeRole');
    assert.equal(call.accessKeyId, ALICE.accessKeyId);
    assert.equal(call.status, 200);
    assert.equal(session.arn, 'arn:aws:sts::222222222222:assumed-role/Target/tester-vscode');
    assert.deepEqual(session.chain, ['via-process', 'proc']);
  });

  it('credential_process picked directly: a session of its own, identity from GetCallerIdentity', async () => {
    const session = await resolve('proc');
    assert.equal(session.kind, 'process');
    assert.equal(session.arn, ALICE.arn);
    assert.deepEqual(sts.requests.map((r) => r.action), ['GetCallerIdentity']);
  });

  it('credential_process that prints garbage: a message naming the profile and the contract', async () => {
    await assert.rejects(resolve('bad-proc'), (e: RoleSwitchError) => {
      assert.equal(e.code, 'NoCredentials');
      assert.match(e.message, /credential_process of profile "bad-proc" failed/);
      assert.match(e.message, /Version 1/);
      return true;
    });
  });

  it('credential_source = Environment: the keys of the editor process', async () => {
    await resolve('via-env', { AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey });
    assert.equal(sts.requests.find((r) => r.action === 'AssumeRole')?.accessKeyId, ALICE.accessKeyId);
    await assert.rejects(resolve('via-env'), /was not started with AWS_ACCESS_KEY_ID/);
  });

  it('credential_source = Ec2InstanceMetadata: IMDSv2 token, role name, then credentials', async () => {
    const session = await resolve('via-imds');
    const call = sts.requests.find((r) => r.action === 'AssumeRole');
    assert.equal(call?.status, 200);
    assert.equal(call?.callerArn, 'arn:aws:sts::444444444444:assumed-role/InstanceRole/i-0123456789abcdef0');
    assert.ok(imds.requests.some((r) => r.method === 'PUT' && r.path === '/latest/api/token'));
    assert.equal(session.roleArn, ROLE.target);
  });

  it('credential_source = EcsContainer: the full URI with its authorization token', async () => {
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/v2/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: container.authorizationToken };
    await resolve('via-ecs', env);
    assert.equal(sts.requests.find((r) => r.action === 'AssumeRole')?.callerArn, 'arn:aws:sts::555555555555:assumed-role/TaskRole/ecs-task-0123');
    await assert.rejects(resolve('via-ecs', { ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'wrong' }), /credential_source = EcsContainer/);
    await assert.rejects(resolve('via-ecs'), /only works inside a container/);
  });

  it('web identity picked directly: AssumeRoleWithWebIdentity with the token file and role_session_name', async () => {
    const session = await resolve('web');
    const call = sts.requests.find((r) => r.action === 'AssumeRoleWithWebIdentity');
    assert.equal(call?.params.WebIdentityToken, OIDC_TOKEN);
    assert.equal(call?.params.RoleSessionName, 'ci-job-42');
    assert.equal(session.kind, 'webIdentity');
    assert.equal(session.arn, 'arn:aws:sts::333333333333:assumed-role/WebApp/ci-job-42');
    assert.ok(session.expiresAt && session.expiresAt > Date.now());
  });

  it('web identity as a source: the next hop is assumed with the web identity session', async () => {
    await resolve('via-web');
    const call = sts.requests.find((r) => r.action === 'AssumeRole');
    assert.equal(call?.callerArn, 'arn:aws:sts::333333333333:assumed-role/WebApp/ci-job-42');
  });

  it('IAM Identity Center (sso-session): the cached token buys role credentials; a role from them is chained', async () => {
    const file = await writeSsoToken('corp', 3600_000);
    try {
      const direct = await resolve('sso-power');
      assert.equal(direct.kind, 'sso');
      assert.equal(direct.accountId, SSO_ACCOUNT);
      assert.match(direct.arn, /assumed-role\/AWSReservedSSO_PowerUser_/);
      assert.equal(portal.requests.at(-1)?.headers['x-amz-sso_bearer_token'], SSO_TOKEN);
      const chained = await resolve('via-sso');
      assert.equal(chained.roleArn, ROLE.target);
      // STS treats an AssumeRole from an SSO role session as role chaining: one hour at most.
      await assert.rejects(resolve('via-sso-long'), /chain|3600|one hour/i);
    } finally {
      await fs.rm(file, { force: true });
    }
  });

  it('IAM Identity Center without a token: SsoLoginRequired with the aws sso login command', async () => {
    await assert.rejects(resolve('sso-power'), (e: unknown) => {
      assert.ok(e instanceof SsoLoginRequired, String(e));
      assert.deepEqual(e.login.args, ['sso', 'login', '--sso-session', 'corp']);
      assert.match(e.message, /"sso-power"/);
      return true;
    });
    await assert.rejects(resolve('via-sso'), (e: unknown) => e instanceof SsoLoginRequired && /source of "via-sso"/.test(e.message));
  });

  it('legacy sso_start_url profiles: token cached under the start URL; expired says expired', async () => {
    const file = await writeSsoToken('https://legacy.awsapps.com/start', 3600_000);
    const session = await resolve('legacy-sso');
    assert.equal(session.accountId, SSO_ACCOUNT);
    await writeSsoToken('https://legacy.awsapps.com/start', -60_000);
    await assert.rejects(resolve('legacy-sso'), (e: unknown) => {
      assert.ok(e instanceof SsoLoginRequired);
      assert.deepEqual(e.login.args, ['sso', 'login', '--profile', 'legacy-sso']);
      assert.match(e.message, /has expired/);
      return true;
    });
    await fs.rm(file, { force: true });
  });

  it('never puts a secret in an error message', async () => {
    const messages: string[] = [];
    for (const p of ['bad-proc', 'via-env', 'sso-power']) {
      await resolve(p).catch((e: Error) => messages.push(e.message));
    }
    assert.equal(messages.length, 3);
    for (const m of messages) {
      assert.ok(!m.includes(ALICE.secretAccessKey) && !m.includes(SSO_TOKEN) && !m.includes(OIDC_TOKEN), m);
    }
  });
});
