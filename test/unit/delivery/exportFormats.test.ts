import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appendRoleProfile, validateMfaSerial, validateProfileName, validateRoleArn, writeFileAtomically } from '../../../src/core/config/configEdits';
import { buildConsoleUrl, consoleSessionSeconds, destinationUrl, type FetchJson } from '../../../src/core/delivery/consoleFederation';
import { RoleSwitchError } from '../../../src/core/errors';
import { EXPORT_FORMATS, formatCredentials } from '../../../src/core/delivery/exportFormats';
import type { Session } from '../../../src/core/session/resolveSession';
import { cleanEnv } from '../../support/awsCliV1';
import { FakeFederation } from '../../support/fakeFederation';
import { FakeSts } from '../../support/fakeSts';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/coreFakes';

// Whole seconds an hour from now: the AWS CLI refuses to export credentials that have expired.
const IN_AN_HOUR = Math.floor(Date.now() / 1000) * 1000 + 3600_000;
const session = (over: Partial<Session> = {}): Session => ({
  profileName: 'dev',
  kind: 'role',
  credentials: { accessKeyId: 'ASIAEXPORTEXAMPLE001', secretAccessKey: 'export/secret+key=0000000000000000000001', sessionToken: 'FwoGZXIvYXdzEexport+token/abc==' },
  expiresAt: IN_AN_HOUR,
  startedAt: IN_AN_HOUR - 3600_000,
  region: 'eu-west-1',
  arn: 'arn:aws:sts::222222222222:assumed-role/Dev/alice',
  accountId: '222222222222',
  roleArn: 'arn:aws:iam::222222222222:role/Dev',
  chain: ['dev', 'base'],
  ...over,
});

describe('Copy Credentials: the formats of aws configure export-credentials', function () {
  this.timeout(60000);
  const cliExport = (s: Session, format: string) =>
    new Promise<string>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: '/nonexistent', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: s.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey };
      if (s.credentials.sessionToken) env.AWS_SESSION_TOKEN = s.credentials.sessionToken;
      if (s.expiresAt !== undefined) env.AWS_CREDENTIAL_EXPIRATION = new Date(s.expiresAt).toISOString();
      execFile('/usr/bin/aws', ['configure', 'export-credentials', '--format', format], { env, encoding: 'utf8' }, (e, out, err) => (e ? reject(new Error(err)) : resolve(out)));
    });

  for (const f of EXPORT_FORMATS.filter((x) => x.cliFormat)) {
    for (const [what, s] of [['a role session', session()], ['long-term keys', session({ kind: 'static', credentials: { accessKeyId: 'AKIAEXPORTEXAMPLE001', secretAccessKey: 'plain-secret' }, expiresAt: undefined })]] as const) {
      it(`${f.label} is byte for byte what the AWS CLI v2 prints (--format ${f.cliFormat}), for ${what}`, async () => {
        assert.equal(formatCredentials(s, f.id), await cliExport(s, f.cliFormat as string));
      });
    }
  }

  it('fish uses set -x with the same variables', () => {
    const text = formatCredentials(session(), 'fish');
    assert.deepEqual(text.trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' ')), ['set -x AWS_ACCESS_KEY_ID', 'set -x AWS_SECRET_ACCESS_KEY', 'set -x AWS_SESSION_TOKEN', 'set -x AWS_CREDENTIAL_EXPIRATION']);
  });
});

