import type { Profile, ProfileSet } from './profiles';

export interface ProfileGroup {
  /** 'account:123456789012' or 'other'. */
  readonly id: string;
  readonly label: string;
  readonly accountId?: string;
  readonly profiles: readonly Profile[];
}

// What `aws login` writes as login_session: the signed-in identity's ARN (the ID token's `sub`),
// arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:root or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
const LOGIN_SESSION_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):(?:user\/(?:.*\/)?([^/]+)|assumed-role\/([^/]+)\/.*|root)$/;

/**
 * The account and role a profile works in: from role_arn, for an Identity Center profile from
 * sso_account_id / sso_role_name (how `aws configure sso` writes them), and for an `aws login`
 * profile from its login_session (the role, or the IAM user's name).
 */
export function accountAndRole(profile: Profile): { accountId: string; roleName: string } | undefined {
  if (profile.role) return { accountId: profile.role.accountId, roleName: profile.role.roleName };
  const account = profile.settings.sso_account_id;
  if (account && /^\d{12}$/.test(account)) return { accountId: account, roleName: profile.settings.sso_role_name ?? '' };
  const login = profile.kind === 'login' ? LOGIN_SESSION_ARN.exec(profile.settings.login_session.trim()) : null;
  if (login) return { accountId: login[1], roleName: login[3] ?? login[2] ?? '' };
  return undefined;
}

/** Profiles that resolve to credentials: roles, and every source the CLI can use on its own. */
export function isAssumable(profile: Profile): boolean {
  return profile.kind !== 'other';
}

/**
 * Whether a [default] profile resolves to credentials on its own. The AWS CLI and SDKs try it
 * before any container credentials endpoint, so it would shadow the extension's endpoint.
 */
export function defaultProfileHasCredentials(set: ProfileSet | undefined): boolean {
  const fallback = set?.profiles.get('default');
  return Boolean(fallback && isAssumable(fallback));
}

/** Case-insensitive match on profile name, account id, account name (discovered roles) and role name. Empty matches all. */
export function matchesFilter(profile: Profile, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  if (profile.name.toLowerCase().includes(needle)) return true;
  if (profile.discovered?.accountName?.toLowerCase().includes(needle)) return true;
  const where = accountAndRole(profile);
  return where !== undefined && (where.accountId.includes(needle) || where.roleName.toLowerCase().includes(needle));
}

/**
 * Groups role and Identity Center profiles by account (accounts in numeric order,
 * profiles by name) and puts every other profile in one group at the end.
 */
export function buildProfileGroups(set: ProfileSet, filter = ''): ProfileGroup[] {
  const byAccount = new Map<string, Profile[]>();
  const other: Profile[] = [];
  for (const profile of set.profiles.values()) {
    // Discovered roles have groups of their own (buildIdentityCenterGroups).
    if (profile.discovered || !matchesFilter(profile, filter)) continue;
    const accountId = accountAndRole(profile)?.accountId;
    if (accountId) {
      const list = byAccount.get(accountId);
      if (list) list.push(profile);
      else byAccount.set(accountId, [profile]);
    } else {
      other.push(profile);
    }
  }
  const groups: ProfileGroup[] = [...byAccount.keys()]
    .sort()
    .map((accountId) => ({ id: `account:${accountId}`, label: `Account ${accountId}`, accountId, profiles: byAccount.get(accountId) as Profile[] }));
  if (other.length) groups.push({ id: 'other', label: 'Other profiles', profiles: other });
  return groups;
}

/** Orders profiles most recently used first, then by name; for the Assume Role quick pick. */
export function orderByRecent<T extends { name: string }>(items: readonly T[], recent: readonly string[]): T[] {
  const rank = new Map(recent.map((name, i) => [name, i]));
  return [...items].sort((a, b) => {
    const ra = rank.get(a.name) ?? Infinity;
    const rb = rank.get(b.name) ?? Infinity;
    return ra !== rb ? ra - rb : a.name.localeCompare(b.name);
  });
}

/**
 * The parts of the Assume Role pick, in order: recently used; profiles that assume a role, then
 * IAM Identity Center profiles; roles discovered through Identity Center; then long-term keys and
 * every other source, which are rarely what one switches to.
 */
