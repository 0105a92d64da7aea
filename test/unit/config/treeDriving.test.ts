import * as assert from 'node:assert/strict';
import type { ProfileSet } from '../../../src/core/config/profiles';
import {
  accountLabel,
  accountNameOf,
  accountNames,
  buildIdentityCenterGroups,
  buildProfileGroups,
  countMatches,
  filterMessage,
  matchesFilter,
  orderForPick,
  profileSectionLine,
  rowDescription,
  togglePin,
} from '../../../src/core/config/profileGroups';
import { withDiscoveredRoles } from '../../../src/core/config/discoveredRoles';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { discoveredRoles } from '../../support/discoveredRoles';

describe('core/profileGroups: names, pins, rows and the filter message', () => {
  let dir: string;
  let set: ProfileSet;
  before(async () => {
    dir = await makeTempDir();
    set = await profileSetFrom(
      dir,
      `
      [profile prod-admin]
      role_arn = arn:aws:iam::900000000000:role/Admin
      source_profile = base
      mfa_serial = arn:aws:iam::100000000000:mfa/alice

      [profile dev-readonly]
      role_arn = arn:aws:iam::100000000000:role/ReadOnly
      source_profile = base

      [profile deploy]
      role_arn = arn:aws:iam::500000000000:role/Deployer
      source_profile = dev-readonly
      `,
      `
      [base]
      aws_access_key_id = AKIABASEBASEBASEBASE
      aws_secret_access_key = s
      `,
    );
  });
  after(async () => removeTempDir(dir));

  const names = () => accountNames(set, { '900000000000': ' Production ', '12345': 'not an id', '100000000000': 7 });

  it('takes names from the setting (12-digit ids, non-empty text only), trimmed', () => {
    assert.deepEqual([...names()], [['900000000000', 'Production']]);
    assert.equal(accountLabel('900000000000', names()), 'Production (900000000000)');
    assert.equal(accountLabel('100000000000', names()), 'Account 100000000000');
    assert.equal(accountNameOf(set.profiles.get('prod-admin')!, names()), 'Production');
    assert.equal(accountNameOf(set.profiles.get('base')!, names()), undefined);
  });

  it('groups named accounts first, by name, then the others by id; the filter matches account names', () => {
    const groups = buildProfileGroups(set, '', { names: names() });
    assert.deepEqual(groups.map((g) => g.label), ['Production (900000000000)', 'Account 100000000000', 'Account 500000000000', 'Other profiles']);
    assert.ok(matchesFilter(set.profiles.get('prod-admin')!, 'producti', names()));
    assert.ok(!matchesFilter(set.profiles.get('prod-admin')!, 'producti'));
    assert.deepEqual(buildProfileGroups(set, 'PRODUCTION', { names: names() }).map((g) => g.profiles.map((p) => p.name)), [['prod-admin']]);
  });

  it('puts a Pinned group first, in pin order, leaving the profiles in their own groups too; unknown pins are ignored', () => {
    const groups = buildProfileGroups(set, '', { pinned: ['deploy', 'gone', 'base'] });
    assert.equal(groups[0].id, 'pinned');
    assert.equal(groups[0].label, 'Pinned');
    assert.deepEqual(groups[0].profiles.map((p) => p.name), ['deploy', 'base']);
    assert.ok(groups.some((g) => g.id === 'account:500000000000' && g.profiles.some((p) => p.name === 'deploy')));
    // The filter applies to pins as well; no match, no group.
    assert.equal(buildProfileGroups(set, 'prod', { pinned: ['deploy'] })[0].id, 'account:900000000000');
  });

  it('pins at the end and unpins without moving the others', () => {
    assert.deepEqual(togglePin(['a', 'b'], 'c', true), ['a', 'b', 'c']);
    assert.deepEqual(togglePin(['a', 'b', 'c'], 'a', true), ['b', 'c', 'a']);
    assert.deepEqual(togglePin(['a', 'b', 'c'], 'b', false), ['a', 'c']);
  });

  it('orders the quick pick: pinned (in pin order), then recently used, then by name', () => {
    const items = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, kind: 'role' as const }));
    assert.deepEqual(orderForPick(items, ['e', 'b', 'c'], ['d', 'b']).map((i) => i.profile.name), ['d', 'b', 'e', 'c', 'a']);
  });

  it('says what the filter filters by, and when nothing matches', () => {
    assert.equal(filterMessage('', 0), undefined);
    assert.match(filterMessage(' prod ', 1) ?? '', /^Filtered by "prod": 1 profile\./);
    assert.match(filterMessage('x', 3) ?? '', /3 profiles/);
    assert.match(filterMessage('nothing-like-it', 0) ?? '', /^No profile matches "nothing-like-it"\./);
    assert.equal(countMatches(set, 'nothing-like-it'), 0);
    assert.equal(countMatches(set, 'prod', names()), 1);
    assert.equal(countMatches(set, ''), set.profiles.size);
  });

  it('keeps rows short: the role, the account only outside its group, MFA and chained markers', () => {
    const opts = { kindLabel: 'Role', names: names() };
    assert.equal(rowDescription(set.profiles.get('prod-admin')!, set, { ...opts, showAccount: false }), 'Admin · MFA');
    assert.equal(rowDescription(set.profiles.get('prod-admin')!, set, { ...opts, showAccount: true }), 'Admin · Production · MFA');
    assert.equal(rowDescription(set.profiles.get('dev-readonly')!, set, { ...opts, showAccount: true }), 'ReadOnly · 100000000000');
    assert.equal(rowDescription(set.profiles.get('deploy')!, set, { ...opts, showAccount: false }), 'Deployer · via dev-readonly');
    assert.equal(rowDescription(set.profiles.get('base')!, set, { kindLabel: 'Access keys', showAccount: false }), 'Access keys');
  });

  it('finds the section header line of a profile, in the config first, else the credentials file', () => {
    const deploy = profileSectionLine(set, set.profiles.get('deploy')!);
    assert.equal(deploy?.path, set.files.paths.configPath);
    assert.equal(set.files.configIndex.sections.find((s) => s.line === deploy?.line)?.name, 'deploy');
    const base = profileSectionLine(set, set.profiles.get('base')!);
    assert.equal(base?.path, set.files.paths.credentialsPath);
    assert.equal(base?.line, set.files.credentialsIndex.sections.find((s) => s.name === 'base')?.line);
  });

  it('names Identity Center accounts from the setting over the names discovery returned', async () => {
    const sso = await profileSetFrom(dir, `[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n`, '');
    const withRoles = withDiscoveredRoles(sso, discoveredRoles([
      ['111122223333', 'prod-org', 'Admin'],
      ['444455556666', 'sandbox', 'Dev'],
    ]));
    const n = accountNames(withRoles, { '111122223333': 'Production' });
    assert.equal(n.get('444455556666'), 'sandbox');
    const [group] = buildIdentityCenterGroups(withRoles, ['corp'], '', new Set(), n);
    assert.deepEqual(group.accounts.map((a) => a.accountName), ['Production', 'sandbox']);
    assert.equal(buildIdentityCenterGroups(withRoles, ['corp'], 'producti', new Set(), n)[0].accounts.length, 1);
    assert.equal(profileSectionLine(withRoles, [...withRoles.profiles.values()].find((p) => p.discovered)!), undefined);
  });
});
