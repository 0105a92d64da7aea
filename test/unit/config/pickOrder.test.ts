import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Profile, ProfileSet } from '../../../src/core/config/profiles';
import { orderForPick } from '../../../src/core/config/profileGroups';
import { profileHeader } from '../../../src/core/config/diagnostics';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

const CONFIG = `
  [profile zeta-role]
  role_arn = arn:aws:iam::222222222222:role/Zeta
  source_profile = aaa-keys

  [profile alpha-role]
  role_arn = arn:aws:iam::222222222222:role/Alpha
  source_profile = aaa-keys

  [profile beta-sso]
  sso_session = corp
  sso_account_id = 333333333333
  sso_role_name = Dev

  [sso-session corp]
  sso_start_url = https://corp.awsapps.com/start
  sso_region = eu-west-1

  [profile b-process]
  credential_process = /bin/true

  [profile web]
  role_arn = arn:aws:iam::222222222222:role/Web
  web_identity_token_file = /tmp/token

  [profile broken]
  role_arn = arn:aws:iam::222222222222:role/Broken
  source_profile = ghost
`;
const CREDENTIALS = `
  [aaa-keys]
  aws_access_key_id = AKIAPICKORDER0000001
  aws_secret_access_key = pick-order-secret-00000000000000000000

  [only-keys]
  aws_access_key_id = AKIAPICKORDER0000002
  aws_secret_access_key = pick-order-secret-00000000000000000001
`;

describe('core/config: the Assume Role pick puts roles first', () => {
  let dir: string;
  let set: ProfileSet;
  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
  });
  after(() => removeTempDir(dir));

  const discovered = (name: string): Profile => ({ ...(set.profiles.get('beta-sso') as Profile), name, discovered: { ssoSession: 'corp', accountId: '444444444444', roleName: name, startUrl: 'https://corp.awsapps.com/start' } });
  const shape = (recent: string[], extra: Profile[] = []) => orderForPick([...set.profiles.values(), ...extra], recent).map((e) => `${e.section}:${e.profile.name}`);

  it('with no history: roles, then Identity Center profiles, then discovered roles, then keys and other sources', () => {
    assert.deepEqual(shape([], [discovered('Viewer')]), [
      'profiles:alpha-role',
      'profiles:broken',
      'profiles:web',
      'profiles:zeta-role',
      'profiles:beta-sso',
      'identityCenter:Viewer',
      'otherSources:aaa-keys',
      'otherSources:b-process',
      'otherSources:only-keys',
    ]);
  });

  it('recently used profiles come first in recency order, whatever their kind', () => {
    const order = shape(['only-keys', 'ghost', 'zeta-role']);
    assert.deepEqual(order.slice(0, 3), ['recent:only-keys', 'recent:zeta-role', 'profiles:alpha-role']);
    assert.ok(!order.includes('otherSources:only-keys'), 'listed once');
    assert.equal(order.length, set.profiles.size);
  });

  it('does not change its input', () => {
    const input = [...set.profiles.values()];
    const names = input.map((p) => p.name);
    orderForPick(input, ['b-process']);
    assert.deepEqual(input.map((p) => p.name), names);
  });

  it('profileHeader finds the line of the section header, in config first, else in credentials', () => {
    const role = profileHeader(set, 'broken');
    assert.equal(role?.file, 'config');
    assert.equal(path.resolve(role?.path ?? ''), path.resolve(set.files.paths.configPath));
    assert.equal(readFileSync(role?.path ?? '', 'utf8').split('\n')[role?.line ?? -1]?.trim(), '[profile broken]');
    const keys = profileHeader(set, 'only-keys');
    assert.equal(keys?.file, 'credentials');
    assert.equal(path.resolve(keys?.path ?? ''), path.resolve(set.files.paths.credentialsPath));
    assert.equal(readFileSync(keys?.path ?? '', 'utf8').split('\n')[keys?.line ?? -1]?.trim(), '[only-keys]');
    assert.equal(profileHeader(set, 'nobody'), undefined);
  });
});
