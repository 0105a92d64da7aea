/**
 * "Write Identity Center Profiles" read back by the real AWS CLIs: the names it wrote are the names
 * the CLI lists (`aws configure list-profiles`, which only v2 has), each profile gives the account
 * and role it was written for in the AWS CLI v1, and the marker key is an unknown key the CLI
 * simply keeps. No network: `aws configure` only reads.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MANAGED_KEY, writeIdentityCenterProfiles } from '../../src/core/config/identityCenterProfiles';
import { cleanEnv, type CliCommand } from '../support/awsCliV1';
import { ini, makeTempDir, removeTempDir } from '../support/awsFiles';
import { discoveredRoles } from '../support/discoveredRoles';
import { requireAwsCliV1, requireAwsCliV2 } from '../support/externalTools';

const CONFIG = ini(`
  # Hand-written; must survive.
  [default]
  region = eu-west-1

  [sso-session corp]
  sso_start_url = https://corp.awsapps.com/start
  sso_region = eu-west-1
  sso_registration_scopes = sso:account:access

  [profile Production/Admin]
  sso_session = corp
  sso_account_id = 999999999999
  sso_role_name = MyOwn
`);

describe('Written Identity Center profiles, read by the AWS CLI v1 and v2', function () {
  this.timeout(120000);
  let cli: CliCommand;
  let cliV2: string;
  let dir: string;
  let file: string;

  const env = () => ({ ...cleanEnv(), HOME: dir, AWS_CONFIG_FILE: file, AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' });
  const aws = (...args: string[]) => execFileSync(cli.file, [...cli.args, ...args], { encoding: 'utf8', timeout: 20000, env: env() }).trim();

  before(async () => {
    cli = requireAwsCliV1();
    cliV2 = requireAwsCliV2();
    dir = await makeTempDir('ic-profiles-cli-');
    file = path.join(dir, 'config');
    await fs.writeFile(file, CONFIG);
  });
  after(async () => {
    if (dir) await removeTempDir(dir);
  });

  it('lists the names written, and each gives its account, role, session and region', async () => {
    const first = await writeIdentityCenterProfiles(
      file,
      'corp',
      discoveredRoles([
        ['111122223333', 'Production', 'Admin'],
        ['111122223333', 'Production', 'ReadOnly'],
        ['444455556666', 'Staging (EU)', 'PowerUser'],
        ['555566667777', undefined, 'Dev'],
        ['666677778888', 'Staging (EU)', 'PowerUser'],
      ]),
    );
    assert.deepEqual(first.skipped.map((s) => s.name), ['Production/Admin'], 'the hand-written profile of that name is kept');
    const second = await writeIdentityCenterProfiles(
      file,
      'corp',
      discoveredRoles([
        ['111122223333', 'Production', 'ReadOnly'],
        ['444455556666', 'Staging (EU)', 'PowerUser'],
        ['666677778888', 'Staging (EU)', 'PowerUser'],
        ['777788889999', 'Sandbox', 'Dev'],
      ]),
    );
    assert.deepEqual(second.removed, ['555566667777/Dev']);
    assert.deepEqual(second.added, ['Sandbox/Dev']);

    const listed = execFileSync(cliV2, ['configure', 'list-profiles'], { encoding: 'utf8', timeout: 20000, env: env() }).trim().split(/\r?\n/).sort();
    assert.deepEqual(listed, ['Production/Admin', 'Production/ReadOnly', 'Sandbox/Dev', 'Staging-EU/PowerUser', 'Staging-EU/PowerUser-2', 'default']);
    const pruned = spawnSync(cli.file, [...cli.args, 'configure', 'get', 'sso_account_id', '--profile', '555566667777/Dev'], { encoding: 'utf8', timeout: 20000, env: env() });
    assert.match(pruned.stderr, /could not be found/, 'the pruned profile is gone for the AWS CLI v1 too');

    const get = (key: string, profile: string) => aws('configure', 'get', key, '--profile', profile);
    assert.equal(get('sso_account_id', 'Staging-EU/PowerUser'), '444455556666');
    assert.equal(get('sso_account_id', 'Staging-EU/PowerUser-2'), '666677778888');
    assert.equal(get('sso_account_id', 'Sandbox/Dev'), '777788889999');
    assert.equal(get('sso_role_name', 'Production/ReadOnly'), 'ReadOnly');
    assert.equal(get('sso_session', 'Sandbox/Dev'), 'corp');
    assert.equal(get('region', 'Sandbox/Dev'), 'eu-west-1');
    assert.equal(get(MANAGED_KEY, 'Sandbox/Dev'), 'corp', 'an unknown key is kept by the CLI, not refused');
    assert.equal(get('sso_account_id', 'Production/Admin'), '999999999999', 'the user\'s own profile is untouched');
    assert.ok((await fs.readFile(file, 'utf8')).startsWith(CONFIG));
  });
});
