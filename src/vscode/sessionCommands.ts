import * as vscode from 'vscode';
import { Commands, ContextKeys, StateKeys } from '../constants';
import { errorMessage, RoleSwitchError } from '../core/errors';
import type { AwsLoginRequired, CliSignIn, SsoLoginRequired } from '../core/credentials/sourceCredentials';
import { cliSignInCommand, cliSignInProcess } from '../core/credentials/cliSignIn';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { Profile } from '../core/config/profiles';
import type { StsApi } from '../core/credentials/stsApi';
import type { SessionManager, SessionChange } from '../core/session/sessionManager';
import { isAssumable, pushRecent, type AccountNames } from '../core/config/profileGroups';
import { Disposable } from './disposable';
import { discoveredProfileName, matchingConfigProfiles } from '../core/config/discoveredRoles';
import type { SsoSignInRequired } from '../core/credentials/sso/ssoErrors';
import type { Logger } from './logger';
import { notifyWithLog } from './notify';
import type { TreeNode } from './profileTree';
import { pickProblemAction, pickRoleProfile } from './prompts';
import { engine } from './lazyChunks';
import { cliSignInFailureMessage, runCliSignInInTerminal } from './cliSignInTerminal';

/** The AWS CLI command that fixes a failed switch, when signing in again is the fix. */
/** `{ "ssoSession": "corp", "accountId": "111122223333", "roleName": "Admin" }`: a discovered role, as keybindings name it. */
function isDiscoveredRoleArg(arg: unknown): arg is { ssoSession: string; accountId: string; roleName: string } {
  const a = arg as Record<string, unknown> | undefined;
  return Boolean(a && typeof a === 'object' && typeof a.ssoSession === 'string' && typeof a.accountId === 'string' && typeof a.roleName === 'string');
}

function cliSignInOf(e: unknown): CliSignIn | undefined {
  if (!(e instanceof RoleSwitchError) || (e.code !== 'SsoLoginRequired' && e.code !== 'AwsLoginRequired')) return undefined;
  return (e as SsoLoginRequired | AwsLoginRequired).login;
}

/** For tests (testHooks.ts): the answer to the Sign In offer instead of asking, and the offer waited for. */
export interface SignInAnswer {
  signIn: boolean;
}

/**
 * AWS: Assume Role, Drop Credentials and Show Caller Identity, and what the user is told when a
 * session ends. Every failure is shown with the profile it concerns and a way to the log.
 */
