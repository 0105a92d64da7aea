import type { Profile, ProfileSet } from './profiles';

export interface ProfileGroup {
  /** 'account:123456789012', 'other' or 'pinned'. */
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

/** Account ids to the names people know them by: the setting first (the user's own words), then what Identity Center discovery returned. */
export type AccountNames = ReadonlyMap<string, string>;

/** The names of accounts: `configured` (`awsRoles.accountNames`, 12-digit ids only) over the names discovery returned. */
export function accountNames(set: ProfileSet | undefined, configured: Readonly<Record<string, unknown>> = {}): AccountNames {
  const names = new Map<string, string>();
  for (const p of set?.profiles.values() ?? []) {
    const d = p.discovered;
    if (d?.accountName && !names.has(d.accountId)) names.set(d.accountId, d.accountName);
  }
  for (const [id, name] of Object.entries(configured)) if (/^\d{12}$/.test(id) && typeof name === 'string' && name.trim()) names.set(id, name.trim());
  return names;
}

/** The name of the account a profile works in, when one is known. */
export function accountNameOf(profile: Profile, names: AccountNames): string | undefined {
  const accountId = profile.discovered?.accountId ?? accountAndRole(profile)?.accountId;
  return accountId === undefined ? undefined : names.get(accountId);
}

/** An account as the tree and the quick pick name it: `Production (111122223333)`, or `Account 111122223333`. */
export function accountLabel(accountId: string, names: AccountNames): string {
  const name = names.get(accountId);
  return name ? `${name} (${accountId})` : `Account ${accountId}`;
}

/**
 * Case-insensitive match on profile name, account id, account name (discovered, or from
 * `names`) and role name. Empty matches all.
 */
export function matchesFilter(profile: Profile, filter: string, names: AccountNames = new Map()): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  if (profile.name.toLowerCase().includes(needle)) return true;
  if (profile.discovered?.accountName?.toLowerCase().includes(needle)) return true;
  if (accountNameOf(profile, names)?.toLowerCase().includes(needle)) return true;
  const where = accountAndRole(profile);
  return where !== undefined && (where.accountId.includes(needle) || where.roleName.toLowerCase().includes(needle));
}

/** What the tree says above its rows about a filter: what it filters by, or that nothing matches. */
export function filterMessage(filter: string, matching: number): string | undefined {
  const text = filter.trim();
  if (!text) return undefined;
  return matching === 0 ? `No profile matches "${text}". Change the filter or clear it.` : `Filtered by "${text}": ${matching} ${matching === 1 ? 'profile' : 'profiles'}.`;
}

/** How many profiles a filter lets through. */
export function countMatches(set: ProfileSet, filter: string, names: AccountNames = new Map()): number {
  let n = 0;
  for (const p of set.profiles.values()) if (matchesFilter(p, filter, names)) n++;
  return n;
}

/** The pinned profiles that exist and match the filter, in the order they were pinned. */
export function pinnedProfiles(set: ProfileSet, pinned: readonly string[], filter = '', names: AccountNames = new Map()): Profile[] {
  return pinned.map((name) => set.profiles.get(name)).filter((p): p is Profile => p !== undefined && matchesFilter(p, filter, names));
}

/** The pin list after pinning (at the end, so earlier pins keep their place) or unpinning a profile. */
export function togglePin(pinned: readonly string[], name: string, pin: boolean): string[] {
  const rest = pinned.filter((n) => n !== name);
  return pin ? [...rest, name] : rest;
}

/**
 * Groups role and Identity Center profiles by account and puts every other profile in one group
 * at the end. Accounts with a name come first, by name; the others in numeric order; profiles by
 * name. With pins, a "Pinned" group comes first (its profiles also stay in their own group).
 */
