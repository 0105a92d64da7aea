import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cliCacheKey, readCliCache, writeCliCache } from '../../../src/core/credentials/cliCache';
import { systemClock } from '../../../src/core/clock';
import { MfaSessionCache } from '../../../src/core/credentials/mfaSessions';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { resolveSession, type ResolveDeps } from '../../../src/core/session/resolveSession';
import { createStsApi } from '../../../src/core/credentials/stsClient';
import { cleanEnv, findCliV1 } from '../../support/awsCliV1';
import { FakeSts } from '../../support/fakeSts';
import { FakeClock, FakeStsApi, makeTempDir, profileSetFrom, removeTempDir } from '../../support/coreFakes';

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
  let sts: FakeStsApi;
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
    sts = new FakeStsApi(clock);
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

describe('core: the AWS CLI cache (~/.aws/cli/cache)', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('cli-cache-');
  });
  after(() => removeTempDir(dir));

  it('names entries as botocore does (sha1 of the sorted JSON of the AssumeRole arguments)', () => {
    const cases = [
      { request: { RoleArn: 'arn:aws:iam::222222222222:role/Admin', RoleSessionName: 'random-default' }, named: false },
      { request: { RoleArn: 'arn:aws:iam::222222222222:role/Admin', RoleSessionName: 'alice', ExternalId: 'ext-é', DurationSeconds: 900, SerialNumber: MFA }, named: true },
    ];
    for (const c of cases) {
      const args: Record<string, unknown> = { RoleArn: c.request.RoleArn };
      if (c.named) args.RoleSessionName = c.request.RoleSessionName;
      for (const k of ['ExternalId', 'SerialNumber', 'DurationSeconds'] as const) if (k in c.request) args[k] = (c.request as Record<string, unknown>)[k];
      // Python itself, as botocore runs it.
      const expected = execFileSync('python3', ['-c', 'import json,sys,hashlib; print(hashlib.sha1(json.dumps(json.loads(sys.argv[1]), sort_keys=True).encode("utf-8")).hexdigest())', JSON.stringify(args)], { encoding: 'utf8' }).trim();
      assert.equal(cliCacheKey(c.request, c.named), expected);
    }
  });

  it('reads entries with more than 15 minutes left, in botocore\'s date format, and skips stale or broken ones', async () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const write = (key: string, expiration: string) =>
      fs.writeFile(path.join(dir, `${key}.json`), JSON.stringify({ Credentials: { AccessKeyId: 'ASIACACHED', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration }, AssumedRoleUser: { Arn: 'arn:aws:sts::222222222222:assumed-role/Admin/x' } }));
    await write('fresh', '2026-12-01T12:16:00UTC');
    await write('stale', '2026-12-01T12:14:00+00:00');
    await fs.writeFile(path.join(dir, 'broken.json'), '{');
    assert.equal((await readCliCache('fresh', now, dir))?.credentials.accessKeyId, 'ASIACACHED');
    assert.equal(await readCliCache('stale', now, dir), undefined);
    assert.equal(await readCliCache('broken', now, dir), undefined);
    assert.equal(await readCliCache('missing', now, dir), undefined);
  });

  it('writes entries atomically with mode 600, in a shape it reads back', async () => {
    const expiration = new Date(Date.now() + 3600_000);
    await writeCliCache('written', { credentials: { accessKeyId: 'ASIAWRITTEN', secretAccessKey: 's', sessionToken: 't', expiration }, assumedRoleArn: 'arn:aws:sts::1:assumed-role/A/b' }, dir);
    const stat = await fs.stat(path.join(dir, 'written.json'));
    assert.equal(stat.mode & 0o777, 0o600);
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
    const back = await readCliCache('written', Date.now(), dir);
    assert.equal(back?.credentials.expiration.getTime(), Math.floor(expiration.getTime() / 1000) * 1000);
  });
});

describe('The AWS CLI cache shared with the real AWS CLI v1, against the strict test STS', function () {
  this.timeout(60000);
  const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIACLICACHEALICE001', secretAccessKey: 'cli-cache-alice-secret-000000000000001' };
  const role = 'arn:aws:iam::222222222222:role/Cached';
  let dir: string;
  let sts: FakeSts;
  let url: string;
  let set: ProfileSet;
  let cli: ReturnType<typeof findCliV1>;

  before(async () => {
    cli = findCliV1();
    dir = await makeTempDir('cli-cache-real-');
    sts = new FakeSts({ users: [alice], roles: [{ arn: role, trustedPrincipals: [alice.arn] }] });
    url = (await sts.start()).url;
    set = await profileSetFrom(
      dir,
      `
      [profile cached]
      role_arn = ${role}
      source_profile = base
      role_session_name = shared-session
      region = eu-west-1

      [profile cached-default-name]
      role_arn = ${role}
      source_profile = base
      duration_seconds = 1800
    `,
      `
      [base]
      aws_access_key_id = ${alice.accessKeyId}
      aws_secret_access_key = ${alice.secretAccessKey}
    `,
    );
  });
  after(async () => {
    await sts.stop();
    await removeTempDir(dir);
  });

  // Asynchronous: the test STS answers from this very process.
  const runCli = (profile: string) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        cli.file,
        [...cli.args, 'sts', 'get-caller-identity', '--profile', profile, '--output', 'json'],
        {
          encoding: 'utf8',
          timeout: 20000,
          env: { ...cleanEnv(), HOME: dir, AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_ENDPOINT_URL_STS: url, AWS_DEFAULT_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true' },
        },
        (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const deps = (write: boolean): ResolveDeps => ({
    loadSts: async () => createStsApi({ requestTimeoutMs: 5000, maxAttempts: 1 }),
    mfaCode: async () => undefined,
    clock: systemClock,
    env: { AWS_ENDPOINT_URL_STS: url },
    sessionName: () => 'ours',
    cliCache: { read: (key, now) => readCliCache(key, now, path.join(dir, '.aws', 'cli', 'cache')), write: write ? (key, r) => writeCliCache(key, r, path.join(dir, '.aws', 'cli', 'cache')) : undefined },
  });

  for (const profile of ['cached', 'cached-default-name']) {
    it(`${profile}: what the CLI cached is used without calling STS`, async () => {
      sts.reset();
      const out = await runCli(profile);
      assert.equal(out.status, 0, out.stderr);
      assert.equal(sts.requests.filter((r) => r.action === 'AssumeRole').length, 1, 'the CLI assumed the role once');
      sts.reset();
      const session = await resolveSession(set, profile, deps(false));
      assert.deepEqual(sts.requests.map((r) => r.action), [], 'no STS call at all');
      assert.equal(session.fromCliCache, 1);
      assert.equal(session.arn, (JSON.parse(out.stdout) as { Arn: string }).Arn);
      await fs.rm(path.join(dir, '.aws', 'cli', 'cache'), { recursive: true, force: true });
    });
  }

  it('what we write (when allowed) the CLI reuses without calling STS', async () => {
    sts.reset();
    const session = await resolveSession(set, 'cached', deps(true));
    assert.equal(sts.requests.filter((r) => r.action === 'AssumeRole').length, 1);
    sts.reset();
    const out = await runCli('cached');
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(sts.requests.filter((r) => r.action === 'AssumeRole'), [], 'the CLI found our entry');
    assert.equal((JSON.parse(out.stdout) as { Arn: string }).Arn, session.arn);
  });
});
