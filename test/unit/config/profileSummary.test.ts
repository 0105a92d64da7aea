import * as assert from 'node:assert/strict';
import { defaultProfileHasCredentials } from '../../../src/core/config/profileGroups';
import { profileProblem, summarizeProfile } from '../../../src/core/config/profileSummary';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { needsMfaCode } from '../../../src/core/config/sourceChain';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

const CONFIG = `
[profile base]
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::222222222222:role/Developer
source_profile = base
duration_seconds = 7200

[profile deploy]
role_arn = arn:aws:iam::333333333333:role/Deploy
source_profile = dev

[profile admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile via-admin]
role_arn = arn:aws:iam::444444444444:role/Reader
source_profile = admin

[profile orphan]
role_arn = arn:aws:iam::222222222222:role/Orphan
source_profile = nowhere

[profile bad-arn]
role_arn = arn:aws:iam::2222:user/bob
source_profile = base

[profile china]
role_arn = arn:aws:iam::222222222222:role/Developer
source_profile = base
region = cn-north-1

[profile settings-only]
region = us-west-2
`;
const CREDENTIALS = `
[base]
aws_access_key_id = AKIAEXAMPLEBASE00001
aws_secret_access_key = base-secret
`;

describe('core/config/profileSummary: what the tree says about a profile', () => {
  let dir: string;
  let set: ProfileSet;
  before(async () => {
    dir = await makeTempDir('profile-summary-');
    set = await profileSetFrom(dir, CONFIG, CREDENTIALS);
  });
  after(() => removeTempDir(dir));
  const p = (name: string) => set.profiles.get(name)!;

  it('shows the whole source chain and the duration STS is asked for', () => {
    assert.deepEqual(summarizeProfile(set, p('dev')), { problem: undefined, source: { label: 'Source chain', value: 'dev → base' }, durationSeconds: 7200 });
    const deploy = summarizeProfile(set, p('deploy'));
    assert.equal(deploy.source?.value, 'deploy → dev → base');
    assert.equal(deploy.durationSeconds, 3600, 'without duration_seconds STS is asked for its default');
  });

  it('names a broken chain as an error, and then shows the source profile it names', () => {
    const orphan = summarizeProfile(set, p('orphan'));
    assert.equal(orphan.problem?.severity, 'error');
    assert.match(orphan.problem!.message, /nowhere/);
    assert.deepEqual(orphan.source, { label: 'Source profile', value: 'nowhere' });
  });

  it('reports a profile\'s own key mistakes once, as errors', () => {
    const problem = profileProblem(set, p('bad-arn'));
    assert.equal(problem?.severity, 'error');
    assert.match(problem!.message, /not an IAM role ARN/);
    assert.equal(problem!.message.match(/not an IAM role ARN/g)?.length, 1);
  });

  it('reports what only looks wrong as a warning, and nothing for healthy profiles', () => {
    assert.equal(profileProblem(set, p('china'))?.severity, 'warning');
    assert.equal(profileProblem(set, p('dev')), undefined);
    assert.equal(summarizeProfile(set, p('settings-only')).durationSeconds, undefined);
  });

  it('knows which profiles ask for an MFA code, on any hop', () => {
    assert.equal(needsMfaCode(set, 'admin'), true);
    assert.equal(needsMfaCode(set, 'via-admin'), true);
    assert.equal(needsMfaCode(set, 'dev'), false);
    assert.equal(needsMfaCode(set, 'orphan'), false, 'a chain that does not resolve is reported elsewhere, not as needing a code');
  });

  it('says whether [default] has credentials of its own (it would shadow a credential endpoint)', async () => {
    assert.equal(defaultProfileHasCredentials(set), false);
    assert.equal(defaultProfileHasCredentials(undefined), false);
    const withDefault = await profileSetFrom(dir, '[default]\nregion = eu-west-1\n', '[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT01\naws_secret_access_key = s\n');
    assert.equal(defaultProfileHasCredentials(withDefault), true);
    const regionOnly = await profileSetFrom(dir, '[default]\nregion = eu-west-1\n');
    assert.equal(defaultProfileHasCredentials(regionOnly), false);
  });
});
