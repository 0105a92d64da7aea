import * as vscode from 'vscode';
import { CountingClock, systemClock } from './core/clock';
import { accountNameOf, accountNames, defaultProfileHasCredentials } from './core/config/profileGroups';
import { ProfileCatalog } from './core/config/profileCatalog';
import { AwsCliCheck } from './core/credentials/cliSignIn';
import { MfaSessionCache } from './core/credentials/mfaSessions';
import { refreshLeadMs } from './core/delivery/refreshLead';
import { Redactor } from './core/redact';
import { SessionManager } from './core/session/sessionManager';
import type { WindowIdentity } from './core/session/storedSessions';
import { ActivationTimer } from './vscode/activationTimer';
import { AddRoleProfile } from './vscode/addRoleProfile';
import { ConfigCommands } from './vscode/configCommands';
import { ConfigDiagnostics } from './vscode/configDiagnostics';
import { ConfigLanguage } from './vscode/configLanguage';
import { ConfigWatcher } from './vscode/configWatcher';
import { ConsoleSignin } from './vscode/consoleSignin';
import { CredentialExport } from './vscode/credentialExport';
import { DebugCredentials } from './vscode/debugCredentials';
import { createSdkLoaders, engine } from './vscode/lazyChunks';
import { Logger } from './vscode/logger';
import { ProfileTreeProvider } from './vscode/profileTree';
import { promptForMfaCode } from './vscode/prompts';
import { CredentialRefresh } from './vscode/credentialRefresh';
import { SecretSessionStore } from './vscode/secretSessionStore';
import { SessionCommands } from './vscode/sessionCommands';
import { createSessionResolver } from './vscode/sessionResolver';
import { SessionSync } from './vscode/sessionSync';
import { SignOut } from './vscode/signOut';
import { SettingsService } from './vscode/settings';
import { IdentityStatusBar } from './vscode/statusBar';
import { IdentityCenter } from './vscode/identityCenter';
import { DiscoveredRolesStore } from './vscode/discoveredRolesStore';
import type { Session } from './core/session/session';
import { TerminalEnvironment } from './vscode/terminalEnvironment';
import { registerTestHooks } from './vscode/testHooks';
import { WorkspaceProfile } from './vscode/workspaceProfile';

/** What activate() returns to other code (tests, the benchmark): timings and timer counts, never a secret. */
export interface ExtensionDiagnostics {
  activationMs: number;
  /** Milliseconds since the bundle started loading, at points of activate(), for the benchmark's breakdown. */
  activationMarks: [string, number][];
  timers(): { scheduled: number; pending: number };
}

