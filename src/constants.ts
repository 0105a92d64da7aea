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
  showLog: 'awsRoles.showLog',
  statusBarActions: 'awsRoles.statusBarActions',
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
} as const;

export const StatusBarIds = {
  identity: 'awsRoles.identity',
} as const;

export const StateKeys = {
  recentProfiles: 'awsRoles.recentProfiles',
} as const;

/** Keys in SecretStorage (the OS keychain): credentials live only there. */
export const SecretKeys = {
  /** Each window's active session, keyed by remote and workspace (a map; see core/session/storedSessions). */
  windowSessions: 'awsRoles.windowSessions',
  /** The one shared active session of earlier versions: never restored, deleted by Sign Out. */
  legacyActiveSession: 'awsRoles.activeSession',
  mfaSessions: 'awsRoles.mfaSessions',
} as const;
