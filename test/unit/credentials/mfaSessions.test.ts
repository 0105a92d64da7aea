import * as assert from 'node:assert/strict';
import { MfaSessionCache } from '../../../src/core/credentials/mfaSessions';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { resolveSession, type ResolveDeps } from '../../../src/core/session/resolveSession';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { FakeClock } from '../../support/fakeClock';
import { RecordingStsApi } from '../../support/recordingStsApi';

const MFA = 'arn:aws:iam::111111111111:mfa/alice';
const CONFIG = `
  [profile admin]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = base
  mfa_serial = ${MFA}

  [profile reader]
  role_arn = arn:aws:iam::333333333333:role/Reader
  source_profile = base
  mfa_serial = ${MFA}

  [profile long]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = base
  mfa_serial = ${MFA}
  duration_seconds = 7200

  [profile deep]
  role_arn = arn:aws:iam::444444444444:role/Deep
  source_profile = admin
`;
const CREDENTIALS = `
  [base]
  aws_access_key_id = AKIAMFASESSION000001
  aws_secret_access_key = mfa-session-base-secret-0000000000000
`;

describe('core: one MFA code for many roles (GetSessionToken)', () => {
  let dir: string;
  let set: ProfileSet;
  let clock: FakeClock;
  let sts: RecordingStsApi;
  let cache: MfaSessionCache;
  let codes: string[];
  const deps = (): ResolveDeps => ({
    loadSts: async () => sts,
    mfaCode: async ({ mfaSerial }) => {
      codes.push(mfaSerial);
      return '123456';
    },
    clock,
    env: {},
    sessionName: () => 'tester',
    mfaSessions: { cache, durationSeconds: 43200 },
  });

  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
  });
  after(() => removeTempDir(dir));
  beforeEach(() => {
    clock = new FakeClock();
    sts = new RecordingStsApi(clock);
    cache = new MfaSessionCache();
    codes = [];
  });

  it('asks once, then assumes every role that shares the device and source from the MFA session', async () => {
    const admin = await resolveSession(set, 'admin', deps());
    const reader = await resolveSession(set, 'reader', deps());
    assert.deepEqual(codes, [MFA]);
    assert.deepEqual(sts.calls.map((c) => c.op), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
    assert.equal(sts.calls[0].request?.SerialNumber, MFA);
    assert.equal(sts.calls[0].request?.DurationSeconds, 43200);
    assert.equal(sts.calls[0].options.credentials.accessKeyId, 'AKIAMFASESSION000001');
    for (const call of sts.calls.slice(1)) {
      assert.equal(call.options.credentials.accessKeyId, 'ASIAMFA0001', 'signed with the MFA session');
      assert.equal(call.request?.SerialNumber, undefined);
      assert.equal(call.request?.TokenCode, undefined);
    }
    assert.equal(admin.mfaSession, true);
    assert.equal(reader.roleArn, 'arn:aws:iam::333333333333:role/Reader');
  });

  it('a chain through an MFA role reuses the session for its first hop', async () => {
    await resolveSession(set, 'admin', deps());
    await resolveSession(set, 'deep', deps());
    assert.deepEqual(codes, [MFA]);
    assert.deepEqual(sts.calls.map((c) => c.op), ['GetSessionToken', 'AssumeRole', 'AssumeRole', 'AssumeRole']);
  });

  it('asks again when less than 15 minutes of the MFA session are left', async () => {
    await resolveSession(set, 'admin', deps());
    clock.advance(43200_000 - 14 * 60_000);
    await resolveSession(set, 'admin', deps());
    assert.equal(codes.length, 2);
    assert.equal(sts.calls.filter((c) => c.op === 'GetSessionToken').length, 2);
  });

  it('merges MFA sessions another window stored, keeping the longer-lasting one of a key', () => {
    const m = (key: string, expiresAt: number) => ({ key, sourceProfile: 'base', mfaSerial: MFA, credentials: { accessKeyId: `ASIA${key}`, secretAccessKey: 's' }, expiresAt });
    const now = clock.now();
    cache.set(m('mine', now + 3600_000));
    cache.set(m('both', now + 7200_000));
    cache.load([m('theirs', now + 3600_000), m('both', now + 1800_000), m('old', now - 1)], now);
    assert.deepEqual(cache.all().map((s) => s.key).sort(), ['both', 'mine', 'theirs']);
    assert.equal(cache.all().find((s) => s.key === 'both')?.expiresAt, now + 7200_000);
  });

  it('keeps the CLI way for durations over an hour (a role from an MFA session is capped at one hour)', async () => {
    const s = await resolveSession(set, 'long', deps());
    assert.deepEqual(sts.calls.map((c) => c.op), ['AssumeRole']);
    assert.equal(sts.calls[0].request?.SerialNumber, MFA);
    assert.equal(sts.calls[0].request?.TokenCode, '123456');
    assert.equal(s.mfaSession, undefined);
  });

  it('without the MFA session option, every AssumeRole carries the code (the CLI parity mode)', async () => {
    const { mfaSessions: _unused, ...plain } = deps();
    void _unused;
    await resolveSession(set, 'admin', plain);
    await resolveSession(set, 'reader', plain);
    assert.equal(codes.length, 2);
    assert.deepEqual(sts.calls.map((c) => c.op), ['AssumeRole', 'AssumeRole']);
  });
});
