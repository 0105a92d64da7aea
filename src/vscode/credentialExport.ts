import * as vscode from 'vscode';
import { Commands } from '../constants';
import { EXPORT_FORMATS, formatCredentials, type ExportFormat } from '../core/delivery/exportFormats';
import type { SessionManager } from '../core/session/sessionManager';
import { Disposable, toDisposable } from './disposable';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

/**
 * AWS: Copy Credentials: the active session in a shell's syntax, a .env block or the
 * credential_process JSON, to the clipboard. The clipboard is cleared again if it still holds
 * them: after awsRoles.clipboardClearSeconds, when the session they belong to is dropped,
 * expires or is replaced, and when the window closes. Nothing shown or logged contains a secret.
 */
export class CredentialExport extends Disposable {
  private clearTimer: NodeJS.Timeout | undefined;
  /** What was copied, and of which session's keys, until it is cleared. */
  private copied: { text: string; profileName: string } | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly settings: SettingsService,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.copyCredentials, (format?: unknown) => this.copy(format)));
    this._register(toDisposable(() => clearTimeout(this.clearTimer)));
    this._register(
      sessions.onDidChange((change) => {
        // A refresh of the same profile keeps them (they stay valid until they expire); a drop, an expiry or a switch does not.
        if (this.copied && change.session?.profileName !== this.copied.profileName) void this.clearIfStill(change.session ? 'another profile was assumed' : `the session was ${change.reason}`);
      }),
    );
  }

  /** At window close (deactivate waits for it): the credentials must not stay on the clipboard after the editor is gone. */
  async clearOnExit(): Promise<void> {
    clearTimeout(this.clearTimer);
    await this.clearIfStill('the window closed');
  }

  /** `format` (an ExportFormat id) skips the quick pick, for keybindings. */
  async copy(format?: unknown): Promise<boolean> {
    const session = this.sessions.active;
    if (!session) {
      void vscode.window.showInformationMessage('No AWS role is active, so there are no credentials to copy. Run "AWS: Assume Role" first.');
      return false;
    }
    let id = EXPORT_FORMATS.find((f) => f.id === format)?.id;
    if (!id) {
      const picked = await vscode.window.showQuickPick(
        EXPORT_FORMATS.map((f) => ({ label: f.label, description: f.description, id: f.id })),
        { title: `AWS: Copy Credentials of ${session.profileName}`, placeHolder: 'Format (the same variables as aws configure export-credentials)' },
      );
      if (!picked) return false;
      id = picked.id as ExportFormat;
    }
    const text = formatCredentials(session, id);
    await vscode.env.clipboard.writeText(text);
    const seconds = this.settings.value.clipboardClearSeconds;
    const label = EXPORT_FORMATS.find((f) => f.id === id)?.label ?? id;
    this.log.info(`Copied the credentials of "${session.profileName}" as ${label}${seconds ? `; clearing the clipboard in ${seconds} s` : ''}.`);
    void vscode.window.showInformationMessage(`Copied the AWS credentials of "${session.profileName}" as ${label}.${seconds ? ` The clipboard is cleared in ${seconds} seconds.` : ''}`);
    clearTimeout(this.clearTimer);
    this.copied = { text, profileName: session.profileName };
    if (seconds > 0) {
      this.clearTimer = setTimeout(() => void this.clearIfStill(`${seconds} s passed`), seconds * 1000);
    }
    return true;
  }

  // Only if it still holds what we put there: whatever the user copied since is theirs.
  private async clearIfStill(why: string): Promise<void> {
    const copied = this.copied;
    this.clearTimer = undefined;
    this.copied = undefined;
    if (!copied) return;
    if ((await vscode.env.clipboard.readText()) === copied.text) {
      await vscode.env.clipboard.writeText('');
      this.log.info(`Cleared the copied AWS credentials from the clipboard (${why}).`);
    }
  }
}
