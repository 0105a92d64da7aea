import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withDiscoveredRoles } from '../../../src/core/config/discoveredRoles';
import { buildIdentityCenterGroups, buildProfileGroups, matchesFilter } from '../../../src/core/config/profileGroups';
import { listSsoSignIns } from '../../../src/core/credentials/sso/ssoConfig';
import { profileSetFrom } from '../../support/awsFiles';
import { discoveredRoles } from '../../support/discoveredRoles';

const config = `
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[sso-session broken]
sso_region = eu-west-1

[profile prod-admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin

[profile old-a]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Admin

[profile old-b]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = Dev
`;

describe('IAM Identity Center in the tree model', () => {
  let dir: string;
  before(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'idc-groups-'))));
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  async function set() {
    return withDiscoveredRoles(
      await profileSetFrom(dir, config),
      discoveredRoles([
        ['111122223333', 'Production', 'Admin'],
        ['111122223333', 'Production', 'ReadOnly'],
        ['444455556666', undefined, 'Ops'],
        ['444455556666', undefined, 'Dev'],
        ['777788889999', 'Alpha', 'Dev'],
      ]),
    );
  }

  it('groups discovered roles by sso-session and account (by name, an unnamed one by id), roles by name', async () => {
    const groups = buildIdentityCenterGroups(await set(), ['corp', 'broken']);
    assert.deepEqual(
      groups.map((g) => [g.ssoSession, g.accounts.map((a) => [a.accountName ?? a.accountId, a.profiles.map((p) => p.discovered?.roleName)])]),
      [
        ['corp', [['444455556666', ['Dev', 'Ops']], ['Alpha', ['Dev']], ['Production', ['Admin', 'ReadOnly']]]],
        ['broken', []],
      ],
    );
  });

  it('leaves out what the config already reaches, and keeps discovered roles out of the account groups', async () => {
    const s = await set();
    const groups = buildIdentityCenterGroups(s, ['corp'], '', new Set(['corp/111122223333/Admin']));
    assert.deepEqual(groups[0].accounts.find((a) => a.accountId === '111122223333')?.profiles.map((p) => p.name), ['corp/111122223333/ReadOnly']);
    const configGroups = buildProfileGroups(s);
    assert.ok(configGroups.every((g) => g.profiles.every((p) => !p.discovered)));
  });

  it('the filter matches account names; a session with nothing left is left out', async () => {
    const s = await set();
    assert.deepEqual(buildIdentityCenterGroups(s, ['corp', 'broken'], 'alph').map((g) => g.accounts.map((a) => a.accountName)), [['Alpha']]);
    assert.equal(matchesFilter(s.profiles.get('corp/777788889999/Dev')!, 'ALPHA'), true);
    assert.equal(matchesFilter(s.profiles.get('corp/777788889999/Dev')!, 'production'), false);
  });

  it('lists every sign-in of the config: each sso-session (an incomplete one with its problem), then one per legacy start URL', async () => {
    const targets = listSsoSignIns(await profileSetFrom(dir, config), {});
    assert.deepEqual(
      targets.map((t) => [t.name, t.session?.startUrl, t.legacyProfiles, Boolean(t.problem)]),
      [
        ['corp', 'https://corp.awsapps.com/start', [], false],
        ['broken', undefined, [], true],
        [undefined, 'https://old.awsapps.com/start', ['old-a', 'old-b'], false],
      ],
    );
    assert.match(targets[1].problem ?? '', /\[sso-session broken\].*lacks sso_start_url/);
  });
});
