import type { ProfileKind } from '../core/config/profiles';

/** Codicons and words for each kind of profile, shared by the tree and the quick pick. */
export const KIND_ICONS: Record<ProfileKind, string> = {
  role: 'shield',
  webIdentity: 'globe',
  static: 'key',
  sso: 'organization',
  login: 'sign-in',
  process: 'terminal',
  other: 'question',
};

export const KIND_LABELS: Record<ProfileKind, string> = {
  role: 'role',
  webIdentity: 'web identity role',
  static: 'access keys',
  sso: 'IAM Identity Center',
  login: 'console sign-in (aws login)',
  process: 'credential process',
  other: 'no credentials',
};
