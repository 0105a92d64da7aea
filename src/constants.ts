export const EXTENSION_ID = 'aws-role-switcher.aws-role-switcher';
export const SETTINGS_SECTION = 'awsRoles';
export const LOG_CHANNEL_NAME = 'AWS Role Switcher';

export const Commands = {
  assumeRole: 'awsRoles.assumeRole',
  dropCredentials: 'awsRoles.dropCredentials',
  signOut: 'awsRoles.signOut',
  refreshCredentials: 'awsRoles.refreshCredentials',
  copyCredentials: 'awsRoles.copyCredentials',
  openConsole: 'awsRoles.openConsole',
  addRoleProfile: 'awsRoles.addRoleProfile',
  showCallerIdentity: 'awsRoles.showCallerIdentity',
  refreshProfiles: 'awsRoles.refreshProfiles',
  filterProfiles: 'awsRoles.filterProfiles',
  clearFilter: 'awsRoles.clearFilter',
  openConfig: 'awsRoles.openConfig',
  openConfigAtProfile: 'awsRoles.openConfigAtProfile',
  showLog: 'awsRoles.showLog',
  statusBarActions: 'awsRoles.statusBarActions',
  ssoSignIn: 'awsRoles.ssoSignIn',
  ssoSignOut: 'awsRoles.ssoSignOut',
  ssoRefreshAccounts: 'awsRoles.ssoRefreshAccounts',
  ssoWriteProfiles: 'awsRoles.ssoWriteProfiles',
  /** A profile row's own command (click, double-click, Enter); assumes on double-click and Enter. */
  openProfileRow: 'awsRoles.openProfileRow',
  /** Bound to Enter in the profiles view. */
  assumeFocusedRow: 'awsRoles.assumeFocusedRow',
  openProfileInConfig: 'awsRoles.openProfileInConfig',
  copyRoleArn: 'awsRoles.copyRoleArn',
  pinProfile: 'awsRoles.pinProfile',
  unpinProfile: 'awsRoles.unpinProfile',
} as const;

export const Views = {
  container: 'awsRoles',
  profiles: 'awsRoles.profiles',
} as const;

export const ContextKeys = {
  /** 'loading' | 'noConfig' | 'noProfiles' | 'error' | 'ready': drives the welcome view. */
  state: 'awsRoles.state',
  filtered: 'awsRoles.filtered',
  active: 'awsRoles.sessionActive',
  /** Whether any IAM Identity Center session of the config has a token (signed in). */
  ssoSignedIn: 'awsRoles.ssoSignedIn',
} as const;

export const StatusBarIds = {
  identity: 'awsRoles.identity',
} as const;

export const StateKeys = {
  recentProfiles: 'awsRoles.recentProfiles',
  /** The accounts and roles discovered per sso-session, with when (not secret: no token). */
  discoveredRoles: 'awsRoles.identityCenter.discovered',
  /** The sign-ins (sso-session or start URL) this extension made, which AWS: Sign Out also signs out of. */
  ssoSignedInHere: 'awsRoles.identityCenter.signedInHere',
  /** The profile names pinned to the top of the tree and the Assume Role pick, in pin order. */
  pinnedProfiles: 'awsRoles.pinnedProfiles',
  /** Don't Show Again on the notice about open terminals that keep the old role after a switch. */
  staleTerminalsDontShow: 'awsRoles.staleTerminals.dontShowAgain',
} as const;

/** Keys in SecretStorage (the OS keychain): credentials live only there. */
export const SecretKeys = {
  /** Each window's active session in its own secret: this prefix, then the window key (a hash of remote and workspace; see core/session/storedSessions). */
  windowSessionPrefix: 'awsRoles.windowSession.',
  /** Which windows have a stored session (keys, remotes and times; no secret), for a refresh to look at the others'. */
  windowSessionIndex: 'awsRoles.windowSessionIndex',
  /** The previous format: one map of every window's session. Each window moves its own entry out at its first restore. */
  legacyWindowSessions: 'awsRoles.windowSessions',
  /** The one shared active session of earlier versions: never restored, deleted by Sign Out. */
  legacyActiveSession: 'awsRoles.activeSession',
  mfaSessions: 'awsRoles.mfaSessions',
  /** This extension's OIDC client registrations (the client secret is a secret), per start URL, region and scopes. */
  ssoRegistrations: 'awsRoles.ssoRegistrations',
  /** When AWS: Sign Out last forgot every MFA session; written only by a sign-out, so no other write can undo it. */
  mfaSignOut: 'awsRoles.mfaSignOut',
} as const;
