import * as assert from 'node:assert/strict';
import { diagnoseConfig, diagnosticsByProfile, partitionOfRegion, SOURCE_PROFILE_FIX_LIMIT, sourceProfileCandidates, type ConfigDiagnostic, type ConfigEdit, type ConfigFix } from '../../../src/core/config/diagnostics';
import type { Profile, ProfileSet } from '../../../src/core/config/profiles';
import { ini, makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

const CONFIG = ini(`
  [profile base]
  region = eu-west-1

  [profile lost]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = nowhere

  [profile loop-a]
  role_arn = arn:aws:iam::222222222222:role/A
  source_profile = loop-b

  [profile loop-b]
  role_arn = arn:aws:iam::222222222222:role/B
  source_profile = loop-a

  [profile into-loop]
  role_arn = arn:aws:iam::222222222222:role/C
  source_profile = loop-a

  [profile both]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = base
  credential_source = Environment

  [profile lowercase-source]
  role_arn = arn:aws:iam::222222222222:role/Admin
  credential_source = environment

  [profile too-long]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = base
  duration_seconds = 99999

  [profile jump]
  role_arn = arn:aws:iam::222222222222:role/Jump
  source_profile = base

  [profile chained-long]
  role_arn = arn:aws:iam::333333333333:role/Deep
  source_profile = jump
  duration_seconds = 7200

  [profile bad-arn]
  role_arn = arn:aws:iam::2222:user/alice
  source_profile = base

  [profile china]
  role_arn = arn:aws-cn:iam::222222222222:role/Admin
  source_profile = base
  region = us-east-1

  [profile fine]
  role_arn = arn:aws:iam::222222222222:role/Admin
  source_profile = base
  duration_seconds = 43200

  [profile sso-typo]
  sso_session = crop
  sso_account_id = 123456789012
  sso_role_name = Dev

  [sso-session corp]
  sso_start_url = https://corp.awsapps.com/start
  sso_region = eu-west-1
`);

const CREDENTIALS = ini(`
  [base]
  aws_access_key_id = AKIAEXAMPLEBASE00001
  aws_secret_access_key = base-secret-000000000000000000000000000

  [half]
  aws_access_key_id = AKIAEXAMPLEHALF00001
`);

/** The 0-based line of the first line of `text` that matches, after `after` if given. */
function lineOf(text: string, pattern: RegExp, after?: RegExp): number {
  const lines = text.split('\n');
  const start = after ? lines.findIndex((l) => after.test(l)) : 0;
  assert.ok(start >= 0, `fixture has ${after}`);
  const found = lines.findIndex((l, i) => i >= start && pattern.test(l));
  assert.ok(found >= 0, `fixture has ${pattern}`);
  return found;
}

/** Applies a fix's edits to the text the way the VS Code adapter does. */
function apply(text: string, fix: ConfigFix): string {
  const lines = text.split('\n');
  const at = (edit: ConfigEdit) => (edit.kind === 'deleteLine' ? { line: edit.line, start: 0 } : edit.range);
  for (const edit of [...fix.edits].sort((a, b) => at(b).line - at(a).line || at(b).start - at(a).start)) {
    if (edit.kind === 'deleteLine') {
      lines.splice(edit.line, 1);
      continue;
    }
    const line = lines[edit.range.line];
    lines[edit.range.line] = line.slice(0, edit.range.start) + edit.newText + line.slice(Math.min(edit.range.end, line.length));
  }
  return lines.join('\n');
}

describe('core/configDiagnostics', () => {
  let dir: string;
  let set: ProfileSet;
  let all: ConfigDiagnostic[];
  const of = (profile: string, code?: string) => all.filter((d) => d.profile === profile && (!code || d.code === code));

  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
    all = diagnoseConfig(set);
  });
  after(() => removeTempDir(dir));

  it('reports a missing source_profile on that line, naming the missing profile', () => {
    const [d] = of('lost', 'missingSourceProfile');
    assert.ok(d, JSON.stringify(all.map((x) => [x.profile, x.code])));
    assert.equal(d.file, 'config');
    assert.equal(d.severity, 'error');
    assert.equal(d.range.line, lineOf(CONFIG, /^source_profile = nowhere/, /\[profile lost\]/));
    assert.match(d.message, /"nowhere"/);
  });

  it('offers the existing profiles as quick fixes for a missing source_profile, never the profile itself or one that leads back to it', async () => {
    const [d] = of('lost', 'missingSourceProfile');
    const titles = d.fixes.map((f) => f.title);
    assert.ok(titles.includes('Use "base" as source_profile'), JSON.stringify(titles));
    assert.ok(!titles.some((t) => t.includes('"lost"')), 'not itself');
    assert.ok(d.fixes.length <= SOURCE_PROFILE_FIX_LIMIT);
    const fixed = apply(CONFIG, d.fixes.find((f) => f.title === 'Use "base" as source_profile') as ConfigFix);
    assert.match(fixed, /\[profile lost\]\nrole_arn = \S+\nsource_profile = base\n/);
    assert.deepEqual(diagnoseConfig(await profileSetFrom(dir, fixed, CREDENTIALS)).filter((x) => x.profile === 'lost'), []);

    // A typo: the closest name comes first; profiles whose chain runs through this one are left out (a cycle).
    const typo = await profileSetFrom(dir, ini(`
      [profile deploy]
      role_arn = arn:aws:iam::222222222222:role/Deploy
      source_profile = devv

      [profile dev]
      role_arn = arn:aws:iam::222222222222:role/Dev
      source_profile = base

      [profile after-deploy]
      role_arn = arn:aws:iam::222222222222:role/After
      source_profile = deploy
    `), CREDENTIALS);
    assert.deepEqual(sourceProfileCandidates(typo, typo.profiles.get('deploy') as Profile), ['dev', 'base', 'half']);
    assert.equal(diagnoseConfig(typo).find((x) => x.code === 'missingSourceProfile')?.fixes[0].title, 'Use "dev" as source_profile');
  });

  it('reports a cycle with its chain on each profile in it, and not on profiles that only lead into it', () => {
    const a = of('loop-a', 'sourceProfileCycle');
    const b = of('loop-b', 'sourceProfileCycle');
    assert.equal(a.length, 1);
    assert.equal(b.length, 1);
    assert.match(a[0].message, /loop-a -> loop-b -> loop-a/);
    assert.equal(a[0].range.line, lineOf(CONFIG, /^source_profile = loop-b/));
    assert.deepEqual(of('into-loop', 'sourceProfileCycle'), []);
  });

  it('reports source_profile with credential_source on both keys, with a fix that removes one', () => {
    const found = of('both', 'conflictingSource');
    assert.equal(found.length, 2);
    const lines = found.map((d) => d.range.line).sort((x, y) => x - y);
    assert.deepEqual(lines, [lineOf(CONFIG, /^source_profile = base/, /\[profile both\]/), lineOf(CONFIG, /^credential_source = Environment/, /\[profile both\]/)]);
    const fixes = found.flatMap((d) => d.fixes);
    const removeSource = fixes.find((f) => /Remove source_profile/.test(f.title));
    assert.ok(removeSource);
    const fixed = apply(CONFIG, removeSource);
    assert.ok(!/\[profile both\]\nrole_arn = [^\n]+\nsource_profile/.test(fixed));
    assert.match(fixed, /\[profile both\]\nrole_arn = arn:aws:iam::222222222222:role\/Admin\ncredential_source = Environment\n/);
  });

  it('reports an unknown credential_source and offers the right spelling', () => {
    const [d] = of('lowercase-source', 'unknownCredentialSource');
    assert.ok(d);
    assert.equal(d.range.line, lineOf(CONFIG, /^credential_source = environment/));
    assert.equal(d.fixes.length, 1);
    assert.match(apply(CONFIG, d.fixes[0]), /\[profile lowercase-source\]\n[^\n]+\ncredential_source = Environment\n/);
  });

  it('reports duration_seconds outside 900..43200 and above 3600 on a chained role, with fixes', () => {
    const [range] = of('too-long', 'durationOutOfRange');
    assert.ok(range);
    assert.match(apply(CONFIG, range.fixes[0]), /duration_seconds = 43200\n\n\[profile jump\]/);
    const [chained] = of('chained-long', 'chainedDuration');
    assert.ok(chained);
    assert.equal(chained.range.line, lineOf(CONFIG, /^duration_seconds = 7200/));
    assert.match(apply(CONFIG, chained.fixes[0]), /duration_seconds = 3600\n/);
    // 43200 on a role assumed from keys is allowed.
    assert.deepEqual(of('fine'), []);
  });

  it('reports a role_arn that is not an IAM role ARN and a partition mismatch', () => {
    const [arn] = of('bad-arn', 'invalidRoleArn');
    assert.ok(arn);
    assert.equal(arn.range.line, lineOf(CONFIG, /^role_arn = arn:aws:iam::2222:user/));
    const [partition] = of('china', 'partitionMismatch');
    assert.ok(partition);
    assert.equal(partition.severity, 'warning');
    assert.equal(partition.range.line, lineOf(CONFIG, /^region = us-east-1/));
  });

  it('reports an sso_session that names no [sso-session] section', () => {
    const [d] = of('sso-typo', 'missingSsoSession');
    assert.ok(d, JSON.stringify(all.map((x) => [x.profile, x.code])));
    assert.equal(d.range.line, lineOf(CONFIG, /^sso_session = crop/));
    assert.match(d.message, /\[sso-session crop\]/);
  });

  it('places credentials-file problems in the credentials file', () => {
    const [d] = of('half', 'incompleteKeys');
    assert.ok(d);
    assert.equal(d.file, 'credentials');
    assert.equal(d.range.line, lineOf(CREDENTIALS, /^aws_access_key_id = AKIAEXAMPLEHALF/));
  });

  it('says nothing about healthy profiles, and groups by profile for the tree', () => {
    assert.deepEqual(of('base'), []);
    assert.deepEqual(of('jump'), []);
    const byProfile = diagnosticsByProfile(set);
    assert.equal(byProfile.get('lost')?.[0].code, 'missingSourceProfile');
    assert.equal(byProfile.has('fine'), false);
    assert.equal(diagnosticsByProfile(set), byProfile, 'computed once per loaded set');
  });

  it('never puts a secret in a message', () => {
    for (const d of all) assert.ok(!d.message.includes('base-secret'), d.message);
  });

  it('maps regions to partitions', () => {
    assert.equal(partitionOfRegion('cn-north-1'), 'aws-cn');
    assert.equal(partitionOfRegion('us-gov-west-1'), 'aws-us-gov');
    assert.equal(partitionOfRegion('us-iso-east-1'), 'aws-iso');
    assert.equal(partitionOfRegion('us-isob-east-1'), 'aws-iso-b');
    assert.equal(partitionOfRegion('eu-central-1'), 'aws');
  });
});

