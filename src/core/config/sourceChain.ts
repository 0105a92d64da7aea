import { RoleSwitchError } from '../errors';
import { hasStaticKeys, type Profile, type ProfileSet, type RoleArn } from './profiles';

/** One AssumeRole call in a chain, with the settings of the profile that asks for it. */
export interface RoleHop {
  profile: Profile;
  role: RoleArn;
}

// The only credential_source values the AWS CLI accepts, compared case-sensitively (botocore's CanonicalNameCredentialSourcer).
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
export const CREDENTIAL_SOURCES = ['Environment', 'Ec2InstanceMetadata', 'EcsContainer'] as const;

export type CredentialSourceName = (typeof CREDENTIAL_SOURCES)[number];

export function isCredentialSourceName(value: string): value is CredentialSourceName {
  return (CREDENTIAL_SOURCES as readonly string[]).includes(value);
}

/** Where the first credentials of a chain come from. */
export type ChainRoot =
  | { kind: 'static'; profile: Profile }
  | { kind: 'credentialSource'; profile: Profile; source: CredentialSourceName }
  | { kind: 'process'; profile: Profile }
  | { kind: 'sso'; profile: Profile }
  | { kind: 'login'; profile: Profile }
  | { kind: 'webIdentity'; profile: Profile }
  | { kind: 'unsupported'; profile: Profile; reason: string };

/**
 * The credentials a profile resolves to: a root, then the roles assumed in order
 * (the last hop is the picked profile when it is a role profile).
 */
export interface SourceChain {
  root: ChainRoot;
  hops: RoleHop[];
}

/**
 * Sources whose credentials are themselves a role session, so an AssumeRole from them is role chaining (one hour at most).
 * `aws login` hands out temporary session credentials: like an MFA session's, an AssumeRole from them counts as chaining here.
 */
export function rootIsRoleSession(root: ChainRoot): boolean {
  return root.kind === 'sso' || root.kind === 'login' || root.kind === 'webIdentity' || (root.kind === 'credentialSource' && root.source !== 'Environment');
}

/** Profile names from the picked one down to the root: ["prod-admin", "jump", "base"]. */
export function chainNames(chain: SourceChain): string[] {
  return [...chain.hops.map((h) => h.profile.name).reverse(), ...(chain.hops.at(0)?.profile.name === chain.root.profile.name ? [] : [chain.root.profile.name])];
}

// botocore's AssumeRoleProvider leaves a profile with web_identity_token_file to the web identity provider.
function isRoleConfig(p: Profile): boolean {
  return Boolean(p.settings.role_arn) && !p.settings.web_identity_token_file && (Boolean(p.sourceProfile) || Boolean(p.credentialSource));
}

function roleOf(p: Profile): RoleArn {
  if (!p.role) throw new RoleSwitchError(`Profile "${p.name}" has role_arn "${p.settings.role_arn}", which is not an IAM role ARN. Use the form arn:aws:iam::123456789012:role/RoleName.`, 'InvalidProfile', p.name);
  return p.role;
}

function keysFromCredentialsFile(set: ProfileSet, p: Profile): boolean {
  const section = set.files.credentialsSections[p.name];
  return Boolean(section?.aws_access_key_id && section?.aws_secret_access_key);
}

/**
 * A profile that is not assumed as a role resolves like botocore's profile provider chain:
 * web identity, IAM Identity Center, keys in the credentials file, `aws login`,
 * credential_process, then keys in the config file (ProfileProviderBuilder.providers).
 */
function rootOf(set: ProfileSet, p: Profile): ChainRoot {
  const s = p.settings;
  if (s.role_arn && s.web_identity_token_file) return { kind: 'webIdentity', profile: p };
  if (s.sso_session || s.sso_start_url) return { kind: 'sso', profile: p };
  if (keysFromCredentialsFile(set, p)) return { kind: 'static', profile: p };
  if (s.login_session) return { kind: 'login', profile: p };
  if (s.credential_process) return { kind: 'process', profile: p };
  if (hasStaticKeys(s)) return { kind: 'static', profile: p };
  return {
    kind: 'unsupported',
    profile: p,
    reason: `Profile "${p.name}" has no credentials: add aws_access_key_id and aws_secret_access_key, credential_process, an IAM Identity Center (sso_session) setup, an aws login (login_session), or role_arn with source_profile.`,
  };
}

