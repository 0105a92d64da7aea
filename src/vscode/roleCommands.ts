import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { Commands, ContextKeys, SecretKeys, StateKeys } from '../constants';
import { parseActive } from '../core/session/storedSessions';
import { errorMessage, RoleSwitchError } from '../core/errors';
import type { SsoLoginRequired } from '../core/credentials/sourceCredentials';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { Profile } from '../core/config/profiles';
import type { StsApi } from '../core/credentials/stsApi';
import type { SessionManager, SessionChange } from '../core/session/sessionManager';
import { SECRET_ENV_NAMES } from '../core/redact';
import { isAssumable, pushRecent } from '../core/config/profileGroups';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import type { ProfileTreeProvider, TreeNode, TreeSnapshotNode } from './profileTree';
import { pickRoleProfile } from './prompts';
import type { IdentityStatusBar } from './statusBar';

const CONFIG_TEMPLATE = `# AWS CLI config. A role profile looks like this:
#
# [profile my-admin]
# role_arn = arn:aws:iam::123456789012:role/Admin
# source_profile = default
# mfa_serial = arn:aws:iam::111111111111:mfa/me
# region = eu-west-1
`;

/** What the hidden inspect command returns to tests: state only, never a secret. */
export interface InspectSnapshot {
  active?: { profileName: string; arn: string; accountId: string; roleName?: string; sessionName?: string; expiresAt?: number; accessKeyId: string; region: string };
  statusBar: { text: string; state: string };
  recent: string[];
  switching: boolean;
  tree: TreeSnapshotNode[];
  treeMessage?: string;
  /** The terminal environment: names to values, with secret values replaced by `<set>`. */
  terminalEnv: Record<string, string>;
  filter: string;
  /** Where VS Code keeps this extension's log and state, so tests can search them for secrets. */
  storage: { logDir: string; globalStorage: string; workspaceStorage?: string };
  lastFailure?: string;
  /** The access key id (not a secret) of the session kept in SecretStorage, to prove a failure left it alone. */
  storedSessionKeyId?: string;
  /** What was said in debug consoles about the role a program runs as. */
  debugNotes?: string[];
  /** The console page the last "Open Console as Role" opened (not the URL, which holds a token). */
  consoleDestination?: string;
}