export function buildProfileGroups(set: ProfileSet, filter = '', options: { names?: AccountNames; pinned?: readonly string[] } = {}): ProfileGroup[] {
  const names = options.names ?? new Map<string, string>();
  const byAccount = new Map<string, Profile[]>();
  const other: Profile[] = [];
  for (const profile of set.profiles.values()) {
    // Discovered roles have groups of their own (buildIdentityCenterGroups).
    if (profile.discovered || !matchesFilter(profile, filter, names)) continue;
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
    .sort((a, b) => {
      const na = names.get(a);
      const nb = names.get(b);
      if (na !== undefined && nb !== undefined) return na.localeCompare(nb) || a.localeCompare(b);
      return na !== undefined ? -1 : nb !== undefined ? 1 : a.localeCompare(b);
    })
    .map((accountId) => ({ id: `account:${accountId}`, label: accountLabel(accountId, names), accountId, profiles: byAccount.get(accountId) as Profile[] }));
  if (other.length) groups.push({ id: 'other', label: 'Other profiles', profiles: other });
  const pinned = pinnedProfiles(set, options.pinned ?? [], filter, names);
  if (pinned.length) groups.unshift({ id: PINNED_GROUP_ID, label: 'Pinned', profiles: pinned });
  return groups;
}

/** The id of the tree's group of pinned profiles (which also stay in their account's group). */
export const PINNED_GROUP_ID = 'pinned';

/**
 * The parts of the Assume Role pick, in order: pinned (in pin order: chosen to stay put, where the
 * recent list moves with every switch); recently used; profiles that assume a role, then
 * IAM Identity Center profiles; roles discovered through Identity Center; then long-term keys and
 * every other source, which are rarely what one switches to.
 */
export type PickSection = 'pinned' | 'recent' | 'profiles' | 'identityCenter' | 'otherSources';

const PICK_SECTIONS: readonly PickSection[] = ['pinned', 'recent', 'profiles', 'identityCenter', 'otherSources'];
const ROLE_KINDS: ReadonlySet<Profile['kind']> = new Set(['role', 'webIdentity']);

function pickSection(profile: Pick<Profile, 'kind' | 'discovered'>): Exclude<PickSection, 'recent' | 'pinned'> {
  if (profile.discovered) return 'identityCenter';
  return ROLE_KINDS.has(profile.kind) || profile.kind === 'sso' ? 'profiles' : 'otherSources';
}

/**
 * Orders profiles for the Assume Role quick pick: pinned ones first (in pin order), then recent
 * ones (most recent first), then the other sections of PickSection; inside 'profiles' roles before
 * Identity Center ones; by name otherwise. The input is not changed.
 */
export function orderForPick<T extends Pick<Profile, 'name' | 'kind' | 'discovered'>>(profiles: readonly T[], recent: readonly string[], pinned: readonly string[] = []): { profile: T; section: PickSection }[] {
  const pin = new Map(pinned.map((name, i) => [name, i]));
  const rank = new Map(recent.map((name, i) => [name, i]));
  const sectionOf = (p: T): PickSection => (pin.has(p.name) ? 'pinned' : rank.has(p.name) ? 'recent' : pickSection(p));
  const placed = profiles.map((profile) => ({ profile, section: sectionOf(profile) }));
  const ssoLast = (p: T) => Number(p.kind === 'sso');
  return placed.sort(
    (a, b) =>
      PICK_SECTIONS.indexOf(a.section) - PICK_SECTIONS.indexOf(b.section) ||
      (a.section === 'pinned' ? (pin.get(a.profile.name) as number) - (pin.get(b.profile.name) as number) : 0) ||
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
export function buildIdentityCenterGroups(set: ProfileSet, ssoSessions: readonly string[], filter = '', shownElsewhere: ReadonlySet<string> = new Set(), names: AccountNames = new Map()): IdentityCenterGroup[] {
  const bySession = new Map<string, Map<string, { accountName?: string; profiles: Profile[] }>>(ssoSessions.map((s) => [s, new Map()]));
  for (const p of set.profiles.values()) {
    const d = p.discovered;
    if (!d || shownElsewhere.has(p.name) || !matchesFilter(p, filter, names)) continue;
    const accounts = bySession.get(d.ssoSession);
    if (!accounts) continue;
    const account = accounts.get(d.accountId) ?? { accountName: names.get(d.accountId) ?? d.accountName, profiles: [] };
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

/**
 * A profile row's description, kept short so the role is not cut off at the sidebar's default
 * width: the role (or the kind), the account only where the row's group does not already show it,
 * and markers for what asks more of the user: `MFA` (a code is asked for) and `via SOURCE` (a
 * role assumed from another role). Details go into the tooltip.
 */
export function rowDescription(profile: Profile, set: ProfileSet | undefined, options: { kindLabel: string; showAccount: boolean; names?: AccountNames }): string {
  const where = accountAndRole(profile);
  const parts = [where?.roleName || options.kindLabel];
  if (where && options.showAccount) parts.push(options.names?.get(where.accountId) ?? where.accountId);
  if (profile.mfaSerial) parts.push('MFA');
  const source = profile.sourceProfile !== undefined ? set?.profiles.get(profile.sourceProfile) : undefined;
  if (source?.role && profile.role) parts.push(`via ${source.name}`);
  return parts.join(' · ');
}

/** The file and 0-based line of a profile's section header: the config's when it has one, else the credentials file's. */
export function profileSectionLine(set: ProfileSet, profile: Profile): { path: string; line: number } | undefined {
  if (profile.discovered) return undefined;
  const { files } = set;
  for (const [index, path] of [
    [files.configIndex, files.paths.configPath],
    [files.credentialsIndex, files.paths.credentialsPath],
  ] as const) {
    // The CLI reads the last of repeated sections, so that is the one to open.
    const section = index.sections.filter((s) => s.name === profile.name).pop();
    if (section) return { path, line: section.line };
  }
  return undefined;
}
