import type { IniSections } from './sharedFiles';
import type { DiscoveredOrigin, Profile, ProfileSet } from './profiles';

/**
 * The accounts and roles IAM Identity Center lists for a signed-in sso-session, as the rest of the
 * engine sees them: a role the user can reach is a profile without being written to the config.
 * The list is cached per sso-session (VS Code globalState: not a secret, it holds no token) so the
 * tree shows at once on the next start; credentials/sso/discovery.ts makes it.
 */

/** One account as ListAccounts gave it, with the roles ListAccountRoles gave for it (sorted). */
export interface DiscoveredAccount {
  accountId: string;
  accountName?: string;
  emailAddress?: string;
  roles: string[];
  /** Why the roles could not be listed (e.g. AccessDeniedException); the account is kept with no roles. */
  rolesError?: string;
}

/** One role of one account, reachable through one sso-session. */
export interface DiscoveredRole {
  ssoSession: string;
  startUrl: string;
  ssoRegion: string;
  accountId: string;
  accountName?: string;
  roleName: string;
}

/** What is remembered of one sso-session's discovery. */
export interface DiscoveryCache {
  ssoSession: string;
  startUrl: string;
  ssoRegion: string;
  /** ms since the epoch: when the list was made. */
  discoveredAt: number;
  accounts: DiscoveredAccount[];
}

/** Bumped when the stored shape changes; an entry of another version is dropped and discovered again. */
export const DISCOVERY_CACHE_VERSION = 1;

// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_AccountInfo.html (12 digits)
const ACCOUNT_ID = /^\d{12}$/;
// ListAccountRoles gives permission set names; IAM's role-name characters, which also keep a written value on one line.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const CONTROL = /[\x00-\x1f\x7f]/;

export function isDiscoverableRoleName(name: string): boolean {
  return ROLE_NAME.test(name);
}

/** The shape kept in globalState: plain JSON with its version. */
export function serializeDiscoveryCache(cache: DiscoveryCache): Record<string, unknown> {
  return {
    version: DISCOVERY_CACHE_VERSION,
    ssoSession: cache.ssoSession,
    startUrl: cache.startUrl,
    ssoRegion: cache.ssoRegion,
    discoveredAt: cache.discoveredAt,
    accounts: cache.accounts.map((a) => ({
      accountId: a.accountId,
      ...(a.accountName !== undefined && { accountName: a.accountName }),
      ...(a.emailAddress !== undefined && { emailAddress: a.emailAddress }),
      roles: [...a.roles],
      ...(a.rolesError !== undefined && { rolesError: a.rolesError }),
    })),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneLine(v: unknown): v is string {
  return typeof v === 'string' && v !== '' && !CONTROL.test(v);
}

/** An optional text field: kept when it is one line of text, otherwise left out (the account stays). */
function optionalText(v: unknown): string | undefined {
  return oneLine(v) ? v : undefined;
}

function parseAccount(v: unknown): DiscoveredAccount | undefined {
  if (!isRecord(v) || typeof v.accountId !== 'string' || !ACCOUNT_ID.test(v.accountId)) return undefined;
  const roles = Array.isArray(v.roles) ? [...new Set(v.roles.filter((r): r is string => typeof r === 'string' && ROLE_NAME.test(r)))].sort() : [];
  const account: DiscoveredAccount = { accountId: v.accountId, roles };
  const accountName = optionalText(v.accountName);
  const emailAddress = optionalText(v.emailAddress);
  const rolesError = optionalText(v.rolesError);
  if (accountName !== undefined) account.accountName = accountName;
  if (emailAddress !== undefined) account.emailAddress = emailAddress;
  if (rolesError !== undefined) account.rolesError = rolesError;
  return account;
}

/**
 * Reads what serializeDiscoveryCache stored (or its JSON text). globalState can hold anything an
 * older version or a hand edit left there: a wrong version or a malformed header drops the whole
 * entry (undefined: discover again); a malformed account or role drops only itself.
 */
export function parseDiscoveryCache(value: unknown): DiscoveryCache | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (!isRecord(v) || v.version !== DISCOVERY_CACHE_VERSION) return undefined;
  if (!oneLine(v.ssoSession) || !oneLine(v.startUrl) || !oneLine(v.ssoRegion)) return undefined;
  if (typeof v.discoveredAt !== 'number' || !Number.isFinite(v.discoveredAt) || !Array.isArray(v.accounts)) return undefined;
  const seen = new Set<string>();
  const accounts: DiscoveredAccount[] = [];
  for (const a of v.accounts.map(parseAccount)) {
    if (!a || seen.has(a.accountId)) continue;
    seen.add(a.accountId);
    accounts.push(a);
  }
  return { ssoSession: v.ssoSession, startUrl: v.startUrl, ssoRegion: v.ssoRegion, discoveredAt: v.discoveredAt, accounts };
}

/** Every role of every account in a cache entry, in the accounts' order. */
export function discoveredRolesOf(cache: DiscoveryCache): DiscoveredRole[] {
  return cache.accounts.flatMap((a) =>
    a.roles.map((roleName) => ({
      ssoSession: cache.ssoSession,
      startUrl: cache.startUrl,
      ssoRegion: cache.ssoRegion,
      accountId: a.accountId,
      ...(a.accountName !== undefined && { accountName: a.accountName }),
      roleName,
    })),
  );
}

/**
 * The region a profile of this sso-session gets: the section's own `region` if it has one, else
 * its `sso_region` (the region the user signs in to is the one they most likely work in).
 * The one rule for discovered profiles and for the profiles "Write Identity Center Profiles" writes.
 */
export function ssoSessionRegion(section: Readonly<Record<string, string | undefined>>): string | undefined {
  return section.region || section.sso_region || undefined;
}

/**
 * The name a discovered role goes by: `SESSION/ACCOUNTID/ROLE`, e.g. `corp/111122223333/Admin`.
 * A 12-digit account id between two slashes is not a name people give their profiles, so it does
 * not clash in practice (and a real profile of that name wins: withDiscoveredRoles); every
 * character is one the AWS tools read the same way, so the name is safe in state and messages;
 * and it reads like the tree: session, account, role.
 */
export function discoveredProfileName(role: Pick<DiscoveredRole, 'ssoSession' | 'accountId' | 'roleName'>): string {
  return `${role.ssoSession}/${role.accountId}/${role.roleName}`;
}

// The portal's start URL as written may differ by a trailing slash or the host's case.
function normalizeStartUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  try {
    const u = new URL(trimmed);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return trimmed;
  }
}

