import * as vscode from 'vscode';
import { systemClock } from './core/clock';
import { ProfileCatalog } from './core/profileCatalog';
import { Redactor } from './core/redact';
import { resolveSession } from './core/session';
import { SessionManager } from './core/sessionManager';
import type { CredentialSourceApi } from './core/sourceCredentials';
import type { StsApi } from './core/sts';
import { ConfigDiagnostics } from './vscode/configDiagnostics';
import { ConfigWatcher } from './vscode/configWatcher';
import { Logger } from './vscode/logger';
import { ProfileTreeProvider } from './vscode/profileTree';
import { promptForMfaCode } from './vscode/prompts';
import { RoleCommands } from './vscode/roleCommands';
import { SettingsService } from './vscode/settings';
import { IdentityStatusBar } from './vscode/statusBar';
import { TerminalEnvironment } from './vscode/terminalEnvironment';

export function activate(context: vscode.ExtensionContext): void {
  const redactor = new Redactor();
  const log = new Logger(redactor);
  const settings = new SettingsService();
  const env = process.env;
  const catalog = new ProfileCatalog(() => ({ configFile: settings.value.configFile, credentialsFile: settings.value.credentialsFile }), env);

  // The SDK's STS client is a separate chunk, loaded on the first STS call.
  let sts: { timeout: number; api: Promise<StsApi> } | undefined;
  const loadSts = (): Promise<StsApi> => {
    const timeout = settings.value.stsTimeoutSeconds * 1000;
    if (sts?.timeout !== timeout) {
      // require, not import(): esbuild turns it into a plain require of dist/stsClient.js.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const api = Promise.resolve(require('./core/stsClient') as typeof import('./core/stsClient')).then((m) => m.createStsApi({ requestTimeoutMs: timeout, maxAttempts: 3, log: (line) => log.warn(line) }));
      sts = { timeout, api };
    }
    return sts.api;
  };

  let sources: Promise<CredentialSourceApi> | undefined;
  const loadSources = (): Promise<CredentialSourceApi> => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sources ??= Promise.resolve(require('./core/credentialSources') as typeof import('./core/credentialSources')).then((m) => m.createCredentialSourceApi({ timeoutMs: settings.value.stsTimeoutSeconds * 1000, log: (line) => log.debug(line) }));
    return sources;
  };

  const sessions = new SessionManager(async (profileName, signal) => {
    const session = await resolveSession(await catalog.get(), profileName, {
      loadSts,
      loadSources,
      mfaCode: promptForMfaCode,
      clock: systemClock,
      env,
      sessionName: settings.value.sessionName ? () => settings.value.sessionName : undefined,
      signal,
    });
    redactor.remember(session.credentials.accessKeyId, session.credentials.secretAccessKey, session.credentials.sessionToken);
    return session;
  }, systemClock);

  const tree = new ProfileTreeProvider(catalog, sessions, log);
  const statusBar = new IdentityStatusBar(sessions, settings, systemClock);
  context.subscriptions.push(
    log,
    settings,
    catalog,
    sessions,
    tree,
    statusBar,
    new TerminalEnvironment(context.environmentVariableCollection, sessions),
    new ConfigWatcher(catalog, settings, log),
    new ConfigDiagnostics(catalog, log),
    new RoleCommands(context, catalog, sessions, loadSts, tree, statusBar, log),
  );
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
