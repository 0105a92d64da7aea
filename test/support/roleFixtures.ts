// AWS files that more than one suite starts from: a user's keys, and the profiles the tree suites drive.
import type { FakeUser, LoopbackStsOptions } from './loopbackSts';

/** A credentials file with `user`'s long-term keys under `[profile]`. */
export function keysCredentials(profile: string, user: FakeUser): string {
  return `[${profile}]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`;
}

/** The tree suites' user: keys under `base`, the source of every role below. */
export const treeUser: FakeUser = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAALICETREE0000001', secretAccessKey: 'alice-secret-key-for-tree-tests-00000001' };
export const treeRoles = {
  dev: 'arn:aws:iam::222222222222:role/Developer',
  deploy: 'arn:aws:iam::333333333333:role/Deployer',
  guarded: 'arn:aws:iam::333333333333:role/Guarded',
};

/** Who may assume what: dev and guarded from the user, deploy only from dev (a chain of two). */
export function treeSts(): LoopbackStsOptions {
  return {
    users: [treeUser],
    roles: [
      { arn: treeRoles.dev, trustedPrincipals: [treeUser.arn] },
      { arn: treeRoles.deploy, trustedPrincipals: [treeRoles.dev] },
      { arn: treeRoles.guarded, trustedPrincipals: [treeUser.arn] },
    ],
  };
}

/** Three role profiles in two accounts, one chained (deploy via dev), one with MFA, all going to the STS at `stsUrl`. */
export function treeConfig(stsUrl: string): string {
  return `[services local-sts]
sts =
  endpoint_url = ${stsUrl}

[profile base]
region = eu-west-1
services = local-sts

[profile dev]
role_arn = ${treeRoles.dev}
source_profile = base
region = eu-west-1
services = local-sts

[profile deploy]
role_arn = ${treeRoles.deploy}
source_profile = dev
region = eu-west-1
services = local-sts

[profile guarded]
role_arn = ${treeRoles.guarded}
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1
services = local-sts
`;
}

export function treeCredentials(): string {
  return keysCredentials('base', treeUser);
}
