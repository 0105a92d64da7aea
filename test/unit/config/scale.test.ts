import * as assert from 'node:assert/strict';
import { diagnoseConfig } from '../../../src/core/config/diagnostics';
import { resolveSourceChain } from '../../../src/core/config/sourceChain';
import { buildProfileGroups, matchesFilter } from '../../../src/core/config/profileGroups';
import { generateIdentityCenterConfig } from '../../support/generateConfig';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

// What an Identity Center export of 5,000 profiles turns into. Timings are the benchmark's
// job (npm run bench); this checks the result is right at that size.
describe('5,000 Identity Center profiles', function () {
  this.timeout(20000);
  let dir: string;
  before(async () => {
    dir = await makeTempDir('scale-');
  });
  after(() => removeTempDir(dir));

  it('are all read, classified, grouped by account, filtered and chained like small ones', async () => {
    const generated = generateIdentityCenterConfig(5000);
    const set = await profileSetFrom(dir, generated.text);
    // + [default]
    assert.equal(set.profiles.size, generated.profileCount + 1);
    assert.equal(set.profiles.get(generated.sample.sso)?.kind, 'sso');
    const groups = buildProfileGroups(set);
    assert.equal(groups.filter((g) => g.accountId).length, generated.accountCount + 1);
    assert.ok(groups.find((g) => g.accountId === generated.sample.accountId)?.profiles.some((p) => p.name === generated.sample.sso));
    const filtered = buildProfileGroups(set, generated.sample.accountId);
    assert.ok(filtered.every((g) => g.profiles.every((p) => matchesFilter(p, generated.sample.accountId))));
    assert.ok(filtered.some((g) => g.profiles.some((p) => p.name === generated.sample.sso)));
    const chain = resolveSourceChain(set, generated.sample.chained);
    assert.equal(chain.root.kind, 'sso');
    assert.equal(chain.hops.length, 2);
    // The generator writes a healthy config: chained audit roles keep to 3600 s.
    assert.deepEqual(diagnoseConfig(set).filter((d) => d.severity === 'error'), []);
  });
});
