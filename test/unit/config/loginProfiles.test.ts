import * as assert from 'node:assert/strict';
import { diagnoseConfig, type AwsCliFacts } from '../../../src/core/config/diagnostics';
import { accountAndRole, isAssumable } from '../../../src/core/config/profileGroups';
import type { Profile, ProfileSet } from '../../../src/core/config/profiles';
import { chainNames, resolveSourceChain, rootIsRoleSession } from '../../../src/core/config/sourceChain';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

const USER_LOGIN = 'arn:aws:iam::111111111111:user/dev/alice';
const ROLE_LOGIN = 'arn:aws:sts::222222222222:assumed-role/Admin/alice@example.com';
const KEYS = 'aws_access_key_id = AKIAKEYSKEYSKEYSKEYS\naws_secret_access_key = keys-secret';

const CONFIG = `
  [profile console]
  login_session = ${USER_LOGIN}
  region = eu-west-2

  [profile federated]
  login_session = ${ROLE_LOGIN}

  [profile root-login]
  login_session = arn:aws:iam::333333333333:root

  [profile via-console]
  role_arn = arn:aws:iam::444444444444:role/Deploy
  source_profile = console

  [profile via-console-long]
  role_arn = arn:aws:iam::444444444444:role/Deploy
  source_profile = console
  duration_seconds = 7200

  [profile login-and-process]
  login_session = ${USER_LOGIN}
  credential_process = /bin/false

  [profile login-and-config-keys]
  login_session = ${USER_LOGIN}
  ${KEYS}

  [profile login-and-credentials-keys]
  login_session = ${USER_LOGIN}

  [sso-session corp]
  sso_start_url = https://corp.awsapps.com/start
  sso_region = eu-west-1

  [profile sso-and-login]
  sso_session = corp
  sso_account_id = 555555555555
  sso_role_name = Dev
  login_session = ${USER_LOGIN}
`;

const CREDENTIALS = `
  [login-and-credentials-keys]
  ${KEYS}
`;

describe('core/config: aws login (login_session) profiles', () => {
  let dir: string;
  let set: ProfileSet;
  const profile = (name: string) => set.profiles.get(name) as Profile;

  before(async () => {
    dir = await makeTempDir('login-profiles-');
    set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
  });
  after(() => removeTempDir(dir));

  it('a profile with login_session is a kind of its own, usable on its own', () => {
    for (const name of ['console', 'federated', 'root-login']) {
      assert.equal(profile(name).kind, 'login', name);
      assert.ok(isAssumable(profile(name)));
    }
  });

  it('is a chain root: picked directly, and as the source_profile of a role', () => {
    const direct = resolveSourceChain(set, 'console');
    assert.equal(direct.root.kind, 'login');
    assert.deepEqual(direct.hops, []);
    const via = resolveSourceChain(set, 'via-console');
    assert.equal(profile('via-console').kind, 'role');
    assert.equal(via.root.kind, 'login');
    assert.equal(via.root.profile.name, 'console');
    assert.deepEqual(chainNames(via), ['via-console', 'console']);
  });

  it("takes its place in botocore's provider chain: after IAM Identity Center and keys in the credentials file, before credential_process and keys in the config file", () => {
    assert.equal(resolveSourceChain(set, 'sso-and-login').root.kind, 'sso');
    assert.equal(resolveSourceChain(set, 'login-and-credentials-keys').root.kind, 'static');
    assert.equal(resolveSourceChain(set, 'login-and-process').root.kind, 'login');
    assert.equal(profile('login-and-process').kind, 'login');
    assert.equal(resolveSourceChain(set, 'login-and-config-keys').root.kind, 'login');
  });

  it('its credentials are temporary, so a role assumed from them is role chaining (one hour at most)', () => {
    assert.equal(rootIsRoleSession(resolveSourceChain(set, 'via-console').root), true);
    const found = diagnoseConfig(set).filter((d) => d.profile === 'via-console-long');
    assert.deepEqual(found.map((d) => d.code), ['chainedDuration']);
  });

  it('shows the account and the identity from login_session: the IAM user, the federated role, the root user', () => {
    assert.deepEqual(accountAndRole(profile('console')), { accountId: '111111111111', roleName: 'alice' });
    assert.deepEqual(accountAndRole(profile('federated')), { accountId: '222222222222', roleName: 'Admin' });
    assert.deepEqual(accountAndRole(profile('root-login')), { accountId: '333333333333', roleName: '' });
  });

  describe('the diagnostic when the AWS CLI on PATH cannot run aws login', () => {
    const facts = (f: Partial<AwsCliFacts>): AwsCliFacts => ({ supportsLogin: false, loginMinVersion: '2.32.0', ...f });
    const loginWarnings = (awsCli?: AwsCliFacts) => diagnoseConfig(set, { awsCli }).filter((d) => d.code === 'awsCliTooOldForLogin');

    it('says which CLI is too old, on the login_session key of every login profile', () => {
      const found = loginWarnings(facts({ executable: '/usr/bin/aws', version: '2.9.19' }));
      assert.deepEqual(found.map((d) => d.profile).sort(), ['console', 'federated', 'login-and-config-keys', 'login-and-credentials-keys', 'login-and-process', 'root-login', 'sso-and-login']);
      const console = found.find((d) => d.profile === 'console');
      assert.equal(console?.severity, 'warning');
      assert.equal(console?.file, 'config');
      const line = set.files.configIndex.sections.find((s) => s.name === 'console')?.keys.find((k) => k.key === 'login_session');
      assert.deepEqual(console?.range, line?.valueRange);
      assert.match(console?.message ?? '', /\/usr\/bin\/aws\) is version 2\.9\.19/);
      assert.match(console?.message ?? '', /AWS CLI v2 2\.32\.0 or later/);
    });

    it('names no CLI when there is none, and stays silent when the CLI is new enough or not asked yet', () => {
      assert.match(loginWarnings(facts({}))[0]?.message ?? '', /There is no AWS CLI on PATH/);
      assert.match(loginWarnings(facts({ executable: '/home/u/.pyenv/shims/aws', version: '1.38.3' }))[0]?.message ?? '', /version 1\.38\.3/);
      assert.deepEqual(loginWarnings(facts({ executable: '/usr/local/bin/aws', version: '2.32.0', supportsLogin: true })), []);
      assert.deepEqual(loginWarnings(undefined), []);
    });
  });
});
