import type * as vscode from 'vscode';
import { CountingClock, systemClock } from './core/clock';
import { MfaSessionCache } from './core/credentials/mfaSessions';
import { ProfileCatalog } from './core/config/profileCatalog';
import { Redactor } from './core/redact';
import { SessionManager } from './core/session/sessionManager';
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

// Set by esbuild's banner and footer around the bundle's evaluation: activation time is module
// load plus the activate() call, as VS Code's own activation times count it (the extension host's
// wait for the ExtensionContext in between is not ours).
declare const __awsRolesLoadStart: number | undefined;
declare const __awsRolesLoadEnd: number | undefined;

/** What activate() returns to other code (tests, the benchmark): timings and timer counts, never a secret. */
export interface ExtensionDiagnostics {
  activationMs: number;
  /** Milliseconds since the bundle started loading, at points of activate(), for the benchmark's breakdown. */
  activationMarks: [string, number][];
  timers(): { scheduled: number; pending: number };
}

export function activate(context: vscode.ExtensionContext): ExtensionDiagnostics {
  const activateStart = performance.now();
  const moduleMs = typeof __awsRolesLoadStart === 'number' && typeof __awsRolesLoadEnd === 'number' ? __awsRolesLoadEnd - __awsRolesLoadStart : 0;
  const marks: [string, number][] = [['module evaluated', moduleMs]];
  const mark = (label: string) => marks.push([label, moduleMs + performance.now() - activateStart]);
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

  mark('core services');
  const tree = new ProfileTreeProvider(catalog, sessions, log);
  mark('tree view');
  const statusBar = new IdentityStatusBar(sessions, settings, clock);
  mark('status bar');
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
    new TerminalEnvironment(context.environmentVariableCollection, sessions, settings, log, () => {
      const fallback = catalog.loaded?.profiles.get('default');
      return Boolean(fallback && fallback.kind !== 'other');
    }),
    ((): vscode.Disposable => (mark('terminal environment'), new ConfigWatcher(catalog, settings, log)))(),
    ((): vscode.Disposable => (mark('config watcher'), new ConfigDiagnostics(catalog, log)))(),
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
  mark('commands and providers');
  void persistence.restore().then(() => workspaceProfile.check());
  return { activationMs: moduleMs + performance.now() - activateStart, activationMarks: marks, timers: () => clock.counts() };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