describe('Open Console as Role: the federation sign-in URL', function () {
  this.timeout(30000);
  const fetchJson: FetchJson = async (url) => {
    const res = await fetch(url);
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: undefined };
    }
  };

  it('lands on the right console of each partition, on a service or a URL', () => {
    assert.equal(destinationUrl(session(), { startPage: '', region: '' }), 'https://console.aws.amazon.com/console/home?region=eu-west-1');
    assert.equal(destinationUrl(session(), { startPage: 'ec2', region: 'us-east-2' }), 'https://console.aws.amazon.com/ec2/home?region=us-east-2');
    assert.equal(destinationUrl(session({ roleArn: 'arn:aws-cn:iam::222222222222:role/Dev', region: 'cn-north-1' }), { startPage: 's3', region: '' }), 'https://console.amazonaws.cn/s3/home?region=cn-north-1');
    assert.equal(destinationUrl(session({ roleArn: 'arn:aws-us-gov:iam::222222222222:role/Dev' }), { startPage: '', region: 'us-gov-west-1' }), 'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1');
    assert.equal(destinationUrl(session(), { startPage: 'https://console.aws.amazon.com/billing/home', region: '' }), 'https://console.aws.amazon.com/billing/home');
  });

  it('asks for 12 hours, or 1 hour for a role-chained session', () => {
    assert.equal(consoleSessionSeconds(session()), 43200);
    assert.equal(consoleSessionSeconds(session({ chained: true })), 3600);
  });

  it('explains what is needed for long-term keys, without calling the endpoint', async () => {
    let called = false;
    await assert.rejects(
      buildConsoleUrl(session({ kind: 'static', credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' } }), { startPage: '', region: '', federationEndpoint: '', issuer: 'x' }, async () => {
        called = true;
        return { status: 200, body: {} };
      }),
      (e: RoleSwitchError) => /long-term IAM user keys/.test(e.message) && /assume a role/.test(e.message),
    );
    assert.equal(called, false);
  });

  it('against the local federation fake: getSigninToken with the session, then a login URL with its token', async () => {
    const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAFEDERATIONALICE1', secretAccessKey: 'federation-alice-secret-000000000000001' };
    const sts = new FakeSts({ users: [alice], roles: [] });
    await sts.start();
    const federation = new FakeFederation(sts);
    const endpoint = await federation.start();
    try {
      const issued = sts.issueRoleSession('arn:aws:iam::222222222222:role/Dev', 'alice');
      const s = session({ credentials: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken }, expiresAt: issued.expiresAt });
      const { url, sessionSeconds } = await buildConsoleUrl(s, { startPage: 'ec2', region: '', federationEndpoint: endpoint, issuer: 'AWS Role Switcher' }, fetchJson);
      assert.equal(sessionSeconds, 43200);
      assert.deepEqual(federation.requests.map((r) => [r.action, r.status, r.sessionDuration, r.sessionArn]), [['getSigninToken', 200, 43200, issued.arn]]);
      const u = new URL(url);
      assert.equal(`${u.origin}${u.pathname}`, endpoint);
      assert.equal(u.searchParams.get('Action'), 'login');
      assert.equal(u.searchParams.get('Issuer'), 'AWS Role Switcher');
      assert.equal(u.searchParams.get('Destination'), 'https://console.aws.amazon.com/ec2/home?region=eu-west-1');
      assert.ok(federation.issuedToken(u.searchParams.get('SigninToken') ?? ''), 'the token the endpoint issued');
      assert.ok(!url.includes(issued.secretAccessKey) && !url.includes(encodeURIComponent(issued.secretAccessKey)), 'the login URL holds no key');
      // A chained session asking for 12 hours would be refused: we ask for one.
      const chained = sts.issueRoleSession('arn:aws:iam::222222222222:role/Dev', 'alice');
      await buildConsoleUrl(session({ chained: true, credentials: { accessKeyId: chained.accessKeyId, secretAccessKey: chained.secretAccessKey, sessionToken: chained.sessionToken } }), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson);
      assert.equal(federation.requests.at(-1)?.sessionDuration, 3600);
      await assert.rejects(buildConsoleUrl(session(), { startPage: '', region: '', federationEndpoint: endpoint, issuer: 'x' }, fetchJson), /refused the credentials of "dev"/);
    } finally {
      await federation.stop();
      await sts.stop();
    }
  });
});

describe('Add Role Profile: appending a section without touching the rest', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('config-edit-');
  });
  after(() => removeTempDir(dir));

  const profile = { name: 'new-admin', roleArn: 'arn:aws:iam::222222222222:role/Admin', sourceProfile: 'base', mfaSerial: 'arn:aws:iam::111111111111:mfa/alice' };

  it('keeps comments, layout and the file\'s line endings, and the CLI-faithful reader reads the new profile', async () => {
    const original = '# my config\r\n[default]\r\nregion = eu-west-1   ; keep\r\n';
    const updated = appendRoleProfile(original, profile);
    assert.ok(updated.startsWith(original));
    assert.equal(updated.slice(original.length), '\r\n[profile new-admin]\r\nrole_arn = arn:aws:iam::222222222222:role/Admin\r\nsource_profile = base\r\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\r\n');
    const noNewline = appendRoleProfile('[default]\nregion = x', profile);
    assert.match(noNewline, /^\[default\]\nregion = x\n\n\[profile new-admin\]\n/);
    assert.equal(appendRoleProfile('', profile).split('\n')[0], '[profile new-admin]');
    const set = await profileSetFrom(dir, updated, '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n');
    assert.equal(set.profiles.get('new-admin')?.role?.arn, profile.roleArn);
    assert.equal(set.profiles.get('new-admin')?.mfaSerial, profile.mfaSerial);
    assert.equal(set.files.config.refused, undefined);
  });

  it('validates names, ARNs and MFA devices before writing', () => {
    assert.match(validateProfileName('base', new Set(['base'])) ?? '', /already exists/);
    assert.ok(validateProfileName('has space', new Set()));
    assert.equal(validateProfileName('team-a/prod', new Set()), undefined);
    assert.ok(validateRoleArn('arn:aws:iam::2222:user/alice'));
    assert.equal(validateMfaSerial(''), undefined);
    assert.ok(validateMfaSerial('not-an-mfa'));
  });

  it('writes atomically and keeps the file\'s mode', async () => {
    const file = path.join(dir, 'atomic-config');
    await fs.writeFile(file, '[default]\n', { mode: 0o640 });
    await fs.chmod(file, 0o640);
    await writeFileAtomically(file, '[default]\nregion = x\n');
    assert.equal(await fs.readFile(file, 'utf8'), '[default]\nregion = x\n');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640);
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
  });
});