export function sameStartUrl(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeStartUrl(a) === normalizeStartUrl(b);
}

function ssoSessionSection(sections: IniSections, ssoSession: string): Record<string, string | undefined> | undefined {
  const key = `sso-session.${ssoSession}`;
  return Object.prototype.hasOwnProperty.call(sections, key) ? sections[key] : undefined;
}

/**
 * A discovered role as a profile the engine resolves exactly like an `sso_session` profile of the
 * config. Undefined when the config no longer has that sso-session, or it now points at another
 * portal: the cached list is stale and the role cannot be resolved through it.
 */
export function discoveredProfile(set: ProfileSet, role: DiscoveredRole): Profile | undefined {
  const section = ssoSessionSection(set.files.configSections, role.ssoSession);
  if (!section || !sameStartUrl(section.sso_start_url, role.startUrl)) return undefined;
  const region = ssoSessionRegion(section);
  const settings: Record<string, string> = { sso_session: role.ssoSession, sso_account_id: role.accountId, sso_role_name: role.roleName };
  if (region) settings.region = region;
  const discovered: DiscoveredOrigin = {
    ssoSession: role.ssoSession,
    startUrl: role.startUrl,
    accountId: role.accountId,
    ...(role.accountName !== undefined && { accountName: role.accountName }),
    roleName: role.roleName,
  };
  return { name: discoveredProfileName(role), kind: 'sso', settings, definedIn: [], region, problems: [], discovered };
}

/**
 * The set with a profile for each discovered role added after the config's own profiles (which
 * keep their order). A real profile of the same name wins; the set passed in is not changed.
 */
export function withDiscoveredRoles(set: ProfileSet, roles: readonly DiscoveredRole[]): ProfileSet {
  const profiles = new Map(set.profiles);
  for (const role of roles) {
    const profile = discoveredProfile(set, role);
    if (profile && !profiles.has(profile.name)) profiles.set(profile.name, profile);
  }
  return { ...set, profiles };
}

/**
 * The config's own profiles that reach the same role: an sso profile with the same account and
 * role whose sso-session is the role's, or whose start URL (its sso-session's, or the legacy
 * `sso_start_url`) is the same portal. The tree shows those where they are, marked, instead of a
 * second entry for the role.
 */
export function matchingConfigProfiles(set: ProfileSet, role: DiscoveredRole): Profile[] {
  const matches: Profile[] = [];
  for (const p of set.profiles.values()) {
    if (p.discovered || p.kind !== 'sso') continue;
    const s = p.settings;
    if (s.sso_account_id !== role.accountId || s.sso_role_name !== role.roleName) continue;
    const startUrl = s.sso_session ? ssoSessionSection(set.files.configSections, s.sso_session)?.sso_start_url : s.sso_start_url;
    if (s.sso_session === role.ssoSession || sameStartUrl(startUrl, role.startUrl)) matches.push(p);
  }
  return matches;
}

/** The `[sso-session NAME]` sections of the config, by name, in file order. */
export function ssoSessionNames(set: ProfileSet): string[] {
  return Object.keys(set.files.configSections)
    .filter((k) => k.startsWith('sso-session.'))
    .map((k) => k.slice('sso-session.'.length));
}
