import type * as vscode from 'vscode';
import { CountingClock, systemClock } from './core/clock';
import { MfaSessionCache } from './core/mfaSessions';
import { ProfileCatalog } from './core/profileCatalog';
import { Redactor } from './core/redact';
import { SessionManager } from './core/sessionManager';
import { AddRoleProfile } from './vscode/addRoleProfile';
import { ConfigDiagnostics } from './vscode/configDiagnostics';
import { ConsoleSignin } from './vscode/consoleSignin';
import { CredentialExport } from './vscode/credentialExport';
import { DebugCredentials } from './vscode/debugCredentials';
import { ConfigWatcher } from './vscode/configWatcher';
import { engine } from './vscode/engine';
import { Logger } from './vscode/logger';
import { ProfileTreeProvider } from './vscode/profileTree';
import { promptForMfaCode } from './vscode/prompts';
import { RefreshNotifier } from './vscode/refreshNotifier';
import { RoleCommands } from './vscode/roleCommands';
import { createSdkLoaders } from './vscode/sdkLoaders';
import { SessionPersistence } from './vscode/sessionPersistence';
import { createSessionResolver } from './vscode/sessionResolver';
import { SettingsService } from './vscode/settings';
import { IdentityStatusBar } from './vscode/statusBar';
import { refreshLeadMs, TerminalEnvironment } from './vscode/terminalEnvironment';
import { WorkspaceProfile } from './vscode/workspaceProfile';

// Set by esbuild's banner as the bundle starts evaluating, so activation time includes module load.
declare const __awsRolesLoadStart: number | undefined;

/** What activate() returns to other code (tests, the benchmark): timings and timer counts, never a secret. */
export interface ExtensionDiagnostics {
  activationMs: number;
  timers(): { scheduled: number; pending: number };
}

export function activate(context: vscode.ExtensionContext): ExtensionDiagnostics {
  const start = typeof __awsRolesLoadStart === 'number' ? __awsRolesLoadStart : performance.now();
  const clock = new CountingClock(systemClock);
  const redactor = new Redactor();
  const log = new Logger(redactor);
  const settings = new SettingsService();
  const env = process.env;
  const catalog = new ProfileCatalog(() => ({ configFile: settings.value.configFile, credentialsFile: settings.value.credentialsFile }), env, (paths) => engine().loadProfileSet(paths));
  const { loadSts, loadSources } = createSdkLoaders(settings, log);
  const mfaCache = new MfaSessionCache();
  const resolve = createSessionResolver({ catalog, settings, loadSts, loadSources, mfaCache, prompt: promptForMfaCode, clock, env, redactor, log });
  // The manager and the persistence know each other: refreshes first look at what other windows stored.
  const shared: { persistence?: SessionPersistence } = {};
  const sessions = new SessionManager(resolve, clock, {
    refreshPolicy: () => ({ enabled: settings.value.autoRefresh, leadMs: refreshLeadMs(settings.value) }),
    peekShared: async (profileName) => shared.persistence?.peekShared(profileName),
  });
  const persistence = (shared.persistence = new SessionPersistence(context.secrets, sessions, mfaCache, clock, redactor, log));

  const tree = new ProfileTreeProvider(catalog, sessions, log);
  const statusBar = new IdentityStatusBar(sessions, settings, clock);
  const debug = new DebugCredentials(sessions, settings, log);
  const consoleSignin = new ConsoleSignin(sessions, settings, log);
  const workspaceProfile = new WorkspaceProfile(catalog, sessions, settings, log);
  context.subscriptions.push(
    log,
    settings,
    catalog,
    sessions,
    mfaCache,
    persistence,
    tree,
    statusBar,
    new TerminalEnvironment(context.environmentVariableCollection, sessions, settings, log),
    new ConfigWatcher(catalog, settings, log),
    new ConfigDiagnostics(catalog, log),
    new RefreshNotifier(sessions, log),
    debug,
    consoleSignin,
    workspaceProfile,
    new CredentialExport(sessions, settings, log),
    new AddRoleProfile(catalog, log),
    new RoleCommands(context, catalog, sessions, loadSts, tree, statusBar, log, () => ({ debugNotes: debug.notes, consoleDestination: consoleSignin.lastDestination })),
    settings.onDidChange(() => sessions.reschedule()),
  );
  // A session kept by an earlier window (reload, second window) comes back without STS;
  // then the folder's own profile is offered if it is not the one already active.
  void persistence.restore().then(() => workspaceProfile.check());
  return { activationMs: performance.now() - start, timers: () => clock.counts() };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
