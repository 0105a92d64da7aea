import * as assert from 'node:assert/strict';
import type { ErrorCode } from '../../../src/core/errors';
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

  // Profiles the CLI refuses before calling STS: per case, the config and what resolving each
  // named profile must fail with (code, words of the message, and the profile it is filed under).
  const REFUSED: { title: string; config: string; refusals: { profile: string; code: ErrorCode; says?: RegExp; filedUnder?: string }[] }[] = [
    {
      title: 'rejects a self reference without static keys as a cycle',
      config: `
        [profile self]
        role_arn = arn:aws:iam::222222222222:role/Self
        source_profile = self
      `,
      refusals: [{ profile: 'self', code: 'SourceProfileCycle', says: /self -> self/ }],
    },
    {
      title: 'reports a two-profile cycle as a -> b -> a',
      config: `
        [profile a]
        role_arn = arn:aws:iam::222222222222:role/A
        source_profile = b

        [profile b]
        role_arn = arn:aws:iam::222222222222:role/B
        source_profile = a
      `,
      refusals: [
        { profile: 'a', code: 'SourceProfileCycle', says: /a -> b -> a/ },
        { profile: 'b', code: 'SourceProfileCycle', says: /b -> a -> b/ },
      ],
    },
    {
      title: 'reports a longer cycle with the whole path',
      config: `
        [profile a]
        role_arn = arn:aws:iam::222222222222:role/A
        source_profile = b

        [profile b]
        role_arn = arn:aws:iam::222222222222:role/B
        source_profile = c

        [profile c]
        role_arn = arn:aws:iam::222222222222:role/C
        source_profile = b
      `,
      refusals: [{ profile: 'a', code: 'SourceProfileCycle', says: /a -> b -> c -> b/ }],
    },
    {
      title: 'a cycle back to a profile with keys further down is still a cycle (only self-reference is allowed)',
      config: `
        [profile a]
        role_arn = arn:aws:iam::222222222222:role/A
        source_profile = b
        ${KEYS('a')}

        [profile b]
        role_arn = arn:aws:iam::222222222222:role/B
        source_profile = a
      `,
      refusals: [{ profile: 'a', code: 'SourceProfileCycle', says: /a -> b -> a/ }],
    },
    {
      title: 'names both profiles when source_profile does not exist',
      config: `
        [profile admin]
        role_arn = arn:aws:iam::222222222222:role/Admin
        source_profile = ghost
      `,
      refusals: [{ profile: 'admin', code: 'MissingSourceProfile', says: /"admin".*"ghost"/ }],
    },
    {
      title: 'reports the missing source deep in a chain, attributed to the picked profile',
      config: `
        [profile top]
        role_arn = arn:aws:iam::222222222222:role/Top
        source_profile = mid

        [profile mid]
        role_arn = arn:aws:iam::222222222222:role/Mid
        source_profile = ghost
      `,
      refusals: [{ profile: 'top', code: 'MissingSourceProfile', says: /"mid".*"ghost"/, filedUnder: 'top' }],
    },
    {
      title: 'rejects source_profile together with credential_source',
      config: `
        [profile both]
        role_arn = arn:aws:iam::222222222222:role/Admin
        source_profile = base
        credential_source = Environment

        [profile base]
        ${KEYS('base')}
      `,
      refusals: [{ profile: 'both', code: 'ConflictingSource', says: /"both".*source_profile and credential_source/ }],
    },
    {
      title: 'rejects an unknown credential_source, as the AWS CLI does, even on an inner hop',
      config: `
        [profile typo]
        role_arn = arn:aws:iam::222222222222:role/Admin
        credential_source = Ec2Metadata

        [profile lowercase]
        role_arn = arn:aws:iam::222222222222:role/Admin
        credential_source = environment

        [profile outer]
        role_arn = arn:aws:iam::222222222222:role/Outer
        source_profile = typo
      `,
      refusals: [
        { profile: 'typo', code: 'InvalidProfile', says: /"typo" has credential_source = Ec2Metadata, which is not valid\. Use one of Environment, Ec2InstanceMetadata, EcsContainer/ },
        { profile: 'lowercase', code: 'InvalidProfile', says: /credential_source = environment, which is not valid.*case-sensitive/ },
        { profile: 'outer', code: 'InvalidProfile', says: /"typo"/, filedUnder: 'outer' },
      ],
    },
    {
      title: 'rejects role_arn without any source',
      config: `
        [profile lonely]
        role_arn = arn:aws:iam::222222222222:role/Lonely
      `,
      refusals: [{ profile: 'lonely', code: 'InvalidProfile', says: /"lonely" has role_arn but neither source_profile nor credential_source/ }],
    },
    {
      title: 'rejects role_arn without a source on the picked profile even when it has keys',
      config: `
        [profile keyed]
        role_arn = arn:aws:iam::222222222222:role/Keyed
        ${KEYS('keyed')}
      `,
      refusals: [{ profile: 'keyed', code: 'InvalidProfile' }],
    },
    {
      title: 'rejects a role hop whose role_arn is not an IAM role ARN',
      config: `
        [profile bad]
        role_arn = arn:aws:iam::222222222222:user/alice
        source_profile = base

        [profile base]
        ${KEYS('base')}
      `,
      refusals: [{ profile: 'bad', code: 'InvalidProfile', says: /not an IAM role ARN/ }],
    },
    {
      title: 'reports an unknown profile with ProfileNotFound naming the files',
      config: '[default]\nregion = x\n',
      refusals: [{ profile: 'nope', code: 'ProfileNotFound', says: /"nope"/ }],
    },
  ];

  for (const c of REFUSED) {
    it(c.title, async () => {
      const set = await profileSetFrom(dir, c.config);
      for (const r of c.refusals) {
        const e = await rejectsCode(() => resolveSourceChain(set, r.profile), r.code, ...(r.says ? [r.says] : []));
        if (r.filedUnder) assert.equal(e.profile, r.filedUnder);
      }
    });
  }

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
