import * as assert from 'node:assert/strict';
import {
  DISCOVERY_CACHE_VERSION,
  discoveredProfileName,
  discoveredRolesOf,
  matchingConfigProfiles,
  parseDiscoveryCache,
  serializeDiscoveryCache,
  withDiscoveredRoles,
  type DiscoveredRole,
  type DiscoveryCache,
} from '../../../src/core/config/discoveredRoles';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { discoveredRole, discoveryCache } from '../../support/discoveredRoles';

describe('Discovered roles: the cache kept per sso-session', () => {
  const cache: DiscoveryCache = discoveryCache();

  it('round-trips through globalState (a JSON value) and through JSON text', () => {
    const stored = serializeDiscoveryCache(cache);
    assert.equal(stored.version, DISCOVERY_CACHE_VERSION);
    assert.deepEqual(parseDiscoveryCache(JSON.parse(JSON.stringify(stored))), cache);
    assert.deepEqual(parseDiscoveryCache(JSON.stringify(stored)), cache);
    assert.doesNotMatch(JSON.stringify(stored), /token|secret/i, 'nothing secret is kept');
  });

  it('drops an entry it cannot trust, whole', () => {
    const stored = serializeDiscoveryCache(cache);
    for (const bad of [
      undefined,
      null,
      42,
      'not json',
      [],
      { ...stored, version: DISCOVERY_CACHE_VERSION + 1 },
      { ...stored, version: undefined },
      { ...stored, ssoSession: '' },
      { ...stored, startUrl: 'https://x\n[profile evil]' },
      { ...stored, ssoRegion: 3 },
      { ...stored, discoveredAt: 'yesterday' },
      { ...stored, discoveredAt: Number.NaN },
      { ...stored, accounts: {} },
    ]) {
      assert.equal(parseDiscoveryCache(bad), undefined, JSON.stringify(bad));
    }
  });

  it('drops only the account, role or field that is malformed', () => {
    const stored = serializeDiscoveryCache(cache);
    const parsed = parseDiscoveryCache({
      ...stored,
      accounts: [
        { accountId: '12345', roles: ['Admin'] },
        { accountId: 123456789012, roles: ['Admin'] },
        'nope',
        { accountId: '999999999999', accountName: 'ok\r\nsection', emailAddress: 7, roles: ['Admin', 'bad role', 'x\n', 42, 'Admin', 'Dev'], rolesError: ['x'] },
        { accountId: '999999999999', accountName: 'duplicate', roles: [] },
        { accountId: '888888888888' },
      ],
    });
    assert.deepEqual(parsed?.accounts, [
      { accountId: '999999999999', roles: ['Admin', 'Dev'] },
      { accountId: '888888888888', roles: [] },
    ]);
  });

  it('lists every role of every account, with the session it came from', () => {
    const roles = discoveredRolesOf(cache);
    assert.equal(roles.length, 4);
    assert.deepEqual(roles[0], { ssoSession: 'corp', startUrl: 'https://corp.awsapps.com/start', ssoRegion: 'eu-west-1', accountId: '111122223333', accountName: 'Production', roleName: 'Admin' });
    assert.equal(roles.filter((r) => r.accountId === '444455556666')[0].accountName, undefined);
  });
});

describe('Discovered roles as profiles', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('discovered-');
  });
  after(() => removeTempDir(dir));

  const config = `
    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = eu-west-1
    region = eu-central-1

    [sso-session lab]
    sso_start_url = https://lab.awsapps.com/start
    sso_region = us-east-1

    [profile prod-admin]
    sso_session = corp
    sso_account_id = 111122223333
    sso_role_name = Admin

    [profile legacy-admin]
    sso_start_url = https://CORP.awsapps.com/start/
    sso_region = eu-west-1
    sso_account_id = 111122223333
    sso_role_name = Admin

    [profile prod-readonly]
    sso_session = corp
    sso_account_id = 111122223333
    sso_role_name = ReadOnly

    [profile corp/444455556666/Dev]
    region = ap-south-1
  `;

  it('resolve like sso_session profiles: the session\'s region if set, else its sso_region', async () => {
    const set = await profileSetFrom(dir, config);
    const admin = discoveredRole({ accountId: '111122223333', accountName: 'Production', roleName: 'Admin' });
    const lab = discoveredRole({ ssoSession: 'lab', startUrl: 'https://lab.awsapps.com/start', ssoRegion: 'us-east-1', accountId: '777788889999', roleName: 'Dev' });
    const merged = withDiscoveredRoles(set, [admin, lab]);

    const p = merged.profiles.get('corp/111122223333/Admin');
    assert.ok(p);
    assert.equal(p.kind, 'sso');
    assert.deepEqual(p.settings, { sso_session: 'corp', sso_account_id: '111122223333', sso_role_name: 'Admin', region: 'eu-central-1' });
    assert.equal(p.region, 'eu-central-1');
    assert.deepEqual(p.discovered, { ssoSession: 'corp', startUrl: 'https://corp.awsapps.com/start', accountId: '111122223333', accountName: 'Production', roleName: 'Admin' });
    assert.deepEqual(p.problems, []);
    assert.equal(merged.profiles.get('lab/777788889999/Dev')?.settings.region, 'us-east-1');
    assert.equal(discoveredProfileName(lab), 'lab/777788889999/Dev');

    // The config's own profiles are unchanged, first and in their order; the set passed in is not changed.
    assert.deepEqual([...merged.profiles.keys()].slice(0, set.profiles.size), [...set.profiles.keys()]);
    assert.equal(set.profiles.has('corp/111122223333/Admin'), false);
    assert.equal([...set.profiles.values()].some((x) => x.discovered), false);
  });

  it('lets a real profile of the same name win, and drops roles of a session that is gone or moved', async () => {
    const set = await profileSetFrom(dir, config);
    const shadowed = discoveredRole({ accountId: '444455556666', roleName: 'Dev' });
    const gone = discoveredRole({ ssoSession: 'old', accountId: '111122223333', roleName: 'Admin' });
    const moved = discoveredRole({ ssoSession: 'lab', startUrl: 'https://old-lab.awsapps.com/start', accountId: '111122223333', roleName: 'Admin' });
    const merged = withDiscoveredRoles(set, [shadowed, gone, moved]);
    assert.equal(merged.profiles.get('corp/444455556666/Dev'), set.profiles.get('corp/444455556666/Dev'));
    assert.equal(merged.profiles.get('corp/444455556666/Dev')?.discovered, undefined);
    assert.equal(merged.profiles.size, set.profiles.size);
  });

  it('finds the config profiles that reach the same role, by sso-session or by start URL', async () => {
    const set = await profileSetFrom(dir, config);
    const admin = discoveredRole({ accountId: '111122223333', roleName: 'Admin' });
    const merged = withDiscoveredRoles(set, [admin]);
    assert.deepEqual(
      matchingConfigProfiles(merged, admin).map((p) => p.name),
      ['legacy-admin', 'prod-admin'],
    );
    assert.deepEqual(
      matchingConfigProfiles(merged, { ...admin, roleName: 'ReadOnly' }).map((p) => p.name),
      ['prod-readonly'],
    );
    assert.deepEqual(matchingConfigProfiles(merged, { ...admin, accountId: '999999999999' }), []);
    const otherPortal: DiscoveredRole = { ...admin, ssoSession: 'lab', startUrl: 'https://lab.awsapps.com/start' };
    assert.deepEqual(matchingConfigProfiles(merged, otherPortal), [], 'same account and role through another portal is another way in');
  });
});
