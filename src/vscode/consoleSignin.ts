import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ConsoleSigninError, PostForm } from '../core/delivery/consoleFederation';
import { engine } from './lazyChunks';
import { errorMessage } from '../core/errors';
import type { SessionManager } from '../core/session/sessionManager';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import { notifyWithLog } from './notify';
import type { SettingsService } from './settings';

// A POST with the session in the form body (as the federation endpoint accepts), so the URL, and
// any error that quotes it, holds no credential. No redirects: a redirect must not re-send the body.
const postForm: PostForm = async (url, form) => {
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
};

/** AWS: Open Console as Role: the federation sign-in URL of the active session, opened in the browser. */
export class ConsoleSignin extends Disposable {
  /** The last destination opened (never the URL, which holds a sign-in token), for the log and tests. */
  lastDestination: string | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly settings: SettingsService,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.openConsole, () => this.open()));
  }

  async open(): Promise<boolean> {
    const session = this.sessions.active;
    if (!session) {
      const assume = 'Assume Role';
      const choice = await vscode.window.showInformationMessage('No AWS role is active. Assume one to open the console as that role.', assume);
      if (choice === assume) await vscode.commands.executeCommand(Commands.assumeRole);
      return false;
    }
    const s = this.settings.value;
    try {
      const { url, sessionSeconds } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Signing in to the AWS console' }, () =>
        engine().buildConsoleUrl(session, { startPage: s.consoleStartPage, region: s.consoleRegion, federationEndpoint: s.consoleFederationEndpoint, issuer: 'AWS Role Switcher for VS Code' }, postForm),
      );
      this.lastDestination = decodeURIComponent(/[?&]Destination=([^&]*)/.exec(url)?.[1] ?? '');
      this.log.info(`Opening the AWS console as ${session.arn} (console session ${Math.round(sessionSeconds / 60)} min) at ${this.lastDestination}.`);
      return await vscode.env.openExternal(vscode.Uri.parse(url, true));
    } catch (e) {
      // The transport's own text (which can quote the request) goes to the log only, through the redactor.
      this.log.error(`Opening the console for "${session.profileName}" failed`, e);
      const transport = (e as Partial<ConsoleSigninError>).transportError;
      if (transport !== undefined) this.log.error('The request to the console sign-in endpoint failed', transport);
      await notifyWithLog(this.log, 'error', errorMessage(e));
      return false;
    }
  }
}