/**
 * Walks source_profile links with the AWS CLI's rules (botocore's AssumeRoleProvider):
 * - the picked profile is assumed when it has role_arn, even if it also has static keys;
 * - on later hops a profile's static keys win over its own role_arn;
 * - a profile may name itself as source only when it has static keys;
 * - any other revisit is a cycle, reported as `a -> b -> a`;
 * - source_profile and credential_source together are an error, and so is an unknown credential_source.
 * mfa_serial, external_id, duration and session name belong to each hop's own profile.
 */
export function resolveSourceChain(set: ProfileSet, profileName: string): SourceChain {
  try {
    return walkSourceChain(set, profileName);
  } catch (e) {
    // A broken link further down must still say which profile the user picked (found by the property tests).
    if (e instanceof RoleSwitchError && !e.message.includes(`"${profileName}"`)) throw new RoleSwitchError(`${e.message} (needed by profile "${profileName}")`, e.code, profileName);
    throw e;
  }
}

function walkSourceChain(set: ProfileSet, profileName: string): SourceChain {
  // The CLI fails every command on such a file; resolving "something else" would be a surprise.
  for (const file of [set.files.config, set.files.credentials]) {
    if (file.refused) throw new RoleSwitchError(`Profile "${profileName}" cannot be used: the AWS CLI refuses ${file.path} (${file.refused})`, 'ConfigRefused', profileName);
  }
  const start = set.profiles.get(profileName);
  if (!start) throw new RoleSwitchError(`Profile "${profileName}" is not in ${set.files.paths.configPath} or ${set.files.paths.credentialsPath}. Check the name, or add the profile.`, 'ProfileNotFound', profileName);

  const hops: RoleHop[] = [];
  const visited: string[] = [];
  // A set beside the list: a deep chain must not cost a scan of the list per hop.
  const seen = new Set<string>();
  let current = start;
  let first = true;
  for (;;) {
    visited.push(current.name);
    seen.add(current.name);
    const useRole = first ? isRoleConfig(current) : isRoleConfig(current) && !hasStaticKeys(current.settings);
    if (!useRole) {
      const roleWithoutSource = current.kind === 'role' && !current.sourceProfile && !current.credentialSource;
      if (roleWithoutSource && (first || !hasStaticKeys(current.settings))) {
        throw new RoleSwitchError(`Profile "${current.name}" has role_arn but neither source_profile nor credential_source. Add source_profile = <a profile with credentials>.`, 'InvalidProfile', profileName);
      }
      return { root: rootOf(set, current), hops: hops.reverse() };
    }
    if (current.sourceProfile && current.credentialSource) {
      throw new RoleSwitchError(`Profile "${current.name}" has both source_profile and credential_source. Keep only one of them.`, 'ConflictingSource', profileName);
    }
    if (current.credentialSource && !isCredentialSourceName(current.credentialSource)) {
      throw new RoleSwitchError(
        `Profile "${current.name}" has credential_source = ${current.credentialSource}, which is not valid. Use one of ${CREDENTIAL_SOURCES.join(', ')} (the names are case-sensitive).`,
        'InvalidProfile',
        profileName,
      );
    }
    hops.push({ profile: current, role: roleOf(current) });
    if (current.credentialSource) {
      return { root: { kind: 'credentialSource', profile: current, source: current.credentialSource as CredentialSourceName }, hops: hops.reverse() };
    }
    const sourceName = current.sourceProfile as string;
    const source = set.profiles.get(sourceName);
    if (!source) {
      throw new RoleSwitchError(
        `Profile "${current.name}" names source_profile "${sourceName}", which does not exist in ${set.files.paths.configPath} or ${set.files.paths.credentialsPath}. Add that profile or fix source_profile.`,
        'MissingSourceProfile',
        profileName,
      );
    }
    if (seen.has(sourceName)) {
      const selfWithKeys = sourceName === current.name && hasStaticKeys(source.settings);
      if (!selfWithKeys) {
        throw new RoleSwitchError(
          `Profile "${profileName}" has a source_profile cycle: ${[...visited, sourceName].join(' -> ')}. Point one of them at a profile with credentials.`,
          'SourceProfileCycle',
          profileName,
        );
      }
      return { root: { kind: 'static', profile: source }, hops: hops.reverse() };
    }
    current = source;
    first = false;
  }
}

/** Whether assuming the profile asks for an MFA code on some hop; false when the chain cannot be resolved (that problem is reported elsewhere). */
export function needsMfaCode(set: ProfileSet, profileName: string): boolean {
  try {
    return resolveSourceChain(set, profileName).hops.some((h) => h.profile.mfaSerial);
  } catch {
    return false;
  }
}
