import * as assert from 'node:assert/strict';
import { withDiscoveredRoles } from '../../../src/core/config/discoveredRoles';
import { resolveSourceChain } from '../../../src/core/config/sourceChain';
import { rootCredentials, ssoSettingsOf, type CredentialSourceApi, type SsoSettings } from '../../../src/core/credentials/sourceCredentials';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { discoveredRole } from '../../support/discoveredRoles';

describe('A discovered role resolves like an sso_session profile of the config', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('discovered-resolve-');
  });
  after(() => removeTempDir(dir));

  const config = `
    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = eu-west-1

    [profile written]
    sso_session = corp
    sso_account_id = 111122223333
    sso_role_name = Admin
  `;

  it('gives the same Identity Center settings and the same chain as the written profile', async () => {
    const set = withDiscoveredRoles(await profileSetFrom(dir, config), [discoveredRole({ accountId: '111122223333', accountName: 'Production', roleName: 'Admin' })]);
    const env = { AWS_ENDPOINT_URL_SSO: 'http://127.0.0.2:4567' };
    const virtual = set.profiles.get('corp/111122223333/Admin');
    assert.ok(virtual);
    const written = set.profiles.get('written');
    assert.ok(written);
    const expected: SsoSettings = { startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', accountId: '111122223333', roleName: 'Admin', session: 'corp', endpoint: 'http://127.0.0.2:4567', oidcEndpoint: undefined, scopes: undefined };
    assert.deepEqual(ssoSettingsOf(set, virtual, env), expected);
    assert.deepEqual(ssoSettingsOf(set, written, env), expected);
    assert.equal(virtual.region, 'eu-west-1', 'no region key in the session: its sso_region');

    const chain = resolveSourceChain(set, virtual.name);
    assert.equal(chain.root.kind, 'sso');
    assert.equal(chain.root.profile, virtual);
    assert.deepEqual(chain.hops, []);

    const asked: SsoSettings[] = [];
    const sources = {
      sso: (request: { sso: SsoSettings }) => {
        asked.push(request.sso);
        return Promise.resolve({ accessKeyId: 'ASIAFAKE', secretAccessKey: 'fake', sessionToken: 'fake' });
      },
    } as unknown as CredentialSourceApi;
    const credentials = await rootCredentials(set, chain.root, virtual.name, { loadSources: () => Promise.resolve(sources), env, region: 'eu-west-1', sessionName: 'test' });
    assert.equal(credentials.accessKeyId, 'ASIAFAKE');
    assert.deepEqual(asked, [expected]);
  });
});