describe('core/configDiagnostics: messages never quote a secret value', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('diag-secrets-');
  });
  after(() => removeTempDir(dir));

  const SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY';
  const TOKEN = 'FwoGZXIvYXdzEXAMPLETOKEN';

  it('says where an inline comment is in a secret key, without its value, and keeps quoting ordinary values', async () => {
    const set = await profileSetFrom(
      dir,
      '[profile web]\nregion = eu-west-1 # work\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = keys\n',
      `[keys]\naws_access_key_id = AKIAEXAMPLEKEYS00001\naws_secret_access_key = ${SECRET} # rotated in May\naws_session_token = ${TOKEN} ; from the console\n`,
    );
    const all = diagnoseConfig(set);
    const comments = all.filter((d) => d.code === 'inlineComment');
    assert.equal(comments.length, 3, JSON.stringify(all.map((d) => [d.code, d.file])));
    for (const d of all) {
      assert.ok(!d.message.includes(SECRET.slice(0, 12)), `${d.code} quotes the secret key`);
      assert.ok(!d.message.includes(TOKEN.slice(0, 12)), `${d.code} quotes the session token`);
    }
    assert.ok(comments.some((d) => d.message.includes('aws_secret_access_key') && d.file === 'credentials'));
    assert.ok(comments.some((d) => d.message.includes('"eu-west-1 # work"')), 'an ordinary value is still quoted');
  });
});

