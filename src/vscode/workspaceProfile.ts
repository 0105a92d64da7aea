import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { SessionManager } from '../core/session/sessionManager';
import { engine } from './lazyChunks';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

/**
 * awsRoles.workspaceProfile: when a trusted folder opens (never in Restricted Mode), offer its
 * profile, or assume it without asking when awsRoles.autoAssumeWorkspaceProfile is on and no
 * MFA code is needed. A multi-root workspace uses the first folder's setting.
 */
export class WorkspaceProfile extends Disposable {
  private offered = '';

  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly sessions: SessionManager,
    private readonly settings: SettingsService,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.check()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('awsRoles.workspaceProfile') || e.affectsConfiguration('awsRoles.autoAssumeWorkspaceProfile')) void this.check();
      }),
    );
  }

  get profileName(): string {
    return this.settings.workspaceProfile(vscode.workspace.workspaceFolders?.[0]?.uri);
  }

  /** Runs once the stored session (if any) is back, so a restored workspace role is not offered again. */
  async check(): Promise<void> {
    const name = this.profileName;
    if (!name || !vscode.workspace.isTrusted || this.sessions.active?.profileName === name || this.offered === name) return;
    this.offered = name;
    try {
      const set = await this.catalog.get();
      const profile = set.profiles.get(name);
      if (!profile) {
        void vscode.window.showWarningMessage(`This folder's awsRoles.workspaceProfile is "${name}", which is not in ${set.files.paths.configPath}. Fix the setting or add the profile.`);
        return;
      }
      const needsMfa = engine().needsMfaCode(set, name);
      if (this.settings.value.autoAssumeWorkspaceProfile && !needsMfa) {
        this.log.info(`Assuming the workspace profile "${name}" (awsRoles.autoAssumeWorkspaceProfile).`);
        await vscode.commands.executeCommand(Commands.assumeRole, name);
        return;
      }
      const assume = 'Assume';
      const choice = await vscode.window.showInformationMessage(`This folder works with AWS profile "${name}".${needsMfa ? ' It needs an MFA code.' : ''}`, assume);
      if (choice === assume) await vscode.commands.executeCommand(Commands.assumeRole, name);
    } catch (e) {
      this.log.error(`Checking the workspace profile "${name}" failed`, e);
    }
  }
}
