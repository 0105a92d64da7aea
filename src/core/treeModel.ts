import type { Profile, ProfileSet } from './profiles';

export interface ProfileGroup {
  /** 'account:123456789012' or 'other'. */
  readonly id: string;
  readonly label: string;
  readonly accountId?: string;
  readonly profiles: readonly Profile[];
}

/** Case-insensitive match on profile name, account id and role name. Empty matches all. */
export function matchesFilter(profile: Profile, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  return (
    profile.name.toLowerCase().includes(needle) ||
    (profile.role?.accountId.includes(needle) ?? false) ||
    (profile.role?.roleName.toLowerCase().includes(needle) ?? false)
  );
}

/**
 * Groups role profiles by the account in their role ARN (accounts in numeric order,
 * profiles by name) and puts every other profile in one group at the end.
 */
export function buildProfileGroups(set: ProfileSet, filter = ''): ProfileGroup[] {
  const byAccount = new Map<string, Profile[]>();
  const other: Profile[] = [];
  for (const profile of set.profiles.values()) {
    if (!matchesFilter(profile, filter)) continue;
    if (profile.kind === 'role' && profile.role) {
      const list = byAccount.get(profile.role.accountId);
      if (list) list.push(profile);
      else byAccount.set(profile.role.accountId, [profile]);
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

/** The recent list after using `name`: it moves to the front; the list stays short. */
export function pushRecent(recent: readonly string[], name: string, max = 20): string[] {
  return [name, ...recent.filter((n) => n !== name)].slice(0, max);
}
