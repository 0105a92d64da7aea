import * as assert from 'node:assert/strict';
import { describeStsFailure } from '../../../src/core/credentials/stsErrors';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { isValidMfaCode } from '../../../src/core/credentials/mfaCode';
import { buildAssumeRoleRequest, resolveSession, type MfaCodeProvider, type ResolveDeps } from '../../../src/core/session/resolveSession';
import { resolveSourceChain } from '../../../src/core/config/sourceChain';
import type { CredentialSourceApi } from '../../../src/core/credentials/sourceCredentials';
import { rejectsCode } from '../../support/assertions';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { FakeClock } from '../../support/fakeClock';
import { RecordingStsApi, stsError } from '../../support/recordingStsApi';

const BASE_KEYS = {
  accessKeyId: 'AKIABASEBASEBASEBASE',
  secretAccessKey: 'base-secret-0123456789',
};
const MFA = 'arn:aws:iam::111111111111:mfa/alice';

const CONFIG = `
  [profile admin]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = base
  region = eu-west-1

  [profile tuned]
  role_arn = arn:aws:iam::222222222222:role/ops/Tuned
  source_profile = base
  role_session_name = my-own-name
  external_id = ext-42
  duration_seconds = 7200

  [profile secure]
  role_arn = arn:aws:iam::222222222222:role/Secure
  source_profile = base
  mfa_serial = ${MFA}

  [profile jump]
  role_arn = arn:aws:iam::333333333333:role/Jump
  source_profile = base
  mfa_serial = ${MFA}

  [profile prod]
  role_arn = arn:aws:iam::444444444444:role/Prod
  source_profile = jump
  region = us-west-2

  [profile prod-long]
  role_arn = arn:aws:iam::444444444444:role/Prod
  source_profile = admin
  duration_seconds = 7200

  [profile via-sso]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = sso

  [profile sso]
  sso_session = corp
  sso_account_id = 123456789012
  sso_role_name = Dev

  [sso-session corp]
  sso_start_url = https://corp.awsapps.com/start
  sso_region = eu-west-1

  [profile dangling]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = ghost

  [profile too-short]
  role_arn = arn:aws:iam::222222222222:role/Secure
  source_profile = base
  mfa_serial = ${MFA}
  duration_seconds = 600

  [profile too-long]
  role_arn = arn:aws:iam::444444444444:role/Prod
  source_profile = admin
  duration_seconds = 50000

  [profile prod-mfa]
  role_arn = arn:aws:iam::444444444444:role/Prod
  source_profile = admin
  mfa_serial = ${MFA}
`;
const CREDENTIALS = `
  [base]
  aws_access_key_id = ${BASE_KEYS.accessKeyId}
  aws_secret_access_key = ${BASE_KEYS.secretAccessKey}

  [temp]
  aws_access_key_id = ASIATEMPTEMPTEMPTEMP
  aws_secret_access_key = temp-secret
  aws_session_token = temp-token
  region = ca-central-1
`;