describe('core/configDiagnostics: parameters the AWS CLI refuses before calling STS', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('diag-params-');
  });
  after(() => removeTempDir(dir));

  it('flags a role_session_name or external_id shorter than botocore accepts, at its line, and an empty one too', async () => {
    const config = '[profile base]\nregion = eu-west-1\n\n[profile short-name]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = base\nrole_session_name = x\n\n[profile empty-id]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = base\nexternal_id =\n\n[profile fine]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = base\nrole_session_name = ok\nexternal_id = id\n';
    const set = await profileSetFrom(dir, config, '[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\naws_secret_access_key = s\n');
    const found = diagnoseConfig(set)
      .filter((d) => d.code === 'parameterTooShort')
      .sort((a, b) => a.range.line - b.range.line);
    assert.deepEqual(found.map((d) => [d.profile, d.range.line]), [['short-name', 6], ['empty-id', 11]]);
    assert.match(found[0].message, /RoleSessionName shorter than 2/);
    assert.match(found[1].message, /ExternalId shorter than 2/);
  });

  it('flags an mfa_serial shorter than the 9 characters SerialNumber needs, and refuses it before asking for a code', async () => {
    const set = await profileSetFrom(dir, '[profile base]\nregion = eu-west-1\n\n[profile tiny-mfa]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = base\nmfa_serial = 1234\n', '[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\naws_secret_access_key = s\n');
    const [d] = diagnoseConfig(set).filter((x) => x.code === 'parameterTooShort');
    assert.equal(d?.profile, 'tiny-mfa');
    assert.match(d.message, /SerialNumber shorter than 9/);
  });
});
