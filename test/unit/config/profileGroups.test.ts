import * as assert from 'node:assert/strict';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { buildProfileGroups, matchesFilter, orderForPick, pushRecent } from '../../../src/core/config/profileGroups';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

describe('core/treeModel', () => {
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

      [profile dev-readonly]
      role_arn = arn:aws:iam::100000000000:role/ReadOnly
      source_profile = base

      [profile dev-admin]
      role_arn = arn:aws:iam::100000000000:role/team/Admin
      source_profile = base

      [profile broken]
      role_arn = not-an-arn
      source_profile = base

      [profile sso]
      sso_session = corp
      `,
      `
      [base]
      aws_access_key_id = AKIABASEBASEBASEBASE
      aws_secret_access_key = s
      `,
    );
  });
  after(async () => {
    await removeTempDir(dir);
  });

  const shape = (filter = '') => buildProfileGroups(set, filter).map((g) => [g.id, g.profiles.map((p) => p.name)]);

  it('groups role profiles by account in account order, profiles by name, others last', () => {
    assert.deepEqual(shape(), [
      ['account:100000000000', ['dev-admin', 'dev-readonly']],
      ['account:900000000000', ['prod-admin']],
      ['other', ['base', 'broken', 'sso']],
    ]);
    const groups = buildProfileGroups(set);
    assert.equal(groups[0].accountId, '100000000000');
    assert.equal(groups[0].label, 'Account 100000000000');
    assert.equal(groups[2].accountId, undefined);
  });

  it('filters on profile name, case-insensitively', () => {
    assert.deepEqual(shape('PROD'), [['account:900000000000', ['prod-admin']]]);
  });

  it('filters on account id', () => {
    assert.deepEqual(shape('100000'), [['account:100000000000', ['dev-admin', 'dev-readonly']]]);
  });

  it('filters on role name, case-insensitively, and keeps matching others', () => {
    assert.deepEqual(shape('readonly'), [['account:100000000000', ['dev-readonly']]]);
    assert.deepEqual(shape('admin'), [
      ['account:100000000000', ['dev-admin']],
      ['account:900000000000', ['prod-admin']],
    ]);
    assert.deepEqual(shape('ss'), [['other', ['sso']]]);
  });

  it('matches by role name, not by the role path', () => {
    const devAdmin = set.profiles.get('dev-admin')!;
    assert.equal(matchesFilter(devAdmin, 'team'), false);
    assert.equal(matchesFilter(devAdmin, '  ADMIN '), true);
  });

  it('returns no groups when nothing matches, and everything for a blank filter', () => {
    assert.deepEqual(shape('zzz'), []);
    assert.equal(buildProfileGroups(set, '   ').length, 3);
  });

  it('orderForPick puts recent profiles first in recency order, then the rest by name', () => {
    const items = ['delta', 'alpha', 'charlie', 'bravo'].map((name) => ({ name, kind: 'role' as const }));
    assert.deepEqual(orderForPick(items, ['charlie', 'ghost', 'delta']).map((i) => i.profile.name), ['charlie', 'delta', 'alpha', 'bravo']);
    assert.deepEqual(items.map((i) => i.name), ['delta', 'alpha', 'charlie', 'bravo'], 'input is not mutated');
  });

  it('pushRecent moves the name to the front without duplicates and caps the length', () => {
    assert.deepEqual(pushRecent(['a', 'b', 'c'], 'c'), ['c', 'a', 'b']);
    assert.deepEqual(pushRecent([], 'x'), ['x']);
    assert.deepEqual(pushRecent(['a', 'b', 'c'], 'd', 3), ['d', 'a', 'b']);
    const long = Array.from({ length: 25 }, (_, i) => `p${i}`);
    assert.equal(pushRecent(long, 'new').length, 20);
  });
});