describe('core/session', () => {
  let dir: string;
  let set: ProfileSet;
  let clock: FakeClock;
  let sts: RecordingStsApi;
  let loads: number;
  let mfaRequests: Parameters<MfaCodeProvider>[0][];
  let mfaAnswer: string | undefined;

  const deps = (extra: Partial<ResolveDeps> = {}): ResolveDeps => ({
    loadSts: async () => {
      loads++;
      return sts;
    },
    mfaCode: async (request) => {
      mfaRequests.push(request);
      return mfaAnswer;
    },
    clock,
    env: {},
    sessionName: () => 'alice-vscode',
    ...extra,
  });

  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
  });
  after(async () => {
    await removeTempDir(dir);
  });
  beforeEach(() => {
    clock = new FakeClock();
    sts = new RecordingStsApi(clock);
    loads = 0;
    mfaRequests = [];
    mfaAnswer = '123456';
  });

  describe('resolveSession: role profiles', () => {
    it('assumes the role once with the source profile\'s static keys and defaults', async () => {
      const session = await resolveSession(set, 'admin', deps());
      assert.equal(sts.calls.length, 1);
      const call = sts.calls[0];
      assert.equal(call.op, 'AssumeRole');
      assert.deepEqual(call.request, {
        RoleArn: 'arn:aws:iam::222222222222:role/Admin',
        RoleSessionName: 'alice-vscode',
      });
      assert.ok(!('DurationSeconds' in call.request!), 'DurationSeconds is left to STS (one hour) when the profile does not set it, as the AWS CLI does');
      assert.equal(call.options.credentials.accessKeyId, BASE_KEYS.accessKeyId);
      assert.equal(call.options.credentials.secretAccessKey, BASE_KEYS.secretAccessKey);
      assert.equal(call.options.credentials.sessionToken, undefined);
      assert.equal(call.options.region, 'eu-west-1');
      assert.equal(mfaRequests.length, 0, 'no MFA prompt without mfa_serial');

      assert.equal(session.kind, 'role');
      assert.equal(session.profileName, 'admin');
      assert.equal(session.credentials.accessKeyId, 'ASIAFAKE0001');
      assert.equal(session.expiresAt, clock.now() + 3600_000);
      assert.equal(session.startedAt, clock.now());
      assert.equal(session.accountId, '222222222222');
      assert.equal(session.roleName, 'Admin');
      assert.equal(session.roleArn, 'arn:aws:iam::222222222222:role/Admin');
      assert.equal(session.arn, 'arn:aws:sts::222222222222:assumed-role/Admin/alice-vscode');
      assert.equal(session.sessionName, 'alice-vscode');
      assert.equal(session.sourceProfile, 'base');
      assert.deepEqual(session.chain, ['admin', 'base']);
      assert.equal(session.durationSeconds, 3600);
      assert.equal(session.region, 'eu-west-1');
      assert.equal(session.stsEndpoint, undefined);
      assert.equal(loads, 1);
    });

    it('uses role_session_name, external_id and duration_seconds from the profile', async () => {
      const session = await resolveSession(set, 'tuned', deps());
      assert.deepEqual(sts.calls[0].request, {
        RoleArn: 'arn:aws:iam::222222222222:role/ops/Tuned',
        RoleSessionName: 'my-own-name',
        ExternalId: 'ext-42',
        DurationSeconds: 7200,
      });
      assert.equal(session.expiresAt, clock.now() + 7200_000);
      assert.equal(session.roleName, 'Tuned');
      assert.equal(session.sessionName, 'my-own-name');
    });

    it('sanitises the injected default session name', async () => {
      await resolveSession(set, 'admin', deps({ sessionName: () => 'Jane Doe (laptop)' }));
      assert.equal(sts.calls[0].request?.RoleSessionName, 'Jane-Doe-laptop');
    });

    it('falls back to the OS user for the session name when none is injected', async () => {
      await resolveSession(set, 'admin', deps({ sessionName: undefined }));
      assert.match(sts.calls[0].request?.RoleSessionName ?? '', /^[\w+=,.@-]{2,64}$/);
      assert.match(sts.calls[0].request?.RoleSessionName ?? '', /-vscode$/);
    });

    it('asks for MFA and sends SerialNumber and TokenCode', async () => {
      mfaAnswer = ' 654321 ';
      await resolveSession(set, 'secure', deps());
      assert.deepEqual(mfaRequests, [{ profile: 'secure', mfaSerial: MFA, roleArn: 'arn:aws:iam::222222222222:role/Secure' }]);
      assert.equal(sts.calls[0].request?.SerialNumber, MFA);
      assert.equal(sts.calls[0].request?.TokenCode, '654321');
    });

    it('chains hops: credentials of hop N sign hop N+1, MFA only on the hop whose profile has mfa_serial', async () => {
      const session = await resolveSession(set, 'prod', deps());
      assert.equal(sts.calls.length, 2);
      const [first, second] = sts.calls;
      assert.equal(first.request?.RoleArn, 'arn:aws:iam::333333333333:role/Jump');
      assert.equal(first.request?.SerialNumber, MFA);
      assert.equal(first.request?.TokenCode, '123456');
      assert.equal(first.options.credentials.accessKeyId, BASE_KEYS.accessKeyId);

      assert.equal(second.request?.RoleArn, 'arn:aws:iam::444444444444:role/Prod');
      assert.equal(second.request?.SerialNumber, undefined);
      assert.equal(second.request?.TokenCode, undefined);
      assert.deepEqual(second.options.credentials, {
        accessKeyId: 'ASIAFAKE0001',
        secretAccessKey: 'secret-0001',
        sessionToken: 'token-0001',
        expiration: new Date(clock.now() + 3600_000),
      });
      assert.equal(mfaRequests.length, 1);
      assert.equal(mfaRequests[0].profile, 'jump');

      assert.equal(session.credentials.accessKeyId, 'ASIAFAKE0002');
      assert.equal(session.accountId, '444444444444');
      assert.equal(session.sourceProfile, 'base');
      assert.deepEqual(session.chain, ['prod', 'jump', 'base']);
      // Every hop is called in the picked profile's region.
      assert.deepEqual(sts.calls.map((c) => c.options.region), ['us-west-2', 'us-west-2']);
    });

    it('passes the abort signal and the configured endpoint to every STS call', async () => {
      const controller = new AbortController();
      await resolveSession(set, 'prod', deps({ signal: controller.signal, env: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:5000' } }));
      for (const call of sts.calls) {
        assert.equal(call.options.signal, controller.signal);
        assert.equal(call.options.endpoint, 'http://127.0.0.1:5000');
      }
    });

    it('rejects with MfaCancelled when the user cancels, without calling STS', async () => {
      mfaAnswer = undefined;
      await rejectsCode(resolveSession(set, 'secure', deps()), 'MfaCancelled', /"secure"/);
      assert.equal(sts.calls.length, 0);
    });

    it('rejects a malformed MFA code with MfaCodeInvalid, without calling STS or echoing the code', async () => {
      for (const bad of ['12345', '1234567', 'abcdef', '', '12 456']) {
        mfaAnswer = bad;
        const e = await rejectsCode(resolveSession(set, 'secure', deps()), 'MfaCodeInvalid', /"secure"/);
        if (bad.trim().length >= 5) assert.ok(!e.message.includes(bad), e.message);
      }
      assert.equal(sts.calls.length, 0);
    });

    it('isValidMfaCode accepts exactly six digits', () => {
      assert.equal(isValidMfaCode('000000'), true);
      assert.equal(isValidMfaCode('12345'), false);
      assert.equal(isValidMfaCode('1234567'), false);
      assert.equal(isValidMfaCode('12345a'), false);
    });

    it('fails on configuration errors before loading the STS client', async () => {
      await rejectsCode(resolveSession(set, 'dangling', deps()), 'MissingSourceProfile', /"dangling"/, /"ghost"/);
      await rejectsCode(resolveSession(set, 'nope', deps()), 'ProfileNotFound');
      assert.equal(loads, 0);
    });

    it('resolves an SSO source through the injected providers before the first AssumeRole', async () => {
      const asked: string[] = [];
      const sources = {
        sso: async (r: { profile: { name: string }; sso: { accountId: string } }) => {
          asked.push(`${r.profile.name}:${r.sso.accountId}`);
          return { accessKeyId: 'ASIASSOROLE000000001', secretAccessKey: 'sso-secret', sessionToken: 'sso-token' };
        },
      } as unknown as CredentialSourceApi;
      const session = await resolveSession(set, 'via-sso', { ...deps(), loadSources: async () => sources });
      assert.deepEqual(asked, ['sso:123456789012']);
      assert.equal(sts.calls[0].options.credentials.accessKeyId, 'ASIASSOROLE000000001');
      assert.equal(session.kind, 'role');
    });

    it('a source that fails stops the switch before any STS call, naming both profiles', async () => {
      const sources = { sso: async () => Promise.reject(new Error('The SSO session associated with this profile has expired.')) } as unknown as CredentialSourceApi;
      await rejectsCode(resolveSession(set, 'via-sso', { ...deps(), loadSources: async () => sources }), 'SsoLoginRequired', /"sso"/, /"via-sso"/, /aws sso login --sso-session corp/);
      assert.equal(sts.calls.length, 0);
    });
  });

  describe('resolveSession: static profiles', () => {
    it('checks the keys with GetCallerIdentity and returns a non-expiring static session', async () => {
      const session = await resolveSession(set, 'base', deps());
      assert.deepEqual(sts.calls.map((c) => c.op), ['GetCallerIdentity']);
      assert.equal(sts.calls[0].options.credentials.accessKeyId, BASE_KEYS.accessKeyId);
      assert.equal(sts.calls[0].options.region, 'us-east-1');
      assert.equal(session.kind, 'static');
      assert.equal(session.arn, 'arn:aws:iam::111111111111:user/alice');
      assert.equal(session.accountId, '111111111111');
      assert.equal(session.expiresAt, undefined);
      assert.equal(session.credentials.secretAccessKey, BASE_KEYS.secretAccessKey);
      assert.deepEqual(session.chain, ['base']);
      assert.equal(session.roleArn, undefined);
    });

    it('keeps aws_session_token and the profile region of a static profile', async () => {
      const session = await resolveSession(set, 'temp', deps());
      assert.equal(session.credentials.sessionToken, 'temp-token');
      assert.equal(sts.calls[0].options.credentials.sessionToken, 'temp-token');
      assert.equal(session.region, 'ca-central-1');
    });

    it('maps a GetCallerIdentity failure to a message naming the profile', async () => {
      sts.identityFailure = stsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      await rejectsCode(resolveSession(set, 'base', deps()), 'InvalidClientTokenId', /"base"/);
    });
  });

  describe('resolveSession: STS failures', () => {
    const ADMIN = 'arn:aws:iam::222222222222:role/Admin';
    const PROD = 'arn:aws:iam::444444444444:role/Prod';

    it('AccessDenied names the profile, role and source profile', async () => {
      sts.failRole(ADMIN, stsError('AccessDenied', 'User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole', 403));
      const e = await rejectsCode(resolveSession(set, 'admin', deps()), 'AccessDenied', /"admin"/, /role\/Admin/, /source profile "base"/, /not authorized/);
      assert.equal(e.profile, 'admin');
    });

    it('a failure on an inner hop names that hop and the picked profile', async () => {
      sts.failRole('arn:aws:iam::333333333333:role/Jump', stsError('AccessDenied', 'not authorized', 403));
      await rejectsCode(resolveSession(set, 'prod', deps()), 'AccessDenied', /profile "jump" \(source of "prod"\)/);
      assert.equal(sts.calls.length, 1);
    });

    it('InvalidClientTokenId and ExpiredToken point at the source credentials', async () => {
      sts.failRole(ADMIN, stsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403));
      await rejectsCode(resolveSession(set, 'admin', deps()), 'InvalidClientTokenId', /"admin"/, /source profile "base"/);
      sts.failRole(ADMIN, stsError('ExpiredToken', 'The security token included in the request is expired', 400));
      await rejectsCode(resolveSession(set, 'admin', deps()), 'ExpiredToken', /"admin"/, /source profile "base"/);
    });

    it('DurationSeconds over the chaining limit on a chained hop says role chaining', async () => {
      sts.failRole(PROD, stsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', 400));
      await rejectsCode(resolveSession(set, 'prod-long', deps()), 'DurationTooLong', /duration_seconds 7200/, /"prod-long"/, /role chaining/);
    });

    it('DurationSeconds over the role maximum on a first hop says maximum session duration', async () => {
      sts.failRole('arn:aws:iam::222222222222:role/ops/Tuned', stsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400));
      await rejectsCode(resolveSession(set, 'tuned', deps()), 'DurationTooLong', /"tuned"/, /maximum session duration/);
    });

    it('other ValidationErrors keep STS\'s words', async () => {
      sts.failRole(ADMIN, stsError('ValidationError', '1 validation error detected: externalId', 400));
      await rejectsCode(resolveSession(set, 'admin', deps()), 'ValidationError', /"admin"/, /externalId/);
    });

    it('refuses duration_seconds outside 900..43200 before asking for MFA or calling STS', async () => {
      await rejectsCode(resolveSession(set, 'too-short', deps()), 'InvalidProfile', /duration_seconds 600 of profile "too-short"/, /900 to 43200/);
      assert.equal(mfaRequests.length, 0);
      // On a later hop the earlier hops still run first, as in the AWS CLI.
      await rejectsCode(resolveSession(set, 'too-long', deps()), 'InvalidProfile', /duration_seconds 50000 of profile "too-long"/);
      assert.deepEqual(sts.calls.map((c) => c.request?.RoleArn), ['arn:aws:iam::222222222222:role/Admin']);
    });

    it('an MFA device STS cannot use on a chained hop says to move mfa_serial, not to wait for a new code', async () => {
      const PROD = 'arn:aws:iam::444444444444:role/Prod';
      sts.failRole(PROD, stsError('AccessDenied', 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.', 403));
      const e = await rejectsCode(resolveSession(set, 'prod-mfa', deps()), 'AccessDenied', /"prod-mfa"/, /mfa\/alice/, /role session, which has no MFA device/);
      assert.doesNotMatch(e.message, /next code/);
      sts.failRole('arn:aws:iam::222222222222:role/Secure', stsError('AccessDenied', 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.', 403));
      await rejectsCode(resolveSession(set, 'secure', deps()), 'AccessDenied', /"secure"/, /IAM user behind source profile "base"/);
    });

    it('a rejected MFA code becomes MfaCodeRejected with the device', async () => {
      sts.failRole('arn:aws:iam::222222222222:role/Secure', stsError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.', 403));
      await rejectsCode(resolveSession(set, 'secure', deps()), 'MfaCodeRejected', /"secure"/, /mfa\/alice/);
    });

    it('ECONNREFUSED becomes Unreachable naming the endpoint', async () => {
      sts.failRole(ADMIN, stsError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'));
      await rejectsCode(resolveSession(set, 'admin', deps()), 'Unreachable', /"admin"/, /https:\/\/sts\.eu-west-1\.amazonaws\.com/);
    });

    it('TimeoutError becomes Timeout', async () => {
      sts.failRole(ADMIN, stsError('TimeoutError', 'Connection timed out after 5000 ms'));
      await rejectsCode(resolveSession(set, 'admin', deps()), 'Timeout', /"admin"/, /did not answer in time/);
    });

    it('errors that are not STS failures pass through unchanged', async () => {
      const boom = new TypeError('boom');
      sts.failRole(ADMIN, boom);
      await assert.rejects(resolveSession(set, 'admin', deps()), (e) => e === boom);
    });
  });

  describe('describeStsFailure', () => {
    const ctx = { profile: 'p', hopProfile: 'p', action: 'AssumeRole' as const, roleArn: 'arn:aws:iam::1:role/R', sourceProfile: 'src' };
    const endpoint = 'https://sts.us-east-1.amazonaws.com';

    it('strips an Exception suffix from the code', () => {
      assert.equal(describeStsFailure({ code: 'AccessDeniedException', message: 'no', endpoint }, ctx).code, 'AccessDenied');
    });

    it('recognises every network code as Unreachable', () => {
      for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']) {
        const e = describeStsFailure({ code, message: code, endpoint }, ctx);
        assert.equal(e.code, 'Unreachable', code);
        assert.ok(e.message.includes(code) && e.message.includes('"p"'), e.message);
      }
    });

    it('SignatureDoesNotMatch mentions the clock when STS says the request expired', () => {
      const e = describeStsFailure({ code: 'SignatureDoesNotMatch', message: 'Signature expired: 20250101T000000Z is now earlier than ...', endpoint }, ctx);
      assert.equal(e.code, 'SignatureDoesNotMatch');
      assert.match(e.message, /sync the clock/);
    });

    it('unknown codes fall back to Sts with the code and message', () => {
      const e = describeStsFailure({ code: 'Throttling', message: 'Rate exceeded', endpoint }, ctx);
      assert.equal(e.code, 'Sts');
      assert.match(e.message, /AssumeRole failed for profile "p": Throttling: Rate exceeded/);
    });
  });

  describe('buildAssumeRoleRequest', () => {
    it('omits ExternalId and SerialNumber when the profile has none', () => {
      const chain = resolveSourceChain(set, 'admin');
      const request = buildAssumeRoleRequest(chain.hops[0], 'x-y');
      assert.ok(!('ExternalId' in request));
      assert.ok(!('SerialNumber' in request));
      assert.ok(!('TokenCode' in request));
    });
  });
});
