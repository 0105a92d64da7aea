import * as vscode from 'vscode';
import { Commands } from '../constants';
import { errorMessage } from '../core/errors';
import type { RefreshProblem, SessionManager } from '../core/session/sessionManager';
import { Disposable, toDisposable } from './disposable';
import type { Logger } from './logger';
import { notifyWithLog } from './notify';

/** How long "Renewed …" stays in the status bar after AWS: Refresh Credentials. */
const RENEWED_MESSAGE_MS = 5_000;

/**
 * AWS: Refresh Credentials, and what the user is told when a background refresh did not
 * happen: once per problem and without taking focus, with "Enter MFA code" when a code is needed, with "Retry" otherwise. The old session
 * keeps working until it expires.
 */
export class CredentialRefresh extends Disposable {
  private shown: RefreshProblem | undefined;
  /** The last "renewed" status bar message, for the tests. */
  renewedMessage: string | undefined;
  private renewedShown: vscode.Disposable | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.refreshCredentials, () => this.refreshNow()));
    this._register(toDisposable(() => this.renewedShown?.dispose()));
    this._register(sessions.onDidChangeRefreshProblem((problem) => {
      // Once per episode: quiet retries that fail again, or the same problem, do not notify again;
      // a new kind (a code is now needed) does.
      if (problem && (!this.shown || this.shown.needsMfa !== problem.needsMfa || Boolean(this.shown.needsSignIn) !== Boolean(problem.needsSignIn))) void this.notify(problem);
      this.shown = problem;
    }));
  }

  private async notify(problem: RefreshProblem): Promise<void> {
    const until = problem.expiresAt ? new Date(problem.expiresAt).toLocaleTimeString() : 'they expire';
    if (problem.needsMfa) {
      const enter = 'Enter MFA code';
      this.log.info(`Renewing "${problem.profileName}" needs an MFA code; asking the user.`);
      const choice = await vscode.window.showWarningMessage(`The AWS credentials of "${problem.profileName}" expire at ${until}. Enter an MFA code to renew them.`, enter);
      if (choice === enter) await this.refreshNow();
      return;
    }
    if (problem.needsSignIn) {
      const signIn = 'Sign In';
      this.log.warn(`Renewing "${problem.profileName}" needs a new sign-in: ${errorMessage(problem.error)}`);
      const choice = await notifyWithLog(this.log, 'warning', `${errorMessage(problem.error)} The AWS credentials of "${problem.profileName}" keep working until ${until}.`, signIn);
      if (choice === signIn) await this.signInAndRefresh(problem);
      return;
    }
    this.log.error(`Renewing "${problem.profileName}" in the background failed`, problem.error);
    const retry = 'Retry';
    const choice = await notifyWithLog(this.log, 'warning', `Could not renew the AWS credentials of "${problem.profileName}": ${errorMessage(problem.error)} The current ones keep working until ${until}.`, retry);
    if (choice === retry) await this.refreshNow();
  }

  /** Signs in (IAM Identity Center: this extension's own sign-in; aws login / aws sso login: the switch offers the CLI), then renews. */
  private async signInAndRefresh(problem: RefreshProblem): Promise<boolean> {
    const code = (problem.error as { code?: string }).code;
    if (code === 'SsoSignInRequired') {
      const ssoSession = problem.needsSignIn?.ssoSession;
      const signedIn = await vscode.commands.executeCommand<boolean>(Commands.ssoSignIn, ssoSession !== undefined ? { ssoSession } : { profile: problem.profileName });
      return signedIn === true ? this.renew() : false;
    }
    return (await vscode.commands.executeCommand<boolean>(Commands.assumeRole, problem.profileName)) === true;
  }

  /** AWS: Refresh Credentials, and the buttons above: renew now, prompting if a code is needed. */
  async refreshNow(): Promise<boolean> {
    const problem = this.sessions.refreshProblem;
    if (problem?.needsSignIn && this.sessions.active?.profileName === problem.profileName) return this.signInAndRefresh(problem);
    return this.renew();
  }

  private async renew(): Promise<boolean> {
    const session = this.sessions.active;
    if (!session) {
      void vscode.window.showInformationMessage('No AWS role is active, so there is nothing to refresh.');
      return false;
    }
    try {
      const fresh = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Renewing AWS credentials of ${session.profileName}` }, () => this.sessions.refresh({ interactive: true }));
      if (fresh) {
        this.log.info(`Renewed "${fresh.profileName}": expires ${fresh.expiresAt ? new Date(fresh.expiresAt).toISOString() : 'never'}.`);
        // A brief word where the eye already is: the countdown just jumped back up.
        this.renewedMessage = `$(check) Renewed the AWS credentials of ${fresh.profileName}${fresh.expiresAt ? `, valid until ${new Date(fresh.expiresAt).toLocaleTimeString()}` : ''}`;
        this.renewedShown?.dispose();
        this.renewedShown = vscode.window.setStatusBarMessage(this.renewedMessage, RENEWED_MESSAGE_MS);
      }
      return Boolean(fresh);
    } catch (e) {
      this.log.error(`Renewing "${session.profileName}" failed`, e);
      await notifyWithLog(this.log, 'error', errorMessage(e));
      return false;
    }
  }
}
