/**
 * The AWS CLI's cache (~/.aws/cli/cache) against the real thing: entry names computed by Python
 * as botocore computes them, and entries written by the AWS CLI v1 read by us and the other way
 * round, both sides talking to the strict loopback STS.
 */
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cliCacheKey, readCliCache, writeCliCache } from '../../src/core/credentials/cliCache';
import { systemClock } from '../../src/core/clock';
import type { ProfileSet } from '../../src/core/config/profiles';
import { resolveSession, type ResolveDeps } from '../../src/core/session/resolveSession';
import { createStsApi } from '../../src/core/credentials/stsClient';
import { cleanEnv, type CliCommand } from '../support/awsCliV1';
import { requireAwsCliV1, requirePython3 } from '../support/externalTools';
import { LoopbackSts } from '../support/loopbackSts';
import { makeTempDir, profileSetFrom, removeTempDir } from '../support/awsFiles';

const MFA = 'arn:aws:iam::111111111111:mfa/alice';

describe('The AWS CLI cache key, computed by Python as botocore does', () => {
  let python: string;
  before(() => {
    python = requirePython3();
  });

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
      const expected = execFileSync(python, ['-c', 'import json,sys,hashlib; print(hashlib.sha1(json.dumps(json.loads(sys.argv[1]), sort_keys=True).encode("utf-8")).hexdigest())', JSON.stringify(args)], { encoding: 'utf8' }).trim();
      assert.equal(cliCacheKey(c.request, c.named), expected);
    }
  });
});

describe('The AWS CLI cache shared with the real AWS CLI v1, against the strict test STS', function () {
  this.timeout(60000);
  const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIACLICACHEALICE001', secretAccessKey: 'cli-cache-alice-secret-000000000000001' };
  const role = 'arn:aws:iam::222222222222:role/Cached';
  let dir: string;
  let sts: LoopbackSts;
  let url: string;
  let set: ProfileSet;
  let cli: CliCommand;

  before(async () => {
    cli = requireAwsCliV1();
    dir = await makeTempDir('cli-cache-real-');
    sts = new LoopbackSts({ users: [alice], roles: [{ arn: role, trustedPrincipals: [alice.arn] }] });
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
    await sts?.stop();
    if (dir) await removeTempDir(dir);
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