export type PickSection = 'recent' | 'profiles' | 'identityCenter' | 'otherSources';

const PICK_SECTIONS: readonly PickSection[] = ['recent', 'profiles', 'identityCenter', 'otherSources'];
const ROLE_KINDS: ReadonlySet<Profile['kind']> = new Set(['role', 'webIdentity']);

function pickSection(profile: Pick<Profile, 'kind' | 'discovered'>): Exclude<PickSection, 'recent'> {
  if (profile.discovered) return 'identityCenter';
  return ROLE_KINDS.has(profile.kind) || profile.kind === 'sso' ? 'profiles' : 'otherSources';
}

/**
 * Orders profiles for the Assume Role quick pick: recent ones first (most recent first), then the
 * sections of PickSection; inside 'profiles' roles before Identity Center ones; by name otherwise.
 */
export function orderForPick<T extends Pick<Profile, 'name' | 'kind' | 'discovered'>>(profiles: readonly T[], recent: readonly string[]): { profile: T; section: PickSection }[] {
  const rank = new Map(recent.map((name, i) => [name, i]));
  const placed = profiles.map((profile) => ({ profile, section: rank.has(profile.name) ? ('recent' as const) : pickSection(profile) }));
  const ssoLast = (p: T) => Number(p.kind === 'sso');
  return placed.sort(
    (a, b) =>
      PICK_SECTIONS.indexOf(a.section) - PICK_SECTIONS.indexOf(b.section) ||
      (a.section === 'recent' ? (rank.get(a.profile.name) as number) - (rank.get(b.profile.name) as number) : 0) ||
      (a.section === 'profiles' ? ssoLast(a.profile) - ssoLast(b.profile) : 0) ||
      a.profile.name.localeCompare(b.profile.name),
  );
}

/** The recent list after using `name`: it moves to the front; the list stays short. */
export function pushRecent(recent: readonly string[], name: string, max = 20): string[] {
  return [name, ...recent.filter((n) => n !== name)].slice(0, max);
}

/** One account of an IAM Identity Center sign-in, with its discovered roles. */
export interface IdentityCenterAccount {
  readonly accountId: string;
  readonly accountName?: string;
  readonly profiles: readonly Profile[];
}

/** One `[sso-session]` of the config, with the accounts its discovery found (by name, then id). */
export interface IdentityCenterGroup {
  readonly ssoSession: string;
  readonly accounts: readonly IdentityCenterAccount[];
}

/**
 * The discovered roles grouped by sso-session and account, for every sso-session named (so one
 * without discovery yet still gets a row to sign in from). Roles that a profile of the config
 * already reaches (`shownElsewhere`) are left out: the tree marks that profile instead. With a
 * filter, only matching roles, and sessions with none are left out.
 */
export function buildIdentityCenterGroups(set: ProfileSet, ssoSessions: readonly string[], filter = '', shownElsewhere: ReadonlySet<string> = new Set()): IdentityCenterGroup[] {
  const bySession = new Map<string, Map<string, { accountName?: string; profiles: Profile[] }>>(ssoSessions.map((s) => [s, new Map()]));
  for (const p of set.profiles.values()) {
    const d = p.discovered;
    if (!d || shownElsewhere.has(p.name) || !matchesFilter(p, filter)) continue;
    const accounts = bySession.get(d.ssoSession);
    if (!accounts) continue;
    const account = accounts.get(d.accountId) ?? { accountName: d.accountName, profiles: [] };
    account.profiles.push(p);
    accounts.set(d.accountId, account);
  }
  const groups: IdentityCenterGroup[] = [];
  for (const [ssoSession, accounts] of bySession) {
    if (filter.trim() && accounts.size === 0) continue;
    const list = [...accounts.entries()].map(([accountId, a]) => ({ accountId, accountName: a.accountName, profiles: a.profiles.sort((x, y) => (x.discovered?.roleName ?? '').localeCompare(y.discovered?.roleName ?? '')) }));
    list.sort((a, b) => (a.accountName ?? a.accountId).localeCompare(b.accountName ?? b.accountId) || a.accountId.localeCompare(b.accountId));
    groups.push({ ssoSession, accounts: list });
  }
  return groups;
}