export class SessionCommands extends Disposable {
  /** Why the last switch did not happen (redacted), for the test hooks. */
  private failure: string | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly catalog: ProfileCatalog,
    private readonly sessions: SessionManager,
    private readonly loadSts: () => Promise<StsApi>,
    private readonly log: Logger,
    /** The pinned profiles and the account names, for the Assume Role pick. */
    private readonly pins: () => { pinned?: readonly string[]; names?: AccountNames } = () => ({}),
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.assumeRole, (arg: unknown) => this.assume(arg)));
    this._register(vscode.commands.registerCommand(Commands.dropCredentials, () => this.drop()));
    this._register(vscode.commands.registerCommand(Commands.showCallerIdentity, () => this.showCallerIdentity()));
    this._register(sessions.onDidChange((change) => this.onSessionChange(change)));
  }

  get lastFailure(): string | undefined {
    return this.failure;
  }

  get recent(): string[] {
    const value = this.context.globalState.get<unknown>(StateKeys.recentProfiles);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  /** Accepts a profile name (keybinding args), a tree node, or nothing (quick pick). */
  async assume(arg?: unknown, answer?: SignInAnswer): Promise<boolean> {
    let profileName: string | undefined;
    if (typeof arg === 'string') profileName = arg;
    else if (arg && typeof arg === 'object' && (arg as TreeNode).type === 'profile') profileName = (arg as { profile: Profile }).profile.name;
    else if (arg && typeof arg === 'object' && typeof (arg as { profile?: unknown }).profile === 'string') profileName = (arg as { profile: string }).profile;
    else if (isDiscoveredRoleArg(arg)) profileName = discoveredProfileName(arg);

    try {
      const set = await this.catalog.get();
      if (profileName === undefined) {
        // A discovered role that a profile of the config already reaches is picked through that profile (as in the tree).
        const candidates = [...set.profiles.values()].filter((p) => isAssumable(p) && !(p.discovered && matchingConfigProfiles(set, { ...p.discovered, ssoRegion: '' }).length > 0));
        if (candidates.length === 0) {
          const open = 'Open AWS Config';
          const choice = await vscode.window.showWarningMessage(`No usable profiles found in ${set.files.paths.configPath}. Add a profile with role_arn and source_profile.`, open);
          if (choice === open) await vscode.commands.executeCommand(Commands.openConfig);
          return false;
        }
        const problemOf = (p: Profile) => engine().profileProblem(set, p);
        const picked = await pickRoleProfile(candidates, this.recent, this.sessions.active?.profileName, problemOf, this.pins());
        if (!picked) return false;
        const problem = problemOf(picked);
        if (problem) {
          const action = await pickProblemAction(picked, problem);
          if (action === 'openConfig') await vscode.commands.executeCommand(Commands.openConfigAtProfile, picked.name);
          if (action !== 'assume') return false;
        }
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
        this.failure = this.log.redactor.redact(errorMessage(e));
        return false;
      }
      this.log.error(`Assuming "${profileName ?? '?'}" failed`, e);
      this.failure = this.log.redactor.redact(errorMessage(e));
      const signIn = cliSignInOf(e);
      if (e instanceof RoleSwitchError && e.code === 'SsoSignInRequired' && profileName) {
        const offer = this.offerSsoSignIn(errorMessage(e), (e as SsoSignInRequired).ssoSession, profileName, answer);
        if (answer) return (await offer) ?? false;
        void offer;
      } else if (signIn && profileName) {
        const offer = this.offerSignIn(errorMessage(e), signIn, profileName, answer);
        if (answer) return (await offer) ?? false;
        // Not awaited: the command answers now; signing in and retrying happen when the user says so.
        void offer;
      } else void notifyWithLog(this.log, 'error', errorMessage(e));
      return false;
    }
  }

  /**
   * A missing or expired sign-in (an IAM Identity Center token, an aws login): offer to run the
   * AWS CLI command that fixes it in a terminal (it opens the browser and writes its cache), then
   * carry on with the same profile once it exited with 0. No shell reads the arguments (see
   * runCliSignInInTerminal). Sign-in itself stays with the CLI: aws login's client ids are AWS's own.
   */
  private async offerSignIn(message: string, signIn: CliSignIn, profileName: string, answer?: SignInAnswer): Promise<boolean | undefined> {
    const label = `Sign In (${cliSignInCommand(signIn.args)})`;
    const choice = answer ? (answer.signIn ? label : undefined) : await notifyWithLog(this.log, 'warning', message, label);
    if (choice !== label) return false;
    const outcome = await runCliSignInInTerminal(cliSignInProcess(signIn.args));
    const failure = cliSignInFailureMessage(outcome, signIn.args);
    if (failure) {
      this.log.warn(failure);
      void notifyWithLog(this.log, outcome.kind === 'closed' ? 'warning' : 'error', failure);
      return false;
    }
    return this.assume(profileName);
  }

  /** The IAM Identity Center token is missing or cannot be renewed: offer this extension's own sign-in, then carry on with the same profile. */
  private async offerSsoSignIn(message: string, ssoSession: string | undefined, profileName: string, answer?: SignInAnswer): Promise<boolean> {
    const label = 'Sign In';
    const choice = answer ? (answer.signIn ? label : undefined) : await notifyWithLog(this.log, 'warning', message, label);
    if (choice !== label) return false;
    const signedIn = await vscode.commands.executeCommand<boolean>(Commands.ssoSignIn, ssoSession !== undefined ? { ssoSession } : { profile: profileName });
    return signedIn === true ? this.assume(profileName) : false;
  }

  drop(): void {
    const had = this.sessions.active;
    this.sessions.drop();
    if (!had) void vscode.window.showInformationMessage('No AWS role is active.');
  }

  private onSessionChange(change: SessionChange): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.active, Boolean(change.session));
    const previous = change.previous;
    // Sign Out says what it forgot in one message of its own.
    if (change.session || !previous || change.reason === 'signedOut') return;
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
      void notifyWithLog(this.log, 'error', `Could not get the caller identity of profile "${session.profileName}": ${errorMessage(e)}`);
    }
  }
}
