import * as assert from 'node:assert/strict';
import { hasStaticKeys, parseRoleArn, roleProfiles, type ProfileSet } from '../../../src/core/config/profiles';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

describe('core/profiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  describe('parseRoleArn', () => {
    it('parses a plain role ARN into partition, account and name', () => {
      assert.deepEqual(parseRoleArn('arn:aws:iam::123456789012:role/Admin'), {
        arn: 'arn:aws:iam::123456789012:role/Admin',
        partition: 'aws',
        accountId: '123456789012',
        roleName: 'Admin',
      });
    });

    it('takes the last path segment as the role name for path roles', () => {
      const role = parseRoleArn('arn:aws:iam::123456789012:role/ops/team-a/Audit.Read');
      assert.equal(role?.roleName, 'Audit.Read');
      assert.equal(role?.accountId, '123456789012');
    });

    it('accepts the GovCloud and China partitions', () => {
      assert.equal(parseRoleArn('arn:aws-us-gov:iam::123456789012:role/Gov')?.partition, 'aws-us-gov');
      assert.equal(parseRoleArn('arn:aws-cn:iam::123456789012:role/Cn')?.partition, 'aws-cn');
    });

    it('trims surrounding whitespace', () => {
      assert.equal(parseRoleArn('  arn:aws:iam::123456789012:role/Admin \t')?.arn, 'arn:aws:iam::123456789012:role/Admin');
    });

    it('rejects ARNs that are not IAM roles', () => {
      for (const bad of [
        'arn:aws:iam::123456789012:user/alice',
        'arn:aws:sts::123456789012:assumed-role/Admin/session',
        'arn:aws:iam::12345678901:role/ShortAccount',
        'arn:aws:iam::123456789012:role/',
        'arn:aws:iam:eu-west-1:123456789012:role/Regional',
        'arn:gcp:iam::123456789012:role/Admin',
        'Admin',
        '',
        'arn:aws:iam::123456789012:role/Has Space',
      ]) {
        assert.equal(parseRoleArn(bad), undefined, bad);
      }
    });
  });

  describe('buildProfileSet', () => {
    const CONFIG = `
      [default]
      region = eu-west-1

      [profile role]
      role_arn = arn:aws:iam::222222222222:role/Admin
      source_profile = default

      [profile web]
      role_arn = arn:aws:iam::222222222222:role/Web
      web_identity_token_file = /var/run/token

      [profile sso]
      sso_session = corp
      sso_account_id = 222222222222
      sso_role_name = Dev

      [profile sso-legacy]
      sso_start_url = https://corp.awsapps.com/start

      [profile proc]
      credential_process = /usr/bin/get-creds

      [profile bare]
      region = us-west-2

      [sso-session corp]
      sso_start_url = https://corp.awsapps.com/start
      sso_region = us-east-1

      [services local]
      sts =
        endpoint_url = http://localhost:4566
    `;
    const CREDENTIALS = `
      [default]
      aws_access_key_id = AKIAAAAAAAAAAAAAAAAA
      aws_secret_access_key = default-secret
    `;

    it('classifies every kind of profile', async () => {
      const set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
      const kinds = Object.fromEntries([...set.profiles.values()].map((p) => [p.name, p.kind]));
      assert.deepEqual(kinds, {
        bare: 'other',
        default: 'static',
        proc: 'process',
        role: 'role',
        sso: 'sso',
        'sso-legacy': 'sso',
        web: 'webIdentity',
      });
    });

    it('does not turn sso-session or services sections into profiles, but keeps services for endpoints', async () => {
      const set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
      for (const name of set.profiles.keys()) {
        assert.ok(!/^(sso-session|services)[. ]/.test(name), `unexpected profile ${name}`);
        assert.notEqual(name, 'corp');
        assert.notEqual(name, 'local');
      }
      assert.deepEqual(set.services, { local: { 'sts.endpoint_url': 'http://localhost:4566' } });
    });

    it('reads [default] as "default" and [profile x] as "x", sorted by name', async () => {
      const set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
      assert.deepEqual([...set.profiles.keys()], ['bare', 'default', 'proc', 'role', 'sso', 'sso-legacy', 'web']);
      assert.ok(!set.profiles.has('profile role'));
    });

    it('merges both files key by key with the credentials file winning', async () => {
      const set = await profileSetFrom(
        dir,
        `
        [profile both]
        region = eu-central-1
        aws_access_key_id = AKIACONFIGCONFIGCONF
        aws_secret_access_key = config-secret
        `,
        `
        [both]
        aws_access_key_id = AKIACREDSCREDSCREDSX
        aws_session_token = creds-token
        `,
      );
      const p = set.profiles.get('both')!;
      assert.equal(p.settings.aws_access_key_id, 'AKIACREDSCREDSCREDSX');
      assert.equal(p.settings.aws_secret_access_key, 'config-secret');
      assert.equal(p.settings.aws_session_token, 'creds-token');
      assert.equal(p.region, 'eu-central-1');
      assert.deepEqual(p.definedIn, ['config', 'credentials']);
      assert.equal(p.kind, 'static');
    });

    it('includes profiles defined only in the credentials file', async () => {
      const set = await profileSetFrom(dir, CONFIG, `
        [keys-only]
        aws_access_key_id = AKIAKEYSKEYSKEYSKEYS
        aws_secret_access_key = s3cr3t
      `);
      const p = set.profiles.get('keys-only')!;
      assert.equal(p.kind, 'static');
      assert.deepEqual(p.definedIn, ['credentials']);
    });

    it('fills the role fields from the profile settings', async () => {
      const set = await profileSetFrom(dir, `
        [profile admin]
        role_arn = arn:aws:iam::222222222222:role/ops/Admin
        source_profile = base
        mfa_serial = arn:aws:iam::111111111111:mfa/alice
        external_id = ext-123
        role_session_name = alice-admin
        duration_seconds = 7200
        region = ap-southeast-2
      `);
      const p = set.profiles.get('admin')!;
      assert.equal(p.kind, 'role');
      assert.equal(p.role?.roleName, 'Admin');
      assert.equal(p.role?.accountId, '222222222222');
      assert.equal(p.sourceProfile, 'base');
      assert.equal(p.mfaSerial, 'arn:aws:iam::111111111111:mfa/alice');
      assert.equal(p.externalId, 'ext-123');
      assert.equal(p.roleSessionName, 'alice-admin');
      assert.equal(p.durationSeconds, 7200);
      assert.equal(p.region, 'ap-southeast-2');
      assert.deepEqual(p.problems, []);
    });

    it('role_arn wins classification over static keys; web_identity_token_file wins over a source, as in botocore', async () => {
      const set = await profileSetFrom(dir, `
        [profile keyed-role]
        role_arn = arn:aws:iam::222222222222:role/Admin
        source_profile = keyed-role
        aws_access_key_id = AKIAKEYEDKEYEDKEYEDK
        aws_secret_access_key = s3cr3t

        [profile web-with-source]
        role_arn = arn:aws:iam::222222222222:role/Admin
        web_identity_token_file = /tmp/token
        source_profile = keyed-role
      `);
      assert.equal(set.profiles.get('keyed-role')!.kind, 'role');
      assert.equal(set.profiles.get('web-with-source')!.kind, 'webIdentity');
      assert.deepEqual(roleProfiles(set).map((p) => p.name), ['keyed-role']);
    });

    it('reports an invalid role_arn as a problem and leaves role undefined', async () => {
      const set = await profileSetFrom(dir, `
        [profile broken]
        role_arn = arn:aws:iam::123:role/Nope
        source_profile = default
      `);
      const p = set.profiles.get('broken')!;
      assert.equal(p.role, undefined);
      assert.equal(p.problems.length, 1);
      assert.match(p.problems[0].message, /arn:aws:iam::123:role\/Nope/);
    });

    it('reports duration_seconds that is not a number, and drops it', async () => {
      const set = await profileSetFrom(dir, `
        [profile d]
        duration_seconds = 1h
      `);
      const p = set.profiles.get('d')!;
      assert.equal(p.durationSeconds, undefined);
      assert.equal(p.problems.length, 1);
      assert.match(p.problems[0].message, /"1h" is not a whole number/);
    });

    it('reports duration_seconds out of 900..43200 but keeps the value for STS to judge', async () => {
      const set = await profileSetFrom(dir, `
        [profile short]
        duration_seconds = 899

        [profile long]
        duration_seconds = 43201

        [profile edge-low]
        duration_seconds = 900

        [profile edge-high]
        duration_seconds = 43200
      `);
      assert.equal(set.profiles.get('short')!.durationSeconds, 899);
      assert.match(set.profiles.get('short')!.problems.map((x) => x.message).join(), /899 is outside 900\.\.43200/);
      assert.match(set.profiles.get('long')!.problems.map((x) => x.message).join(), /43201 is outside/);
      assert.deepEqual(set.profiles.get('edge-low')!.problems, []);
      assert.deepEqual(set.profiles.get('edge-high')!.problems, []);
      assert.equal(set.profiles.get('edge-high')!.durationSeconds, 43200);
    });

    it('reports a half pair of static keys and does not call it static', async () => {
      const set = await profileSetFrom(dir, undefined, `
        [id-only]
        aws_access_key_id = AKIAIDONLYIDONLYIDON

        [secret-only]
        aws_secret_access_key = s3cr3t
      `);
      const idOnly = set.profiles.get('id-only')!;
      const secretOnly = set.profiles.get('secret-only')!;
      assert.equal(idOnly.kind, 'other');
      assert.match(idOnly.problems.map((x) => x.message).join(), /aws_secret_access_key is missing/);
      assert.equal(secretOnly.kind, 'other');
      assert.match(secretOnly.problems.map((x) => x.message).join(), /aws_access_key_id is missing/);
    });

    it('hasStaticKeys needs both halves', () => {
      assert.equal(hasStaticKeys({ aws_access_key_id: 'a', aws_secret_access_key: 'b' }), true);
      assert.equal(hasStaticKeys({ aws_access_key_id: 'a' }), false);
      assert.equal(hasStaticKeys({ aws_access_key_id: '', aws_secret_access_key: 'b' }), false);
    });

    it('yields no profiles when both files are missing', async () => {
      const set: ProfileSet = await profileSetFrom(dir, undefined, undefined);
      assert.equal(set.profiles.size, 0);
      assert.equal(set.files.config.status, 'missing');
      assert.equal(set.files.credentials.status, 'missing');
    });
  });
});
