import type { Env } from '../../config/filePaths';
import type { Profile, ProfileSet } from '../../config/profiles';
import { RoleSwitchError } from '../../errors';
import { resolveConfiguredEndpoint } from '../configuredEndpoint';

/**
 * An IAM Identity Center sign-in as the token code needs it: an `[sso-session NAME]` section, or
 * a legacy profile's own `sso_start_url` / `sso_region` (no name).
 */
export interface SsoSession {
  /** The sso-session name; undefined for a legacy profile. It names the token file and the messages. */
  name?: string;
  startUrl: string;
  region: string;
  /** From `sso_registration_scopes`; undefined when the section sets none. */
  scopes?: string[];
  endpoints?: SsoEndpoints;
}

/** Endpoint overrides for the two services; undefined: the SDK's endpoint for the region. */
export interface SsoEndpoints {
  /** sso-oidc: registration, tokens, and the base of the authorize URL. */
  oidc?: string;
  /** sso: the portal (accounts, roles, role credentials, logout). */
  portal?: string;
}

/** The scope without which Identity Center issues a legacy token: 8 hours, no refresh token. */
export const DEFAULT_SSO_SCOPES: readonly string[] = ['sso:account:access'];

/** How the session is named in messages: `sso-session "corp"`, or the start URL for a legacy profile. */
export function describeSsoSession(session: SsoSession): string {
  return session.name !== undefined ? `sso-session "${session.name}"` : `IAM Identity Center start URL ${session.startUrl}`;
}

/** `sso_registration_scopes` as the AWS CLI splits it: comma-separated, blanks dropped. */
export function parseRegistrationScopes(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The profile a botocore session uses when none is named: AWS_DEFAULT_PROFILE, then AWS_PROFILE, then `default`. */
export function sessionProfileName(env: Env): string {
  return env.AWS_DEFAULT_PROFILE || env.AWS_PROFILE || 'default';
}

/**
 * The endpoints of sso-oidc and sso as botocore resolves them for the clients that sign in
 * (SSOTokenFetcher), refresh (SSOTokenProvider) and fetch role credentials (SSOCredentialFetcher):
 * each is an ordinary `session.create_client`, so AWS_ENDPOINT_URL_SSO_OIDC / _SSO, then
 * AWS_ENDPOINT_URL, then the *profile's* `services` section and `endpoint_url`. An
 * `[sso-session]` section's own keys are not read for endpoints. `profile`: the profile the
 * command runs with; without one, the session's default profile (`aws sso login --sso-session`).
 */
export function resolveSsoEndpoints(set: ProfileSet, env: Env, profile?: Profile): SsoEndpoints {
  const scoped = profile ?? set.profiles.get(sessionProfileName(env));
  return {
    oidc: resolveConfiguredEndpoint(set, scoped, env, 'sso_oidc'),
    portal: resolveConfiguredEndpoint(set, scoped, env, 'sso'),
  };
}

/** An `[sso-session NAME]` section as an SsoSession, refused as the AWS CLI refuses it (missing section or keys). */
export function ssoSessionFromConfig(set: ProfileSet, name: string, env: Env, profile?: Profile): SsoSession {
  const section = Object.prototype.hasOwnProperty.call(set.files.configSections, `sso-session.${name}`) ? set.files.configSections[`sso-session.${name}`] : undefined;
  if (!section) throw new RoleSwitchError(`There is no [sso-session ${name}] section in ${set.files.paths.configPath}. Add it (aws configure sso-session) or fix the name.`, 'InvalidProfile');
  const missing = ['sso_start_url', 'sso_region'].filter((k) => !section[k]?.trim());
  if (missing.length) throw new RoleSwitchError(`[sso-session ${name}] in ${set.files.paths.configPath} lacks ${missing.join(' and ')}. Add ${missing.length > 1 ? 'them' : 'it'}, or run "aws configure sso-session".`, 'InvalidProfile');
  const rawScopes = section.sso_registration_scopes;
  return {
    name,
    startUrl: section.sso_start_url!.trim(),
    region: section.sso_region!.trim(),
    scopes: rawScopes !== undefined ? parseRegistrationScopes(rawScopes) : undefined,
    endpoints: resolveSsoEndpoints(set, env, profile),
  };
}

/** A sign-in the config offers: an `[sso-session]` section, or the start URL shared by legacy profiles. */
export interface SsoSignInTarget {
  /** Undefined when the section is unusable (`problem` says why). */
  session?: SsoSession;
  /** The sso-session name, or undefined for legacy profiles. */
  name?: string;
  /** Legacy profiles (sso_start_url / sso_region in the profile itself) that sign in with this start URL. */
  legacyProfiles: string[];
  problem?: string;
}

/**
 * Every sign-in of the config, in file order: each `[sso-session NAME]`, then one per start URL
 * and region of the legacy profiles (those the AWS CLI signs in with `aws sso login --profile`).
 */
export function listSsoSignIns(set: ProfileSet, env: Env): SsoSignInTarget[] {
  const out: SsoSignInTarget[] = [];
  for (const key of Object.keys(set.files.configSections)) {
    if (!key.startsWith('sso-session.')) continue;
    const name = key.slice('sso-session.'.length);
    try {
      out.push({ name, session: ssoSessionFromConfig(set, name, env), legacyProfiles: [] });
    } catch (e) {
      out.push({ name, legacyProfiles: [], problem: e instanceof Error ? e.message : String(e) });
    }
  }
  const legacy = new Map<string, SsoSignInTarget>();
  for (const p of set.profiles.values()) {
    const s = p.settings;
    if (s.sso_session || !s.sso_start_url || !s.sso_region) continue;
    const id = `${s.sso_start_url}\n${s.sso_region}`;
    const found = legacy.get(id);
    if (found) found.legacyProfiles.push(p.name);
    else legacy.set(id, { session: { startUrl: s.sso_start_url, region: s.sso_region, endpoints: resolveSsoEndpoints(set, env, p) }, legacyProfiles: [p.name] });
  }
  return [...out, ...legacy.values()];
}