/** Work deactivate() waits for: what must happen before the window is gone. */
let beforeExit: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionDiagnostics {
  const timer = new ActivationTimer();
  const own = <T extends vscode.Disposable>(item: T): T => (context.subscriptions.push(item), item);
  const env = process.env;
  const clock = new CountingClock(systemClock);
  const redactor = new Redactor();
  const log = own(new Logger(redactor));
  const settings = own(new SettingsService());
  const discovered = own(new DiscoveredRolesStore(context.globalState));
  // The roles IAM Identity Center discovery found are profiles too (a real profile of the same name wins).
  const catalog = own(new ProfileCatalog(() => ({ configFile: settings.value.configFile, credentialsFile: settings.value.credentialsFile }), env, async (paths) => engine().withDiscoveredRoles(await engine().loadProfileSet(paths), discovered.roles())));
  const { loadSts, loadSources: loadSdkSources, loadSso } = createSdkLoaders(settings, log);
  let active: () => Session | undefined = () => undefined;
  const identityCenter = own(new IdentityCenter({ context, catalog, activeSession: () => active(), settings, loadSso, discovered, clock, env, redactor, log }));
  const loadSources = identityCenter.withSsoSource(loadSdkSources);
  const mfaCache = own(new MfaSessionCache());
  const store = new SecretSessionStore(context.secrets, redactor, log, windowIdentity(), () => clock.now());
  const resolve = createSessionResolver({ catalog, settings, loadSts, loadSources, mfaCache, prompt: promptForMfaCode, clock, env, redactor, log });
  const sessions = own(
    new SessionManager(resolve, clock, {
      refreshPolicy: () => ({ enabled: settings.value.autoRefresh, leadMs: refreshLeadMs(settings.value.refreshMinutesBefore, settings.value.terminalCredentials) }),
      // Refreshes first look at what other windows stored.
      peekShared: (profileName) => store.peekShared(profileName),
    }),
  );
  active = () => sessions.active;
  const sync = own(new SessionSync(store, sessions, mfaCache, clock, log, () => vscode.workspace.isTrusted));
  timer.mark('core services');

  const tree = own(new ProfileTreeProvider(catalog, sessions, log, identityCenter, settings, context.globalState));
  const names = () => accountNames(catalog.loaded, settings.value.accountNames);
  timer.mark('tree view');
  const statusBar = own(new IdentityStatusBar(sessions, mfaCache, settings, clock, (name) => {
    const profile = catalog.loaded?.profiles.get(name);
    return profile && accountNameOf(profile, names());
  }));
  timer.mark('status bar');
  const debug = own(new DebugCredentials(sessions, settings, log, catalog));
  const consoleSignin = own(new ConsoleSignin(sessions, settings, log));
  const workspaceProfile = own(new WorkspaceProfile(catalog, sessions, settings, log));
  const terminalEnvironment = own(new TerminalEnvironment(context.environmentVariableCollection, sessions, settings, log, () => defaultProfileHasCredentials(catalog.loaded), context.workspaceState, { catalog, globalState: context.globalState }));
  timer.mark('terminal environment');
  own(new ConfigWatcher(catalog, settings, log));
  timer.mark('config watcher');
  own(new ConfigDiagnostics(catalog, log, new AwsCliCheck()));
  own(new ConfigLanguage(catalog, log));
  const credentialRefresh = own(new CredentialRefresh(sessions, log));
  const credentialExport = own(new CredentialExport(sessions, settings, log));
  beforeExit = () => credentialExport.clearOnExit();
  const addRoleProfile = own(new AddRoleProfile(catalog, log));
  own(new ConfigCommands(catalog, log));
  own(new SignOut(sessions, mfaCache, store, clock, log, () => identityCenter.signOutAllOfOurs()));
  const sessionCommands = own(new SessionCommands(context, catalog, sessions, loadSts, log, () => ({ pinned: tree.pinned, names: names() })));
  own(settings.onDidChange(() => sessions.reschedule()));
  const hooks = registerTestHooks(env, { terminalEnvironment, context, sessions, store, sync, sessionCommands, tree, statusBar, debugNotes: () => debug.notes, identityCenter, consoleDestination: () => consoleSignin.lastDestination, renewedMessage: () => credentialRefresh.renewedMessage, addRoleProfile });
  if (hooks) own(hooks);
  timer.mark('commands and providers');

  // A session kept by an earlier window (reload, second window) comes back without STS;
  // then the folder's own profile is offered if it is not the one already active.
  // Only this window's own stored session (same remote, same workspace), and never in Restricted
  // Mode; when trust is granted later, the restore runs then.
  void sync.restore().then(() => workspaceProfile.check());
  if (!vscode.workspace.isTrusted) own(vscode.workspace.onDidGrantWorkspaceTrust(() => void sync.restore()));
  return { activationMs: timer.elapsedMs(), activationMarks: timer.marks, timers: () => clock.counts() };
}

/** What identifies this window across reloads, for its entry in the stored sessions. */
function windowIdentity(): WindowIdentity {
  const file = vscode.workspace.workspaceFile;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
  const remoteUri = [file, ...folders].find((u) => u?.scheme === 'vscode-remote');
  return {
    remoteName: vscode.env.remoteName,
    remoteAuthority: remoteUri?.authority,
    // An untitled workspace file is still the same file after a reload.
    workspaceFile: file?.toString(),
    folders: folders.map((u) => u.toString()),
  };
}

export async function deactivate(): Promise<void> {
  // Everything else is owned by context.subscriptions.
  await beforeExit?.();
}
