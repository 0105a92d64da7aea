import * as assert from 'node:assert/strict';
import { MfaSessionCache } from '../../../src/core/credentials/mfaSessions';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { MFA_CODE_ATTEMPTS, resolveSession, type MfaCodeRequest, type ResolveDeps } from '../../../src/core/session/resolveSession';
import { rejectsCode } from '../../support/assertions';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { FakeClock } from '../../support/fakeClock';
import { RecordingStsApi, stsError } from '../../support/recordingStsApi';

const MFA = 'arn:aws:iam::111111111111:mfa/alice';
const SECURE = 'arn:aws:iam::222222222222:role/Secure';
const CONFIG = `
  [profile secure]
  role_arn = ${SECURE}
  source_profile = base
  mfa_serial = ${MFA}

  [profile deep]
  role_arn = arn:aws:iam::444444444444:role/Deep
  source_profile = secure
`;
const CREDENTIALS = `
  [base]
  aws_access_key_id = AKIAMFARETRY00000001
  aws_secret_access_key = mfa-retry-base-secret-000000000000000
`;

describe('core/session: a refused MFA code is asked for again', () => {
  let dir: string;
  let set: ProfileSet;
  let clock: FakeClock;
  let sts: RecordingStsApi;
  let asked: MfaCodeRequest[];
  let answers: (string | undefined)[];

  const deps = (extra: Partial<ResolveDeps> = {}): ResolveDeps => ({
    loadSts: async () => sts,
    mfaCode: async (request) => {
      asked.push(request);
      return answers.shift();
    },
    clock,
    env: {},
    sessionName: () => 'tester',
    ...extra,
  });
  const withMfaSessions = (): Partial<ResolveDeps> => ({ mfaSessions: { cache: new MfaSessionCache(), durationSeconds: 43200 } });

  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
  });
  after(() => removeTempDir(dir));
  beforeEach(() => {
    clock = new FakeClock();
    sts = new RecordingStsApi(clock).acceptOnlyCodes('222222');
    asked = [];
  });

  for (const [path, extra, op] of [
    ['AssumeRole with the code', (): Partial<ResolveDeps> => ({}), 'AssumeRole'],
    ['GetSessionToken (MFA session)', withMfaSessions, 'GetSessionToken'],
  ] as const) {
    describe(path, () => {
      it('re-asks with the reason after a refused code, sends each code once, and switches with the next one', async () => {
        answers = ['111111', '222222'];
        const session = await resolveSession(set, 'secure', deps(extra()));
        assert.equal(session.roleName, 'Secure');
        assert.deepEqual(
          sts.calls.filter((c) => c.op === op).map((c) => c.request?.TokenCode),
          ['111111', '222222'],
          'one call per code typed: a refused code is never resent',
        );
        assert.equal(asked.length, 2);
        assert.deepEqual(asked[0], { profile: 'secure', mfaSerial: MFA, roleArn: SECURE }, 'the first ask carries no retry fields');
        assert.equal(asked[1].attempt, 2);
        assert.equal(asked[1].attempts, MFA_CODE_ATTEMPTS);
        assert.match(asked[1].previousError ?? '', /was not accepted/);
        assert.match(asked[1].previousError ?? '', /mfa\/alice/);
      });

      it(`stops after ${MFA_CODE_ATTEMPTS} refused codes with MfaCodeRejected`, async () => {
        answers = ['111111', '333333', '444444', '222222'];
        await rejectsCode(resolveSession(set, 'secure', deps(extra())), 'MfaCodeRejected', /"secure"/);
        assert.equal(asked.length, MFA_CODE_ATTEMPTS);
        assert.deepEqual(asked.map((a) => a.attempt), [undefined, 2, 3]);
        assert.equal(sts.calls.filter((c) => c.op === op).length, MFA_CODE_ATTEMPTS);
      });

      it('cancelling the re-ask stops the switch with MfaCancelled, with no further call', async () => {
        answers = ['111111', undefined];
        await rejectsCode(resolveSession(set, 'secure', deps(extra())), 'MfaCancelled', /cancelled/);
        assert.equal(asked.length, 2);
        assert.equal(sts.calls.length, 1);
      });
    });
  }

  it('a failure other than a refused code is not re-asked', async () => {
    sts.acceptedCodes = undefined;
    sts.failRole(SECURE, stsError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole', 403));
    answers = ['111111', '222222'];
    await rejectsCode(resolveSession(set, 'secure', deps()), 'AccessDenied');
    assert.equal(asked.length, 1);
  });

  it('a switch superseded while STS refused the code is not re-asked', async () => {
    const controller = new AbortController();
    answers = ['111111', '222222'];
    const original = sts.assumeRole.bind(sts);
    sts.assumeRole = async (options, request) => {
      controller.abort();
      return original(options, request);
    };
    await rejectsCode(resolveSession(set, 'secure', deps({ signal: controller.signal })), 'MfaCodeRejected');
    assert.equal(asked.length, 1);
  });

  it('re-asks on the hop that carries the code in a chain, and the chain goes on', async () => {
    answers = ['111111', '222222'];
    const session = await resolveSession(set, 'deep', deps());
    assert.equal(session.roleName, 'Deep');
    assert.equal(asked.length, 2);
    assert.equal(asked[1].profile, 'secure');
    assert.deepEqual(sts.calls.map((c) => c.request?.RoleArn), [SECURE, SECURE, 'arn:aws:iam::444444444444:role/Deep']);
  });
});
