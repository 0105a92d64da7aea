/** The default of `awsRoles.statusBar.format`: the profile you picked, the role it gave you, where. */
export const DEFAULT_IDENTITY_FORMAT = '{profile} · {role} @ {account}';

export interface IdentityLabelParts {
  profile: string;
  /** The role (or IAM user, or permission set) STS says the session is; absent when unknown. */
  role?: string;
  accountId: string;
  /** The account's name where one is known. */
  accountName?: string;
}

/**
 * The status bar's words for a session: `format` with `{profile}`, `{role}`, `{account}` (the
 * name when known, else the id) and `{accountId}` filled in. A role named like its profile (or
 * unknown) is said once: `{profile} · {role}` becomes `{profile}`.
 */
export function formatIdentityLabel(format: string, parts: IdentityLabelParts): string {
  const template = format.trim() || DEFAULT_IDENTITY_FORMAT;
  const sameName = parts.role === undefined || parts.role === '' || parts.role === parts.profile;
  const collapsed = sameName ? template.replace(/\{profile\} · \{role\}|\{role\} · \{profile\}/g, '{profile}') : template;
  const values: Record<string, string> = {
    profile: parts.profile,
    role: parts.role || parts.profile,
    account: parts.accountName || parts.accountId,
    accountId: parts.accountId,
  };
  return collapsed.replace(/\{(profile|role|account|accountId)\}/g, (_, key: string) => values[key]);
}

/**
 * The name `{profile}` shows: a role discovered through IAM Identity Center has no profile of
 * its own, only the made-up `SESSION/ACCOUNT/ROLE` (discoveredProfileName), so it goes by its role.
 */
export function shownProfileName(session: { profileName: string; kind: string; accountId: string; roleName?: string }): string {
  const discovered = session.kind === 'sso' && session.roleName !== undefined && session.profileName.endsWith(`/${session.accountId}/${session.roleName}`);
  return discovered ? (session.roleName as string) : session.profileName;
}
