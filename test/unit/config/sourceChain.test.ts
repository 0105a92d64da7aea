import * as assert from 'node:assert/strict';
import { RoleSwitchError } from '../../../src/core/errors';
import { chainNames, resolveSourceChain, type SourceChain } from '../../../src/core/config/sourceChain';
import { rejectsCode } from '../../support/assertions';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';

const KEYS = (id: string) => `aws_access_key_id = AKIA${id.toUpperCase().padEnd(16, 'X')}\naws_secret_access_key = secret-${id}`;

function hopNames(chain: SourceChain): string[] {
  return chain.hops.map((h) => h.profile.name);
}

describe('core/sourceChain', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('resolves a single hop onto a static source', async () => {
    const set = await profileSetFrom(
      dir,
      `
      [profile admin]
      role_arn = arn:aws:iam::222222222222:role/Admin
      source_profile = base
      `,
      `
      [base]
      ${KEYS('base')}
      `,
    );
    const chain = resolveSourceChain(set, 'admin');
    assert.equal(chain.root.kind, 'static');
    assert.equal(chain.root.profile.name, 'base');
    assert.deepEqual(hopNames(chain), ['admin']);
    assert.equal(chain.hops[0].role.arn, 'arn:aws:iam::222222222222:role/Admin');
    assert.deepEqual(chainNames(chain), ['admin', 'base']);
  });

  it('orders a multi-hop chain from the root outwards, and chainNames from the picked profile down', async () => {
    const set = await profileSetFrom(
      dir,
      `
      [profile prod-admin]
      role_arn = arn:aws:iam::333333333333:role/ProdAdmin
      source_profile = jump

      [profile jump]
      role_arn = arn:aws:iam::222222222222:role/Jump
      source_profile = base
      `,
      `
      [base]
      ${KEYS('base')}
      `,
    );
    const chain = resolveSourceChain(set, 'prod-admin');
    assert.equal(chain.root.profile.name, 'base');
    assert.deepEqual(hopNames(chain), ['jump', 'prod-admin']);
    assert.deepEqual(chainNames(chain), ['prod-admin', 'jump', 'base']);
  });

  it('a static profile is its own root with no hops', async () => {
    const set = await profileSetFrom(dir, undefined, `
      [base]
      ${KEYS('base')}
    `);
    const chain = resolveSourceChain(set, 'base');
    assert.equal(chain.root.kind, 'static');
    assert.deepEqual(chain.hops, []);
    assert.deepEqual(chainNames(chain), ['base']);
  });

  it('on the first hop, role_arn wins even when the profile also has static keys', async () => {
    const set = await profileSetFrom(
      dir,
      `
      [profile both]
      role_arn = arn:aws:iam::222222222222:role/Admin
      source_profile = base
      ${KEYS('both')}
      `,
      `
      [base]
      ${KEYS('base')}
      `,
    );
    const chain = resolveSourceChain(set, 'both');
    assert.deepEqual(hopNames(chain), ['both']);
    assert.equal(chain.root.profile.name, 'base');
  });

  it('on later hops, static keys win over the profile\'s own role_arn', async () => {
    const set = await profileSetFrom(dir, `
      [profile admin]
      role_arn = arn:aws:iam::222222222222:role/Admin
      source_profile = middle

      [profile middle]
      role_arn = arn:aws:iam::222222222222:role/Middle
      source_profile = base
      ${KEYS('middle')}

      [profile base]
      ${KEYS('base')}
    `);
    const chain = resolveSourceChain(set, 'admin');
    assert.deepEqual(hopNames(chain), ['admin']);
    assert.equal(chain.root.profile.name, 'middle');
    assert.deepEqual(chainNames(chain), ['admin', 'middle']);
  });

  it('allows a profile to name itself as source when it has static keys', async () => {
    const set = await profileSetFrom(dir, `
      [profile self]
      role_arn = arn:aws:iam::222222222222:role/Self
      source_profile = self
      ${KEYS('self')}
    `);
    const chain = resolveSourceChain(set, 'self');
    assert.equal(chain.root.kind, 'static');
    assert.equal(chain.root.profile.name, 'self');
    assert.deepEqual(hopNames(chain), ['self']);
    assert.deepEqual(chainNames(chain), ['self']);
  });

  it('rejects a self reference without static keys as a cycle', async () => {
    const set = await profileSetFrom(dir, `
      [profile self]
      role_arn = arn:aws:iam::222222222222:role/Self
      source_profile = self
    `);
    await rejectsCode(() => resolveSourceChain(set, 'self'), 'SourceProfileCycle', /self -> self/);
  });

  it('reports a two-profile cycle as a -> b -> a', async () => {
    const set = await profileSetFrom(dir, `
      [profile a]
      role_arn = arn:aws:iam::222222222222:role/A
      source_profile = b

      [profile b]
      role_arn = arn:aws:iam::222222222222:role/B
      source_profile = a
    `);
    await rejectsCode(() => resolveSourceChain(set, 'a'), 'SourceProfileCycle', /a -> b -> a/);
    await rejectsCode(() => resolveSourceChain(set, 'b'), 'SourceProfileCycle', /b -> a -> b/);
  });

  it('reports a longer cycle with the whole path', async () => {
    const set = await profileSetFrom(dir, `
      [profile a]
      role_arn = arn:aws:iam::222222222222:role/A
      source_profile = b

      [profile b]
      role_arn = arn:aws:iam::222222222222:role/B
      source_profile = c

      [profile c]
      role_arn = arn:aws:iam::222222222222:role/C
      source_profile = b
    `);
    await rejectsCode(() => resolveSourceChain(set, 'a'), 'SourceProfileCycle', /a -> b -> c -> b/);
  });

  it('a cycle back to a profile with keys further down is still a cycle (only self-reference is allowed)', async () => {
    const set = await profileSetFrom(dir, `
      [profile a]
      role_arn = arn:aws:iam::222222222222:role/A
      source_profile = b
      ${KEYS('a')}

      [profile b]
      role_arn = arn:aws:iam::222222222222:role/B
      source_profile = a
    `);
    await rejectsCode(() => resolveSourceChain(set, 'a'), 'SourceProfileCycle', /a -> b -> a/);
  });

  it('names both profiles when source_profile does not exist', async () => {
    const set = await profileSetFrom(dir, `
      [profile admin]
      role_arn = arn:aws:iam::222222222222:role/Admin
      source_profile = ghost
    `);
    await rejectsCode(() => resolveSourceChain(set, 'admin'), 'MissingSourceProfile', /"admin".*"ghost"/);
  });

  it('reports the missing source deep in a chain, attributed to the picked profile', async () => {
    const set = await profileSetFrom(dir, `
      [profile top]
      role_arn = arn:aws:iam::222222222222:role/Top
      source_profile = mid

      [profile mid]
      role_arn = arn:aws:iam::222222222222:role/Mid
      source_profile = ghost
    `);
    assert.throws(() => resolveSourceChain(set, 'top'), (e: RoleSwitchError) => {
      assert.equal(e.code, 'MissingSourceProfile');
      assert.equal(e.profile, 'top');
      assert.match(e.message, /"mid".*"ghost"/);
      return true;
    });
  });

  it('rejects source_profile together with credential_source', async () => {
    const set = await profileSetFrom(dir, `
      [profile both]
      role_arn = arn:aws:iam::222222222222:role/Admin
      source_profile = base
      credential_source = Environment

      [profile base]
      ${KEYS('base')}
    `);
    await rejectsCode(() => resolveSourceChain(set, 'both'), 'ConflictingSource', /"both".*source_profile and credential_source/);
  });

  it('rejects an unknown credential_source, as the AWS CLI does, even on an inner hop', async () => {
    const set = await profileSetFrom(dir, `
      [profile typo]
      role_arn = arn:aws:iam::222222222222:role/Admin
      credential_source = Ec2Metadata

      [profile lowercase]
      role_arn = arn:aws:iam::222222222222:role/Admin
      credential_source = environment

      [profile outer]
      role_arn = arn:aws:iam::222222222222:role/Outer
      source_profile = typo
    `);
    await rejectsCode(() => resolveSourceChain(set, 'typo'), 'InvalidProfile', /"typo" has credential_source = Ec2Metadata, which is not valid\. Use one of Environment, Ec2InstanceMetadata, EcsContainer/);
    await rejectsCode(() => resolveSourceChain(set, 'lowercase'), 'InvalidProfile', /credential_source = environment, which is not valid.*case-sensitive/);
    assert.throws(() => resolveSourceChain(set, 'outer'), (e: RoleSwitchError) => e.code === 'InvalidProfile' && e.profile === 'outer' && /"typo"/.test(e.message));
  });

  it('rejects role_arn without any source', async () => {
    const set = await profileSetFrom(dir, `
      [profile lonely]
      role_arn = arn:aws:iam::222222222222:role/Lonely
    `);
    await rejectsCode(() => resolveSourceChain(set, 'lonely'), 'InvalidProfile', /"lonely" has role_arn but neither source_profile nor credential_source/);
  });

  it('rejects role_arn without a source on the picked profile even when it has keys', async () => {
    const set = await profileSetFrom(dir, `
      [profile keyed]
      role_arn = arn:aws:iam::222222222222:role/Keyed
      ${KEYS('keyed')}
    `);
    await rejectsCode(() => resolveSourceChain(set, 'keyed'), 'InvalidProfile');
  });

  it('rejects a role hop whose role_arn is not an IAM role ARN', async () => {
    const set = await profileSetFrom(dir, `
      [profile bad]
      role_arn = arn:aws:iam::222222222222:user/alice
      source_profile = base

      [profile base]
      ${KEYS('base')}
    `);
    await rejectsCode(() => resolveSourceChain(set, 'bad'), 'InvalidProfile', /not an IAM role ARN/);
  });

  it('reports an unknown profile with ProfileNotFound naming the files', async () => {
    const set = await profileSetFrom(dir, '[default]\nregion = x\n');
    await rejectsCode(() => resolveSourceChain(set, 'nope'), 'ProfileNotFound', /"nope"/);
  });

  it('ends at the right root kind for SSO, process, credential_source and web identity sources', async () => {
    const set = await profileSetFrom(dir, `
      [profile via-sso]
      role_arn = arn:aws:iam::222222222222:role/A
      source_profile = sso

      [profile sso]
      sso_session = corp
      aws_access_key_id = AKIASSOKEYSLOSE00001
      aws_secret_access_key = ignored-because-sso-comes-first

      [profile via-proc]
      role_arn = arn:aws:iam::222222222222:role/B
      source_profile = proc

      [profile proc]
      credential_process = /bin/creds
      aws_access_key_id = AKIACONFIGKEYS000001
      aws_secret_access_key = config-keys-lose-to-process

      [profile via-ec2]
      role_arn = arn:aws:iam::222222222222:role/C
      credential_source = Ec2InstanceMetadata

      [profile via-web]
      role_arn = arn:aws:iam::222222222222:role/D
      source_profile = web

      [profile web]
      role_arn = arn:aws:iam::222222222222:role/Web
      web_identity_token_file = /tmp/token
    `);
    const sso = resolveSourceChain(set, 'via-sso');
    // botocore's profile provider order: web identity, SSO, credentials-file keys, process, config-file keys.
    assert.equal(sso.root.kind, 'sso');
    assert.deepEqual(chainNames(sso), ['via-sso', 'sso']);
    assert.equal(resolveSourceChain(set, 'via-proc').root.kind, 'process');
    const ec2 = resolveSourceChain(set, 'via-ec2');
    assert.equal(ec2.root.kind, 'credentialSource');
    assert.equal(ec2.root.kind === 'credentialSource' ? ec2.root.source : '', 'Ec2InstanceMetadata');
    assert.deepEqual(hopNames(ec2), ['via-ec2']);
    const web = resolveSourceChain(set, 'via-web');
    assert.equal(web.root.kind, 'webIdentity');
    assert.deepEqual(hopNames(web), ['via-web']);
    assert.equal(resolveSourceChain(set, 'web').root.kind, 'webIdentity');
  });

  it('keys in the credentials file win over credential_process, as in botocore', async () => {
    const set = await profileSetFrom(
      dir,
      `
      [profile proc]
      credential_process = /bin/creds
    `,
      `
      [proc]
      aws_access_key_id = AKIACREDFILEKEYS0001
      aws_secret_access_key = credentials-file-keys-win
    `,
    );
    assert.equal(resolveSourceChain(set, 'proc').root.kind, 'static');
  });

  it('a source profile without any credentials gives an unsupported root that says so', async () => {
    const set = await profileSetFrom(dir, `
      [profile admin]
      role_arn = arn:aws:iam::222222222222:role/Admin
      source_profile = empty

      [profile empty]
      region = eu-west-1
    `);
    const chain = resolveSourceChain(set, 'admin');
    assert.equal(chain.root.kind, 'unsupported');
    assert.match(chain.root.kind === 'unsupported' ? chain.root.reason : '', /"empty" has no credentials/);
  });
});