/** The user-facing commands. Every failure is shown with the profile it concerns and a way to the log. */
export class RoleCommands extends Disposable {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly catalog: ProfileCatalog,
    private readonly sessions: SessionManager,
    private readonly loadSts: () => Promise<StsApi>,
    private readonly tree: ProfileTreeProvider,
    private readonly statusBar: IdentityStatusBar,
    private readonly log: Logger,
    private readonly inspectExtras: () => Record<string, unknown> = () => ({}),
  ) {
    super();
    const register = (id: string, run: (...args: unknown[]) => unknown) => this._register(vscode.commands.registerCommand(id, run));
    register(Commands.assumeRole, (arg) => this.assume(arg));
    register(Commands.dropCredentials, () => this.drop());
    register(Commands.showCallerIdentity, () => this.showCallerIdentity());
    register(Commands.refreshProfiles, () => this.refresh());
    register(Commands.filterProfiles, () => this.filter());
    register(Commands.clearFilter, () => tree.setFilter(''));
    register(Commands.openConfig, () => this.openConfig());
    register(Commands.showLog, () => log.show());
    register(Commands.statusBarActions, () => this.statusBarActions());
    register(Commands.inspectState, () => this.inspect());
    this._register(sessions.onDidChange((change) => this.onSessionChange(change)));
  }

  /** Why the last switch did not happen (redacted), for the hidden inspect command. */
  private lastFailure: string | undefined;

  private get recent(): string[] {
    const value = this.context.globalState.get<unknown>(StateKeys.recentProfiles);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  /** Accepts a profile name (keybinding args), a tree node, or nothing (quick pick). */
  async assume(arg?: unknown): Promise<boolean> {
    let profileName: string | undefined;
    if (typeof arg === 'string') profileName = arg;
    else if (arg && typeof arg === 'object' && (arg as TreeNode).type === 'profile') profileName = (arg as { profile: Profile }).profile.name;
    else if (arg && typeof arg === 'object' && typeof (arg as { profile?: unknown }).profile === 'string') profileName = (arg as { profile: string }).profile;

    try {
      const set = await this.catalog.get();
      if (profileName === undefined) {
        const candidates = [...set.profiles.values()].filter(isAssumable);
        if (candidates.length === 0) {
          const open = 'Open AWS Config';
          const choice = await vscode.window.showWarningMessage(`No usable profiles found in ${set.files.paths.configPath}. Add a profile with role_arn and source_profile.`, open);
          if (choice === open) await this.openConfig();
          return false;
        }
        const picked = await pickRoleProfile(candidates, this.recent, this.sessions.active?.profileName);
        if (!picked) return false;
        profileName = picked.name;
      }
      const name = profileName;
      this.log.info(`Assuming profile "${name}"…`);
      const switching = this.sessions.switchTo(name);
      // A warm switch takes a few milliseconds: the progress spinner (a round trip to the window) only for slow ones.
      const progress = setTimeout(() => void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Assuming AWS role ${name}` }, () => switching.catch(() => undefined)), 150);
      let session;
      try {
        session = await switching;
      } finally {
        clearTimeout(progress);
      }
      // Kept in the background: the switch is done when the session is applied.
      void Promise.resolve(this.context.globalState.update(StateKeys.recentProfiles, pushRecent(this.recent, name))).then(undefined, (e: unknown) => this.log.warn(`Could not remember the recent profile: ${errorMessage(e)}`));
      this.log.info(`Now ${session.arn} from profile "${name}" (chain ${session.chain.join(' -> ')}), expires ${session.expiresAt ? new Date(session.expiresAt).toISOString() : 'never'}.`);
      return true;
    } catch (e) {
      if (e instanceof RoleSwitchError && (e.code === 'Superseded' || e.code === 'MfaCancelled')) {
        this.log.info(errorMessage(e));
        this.lastFailure = this.log.redactor.redact(errorMessage(e));
        return false;
      }
      this.log.error(`Assuming "${profileName ?? '?'}" failed`, e);
      this.lastFailure = this.log.redactor.redact(errorMessage(e));
      // Not awaited: the command answers now; signing in and retrying happen when the user says so.
      if (e instanceof RoleSwitchError && e.code === 'SsoLoginRequired' && profileName) void this.offerSsoLogin(e as SsoLoginRequired, profileName);
      else void this.showError(errorMessage(e));
      return false;
    }
  }

  /**
   * A missing or expired IAM Identity Center token: offer to run `aws sso login` in a terminal
   * (it opens the browser and writes ~/.aws/sso/cache), then carry on with the same profile.
   */
  private async offerSsoLogin(e: SsoLoginRequired, profileName: string): Promise<boolean | undefined> {
    const signIn = 'Sign In (aws sso login)';
    const choice = await vscode.window.showWarningMessage(this.log.redactor.redact(e.message), signIn, 'Show Log');
    if (choice === 'Show Log') this.log.show();
    if (choice !== signIn) return false;
    const terminal = vscode.window.createTerminal({ name: 'AWS SSO login' });
    terminal.show();
    const command = ['aws', ...e.login.args].map(shellQuote).join(' ');
    terminal.sendText(`${command} && exit`);
    const closed = await new Promise<vscode.TerminalExitStatus | undefined>((resolve) => {
      const listener = vscode.window.onDidCloseTerminal((t) => {
        if (t !== terminal) return;
        listener.dispose();
        resolve(t.exitStatus);
      });
      this._register(listener);
    });
    // The terminal closes by itself only when the login succeeded (`&& exit`).
    if (closed?.code !== undefined && closed.code !== 0) return false;
    return this.assume(profileName);
  }

  drop(): void {
    const had = this.sessions.active;
    this.sessions.drop();
    if (!had) void vscode.window.showInformationMessage('No AWS role is active.');
  }

  private onSessionChange(change: SessionChange): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.active, Boolean(change.session));
    const previous = change.previous;
    if (change.session || !previous) return;
    const again = 'Assume again';
    const message =
      change.reason === 'expired'
        ? `The AWS credentials for "${previous.profileName}" have expired and were removed from new terminals.`
        : `AWS credentials for "${previous.profileName}" were dropped. New terminals get no AWS keys; close terminals that still have them.`;
    this.log.info(message);
    const show = change.reason === 'expired' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void Promise.resolve(show(message, again)).then((choice) => {
      if (choice === again) return this.assume(previous.profileName);
      return undefined;
    });
  }

  private async showCallerIdentity(): Promise<void> {
    const session = this.sessions.active;
    if (!session) {
      const assume = 'Assume Role';
      const choice = await vscode.window.showInformationMessage('No AWS role is active, so there is no identity to show.', assume);
      if (choice === assume) await this.assume();
      return;
    }
    try {
      const sts = await this.loadSts();
      const identity = await sts.getCallerIdentity({ credentials: session.credentials, region: session.region, endpoint: session.stsEndpoint });
      this.log.info(`GetCallerIdentity: ${identity.arn} (account ${identity.account})`);
      void vscode.window.showInformationMessage(`AWS identity: ${identity.arn} (account ${identity.account}, user id ${identity.userId}).`);
    } catch (e) {
      this.log.error(`GetCallerIdentity for "${session.profileName}" failed`, e);
      void this.showError(`Could not get the caller identity of profile "${session.profileName}": ${errorMessage(e)}`);
    }
  }

  private async refresh(): Promise<void> {
    try {
      await this.catalog.reload();
    } catch (e) {
      this.log.error('Reloading profiles failed', e);
    }
    this.tree.refresh();
  }

  private async filter(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: 'Filter AWS profiles',
      prompt: 'Profile name, account id or role name',
      value: this.tree.filterText,
    });
    if (value !== undefined) this.tree.setFilter(value);
  }

  private async statusBarActions(): Promise<void> {
    const active = this.sessions.active;
    type Action = vscode.QuickPickItem & { run: () => unknown };
    const actions: Action[] = [{ label: '$(arrow-swap) Switch Role…', run: () => this.assume() }];
    if (active) {
      actions.push({ label: '$(account) Show Caller Identity', description: active.arn, run: () => this.showCallerIdentity() });
      if (active.expiresAt !== undefined) actions.push({ label: '$(sync) Refresh Credentials', description: 'renew now', run: () => vscode.commands.executeCommand(Commands.refreshCredentials) });
      actions.push({ label: '$(copy) Copy Credentials…', description: 'export lines, .env, credential_process JSON', run: () => vscode.commands.executeCommand(Commands.copyCredentials) });
      actions.push({ label: '$(link-external) Open Console as Role', run: () => vscode.commands.executeCommand(Commands.openConsole) });
      actions.push({ label: '$(close) Drop Credentials', description: `forget ${active.profileName}`, run: () => this.drop() });
    }
    actions.push({ label: '$(output) Show Log', run: () => this.log.show() });
    const picked = await vscode.window.showQuickPick(actions, { title: active ? `AWS: ${active.roleName ?? active.profileName}` : 'AWS Role Switcher' });
    await picked?.run();
  }

  /** Opens the config file, creating ~/.aws/config (mode 600) with a commented example when missing. */
  async openConfig(): Promise<void> {
    const configPath = this.catalog.paths().configPath;
    try {
      await fs.mkdir(path.dirname(configPath), { recursive: true, mode: 0o700 });
      await fs.writeFile(configPath, CONFIG_TEMPLATE, { flag: 'wx', mode: 0o600 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configPath));
      await vscode.window.showTextDocument(doc);
      void this.refresh();
    } catch (e) {
      this.log.error(`Opening ${configPath} failed`, e);
      void this.showError(`Could not open or create ${configPath.replace(os.homedir(), '~')}: ${errorMessage(e)}`);
    }
  }

  private async showError(message: string): Promise<void> {
    const showLog = 'Show Log';
    const choice = await vscode.window.showErrorMessage(this.log.redactor.redact(message), showLog);
    if (choice === showLog) this.log.show();
  }

  private async inspect(): Promise<InspectSnapshot> {
    const s = this.sessions.active;
    const terminalEnv: Record<string, string> = {};
    this.context.environmentVariableCollection.forEach((name, mutator) => {
      terminalEnv[name] = SECRET_ENV_NAMES.has(name) && name !== 'AWS_ACCESS_KEY_ID' ? '<set>' : mutator.value;
    });
    return {
      ...this.inspectExtras(),
      lastFailure: this.lastFailure,
      storedSessionKeyId: parseActive(await this.context.secrets.get(SecretKeys.activeSession)).session?.credentials.accessKeyId,
      tree: await this.tree.snapshot(),
      treeMessage: this.tree.message,
      terminalEnv,
      filter: this.tree.filterText,
      storage: { logDir: this.context.logUri.fsPath, globalStorage: this.context.globalStorageUri.fsPath, workspaceStorage: this.context.storageUri?.fsPath },
      active: s && {
        profileName: s.profileName,
        arn: s.arn,
        accountId: s.accountId,
        roleName: s.roleName,
        sessionName: s.sessionName,
        expiresAt: s.expiresAt,
        accessKeyId: s.credentials.accessKeyId,
        region: s.region,
      },
      statusBar: { text: this.statusBar.text, state: this.statusBar.currentState },
      recent: this.recent,
      switching: this.sessions.switching,
    };
  }
}

/** POSIX single quotes for a word that goes to a shell (profile and session names may hold spaces). */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
