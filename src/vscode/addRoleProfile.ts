import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { NewRoleProfile } from '../core/config/configEdits';
import { engine } from './lazyChunks';
import { errorMessage } from '../core/errors';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import { isAssumable } from '../core/config/profileGroups';
import { Disposable } from './disposable';
import type { Logger } from './logger';

/** AWS: Add Role Profile: asks for the role and its source, and appends a well-formed section to the config file. */
export class AddRoleProfile extends Disposable {
  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.addRoleProfile, (preset?: unknown) => this.run(preset)));
  }

  /** `preset` (all fields) skips the prompts, for tests and scripted setups. */
  async run(preset?: unknown): Promise<string | undefined> {
    try {
      const set = await this.catalog.get();
      const existing = new Set(set.profiles.keys());
      const profile = isPreset(preset) ? preset : await this.ask(existing, [...set.profiles.values()].filter(isAssumable).map((p) => p.name));
      if (!profile) return undefined;
      const file = this.catalog.paths().configPath;
      await engine().addRoleProfileToFile(file, profile, existing);
      this.log.info(`Added [profile ${profile.name}] to ${file}.`);
      await this.catalog.reload();
      const assume = 'Assume Now';
      const open = 'Open Config';
      void Promise.resolve(vscode.window.showInformationMessage(`Added profile "${profile.name}" to ${file}.`, assume, open)).then(async (choice) => {
        if (choice === assume) await vscode.commands.executeCommand(Commands.assumeRole, profile.name);
        if (choice === open) await vscode.commands.executeCommand(Commands.openConfig);
      });
      return profile.name;
    } catch (e) {
      this.log.error('Adding a role profile failed', e);
      void vscode.window.showErrorMessage(`Could not add the role profile: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private async ask(existing: ReadonlySet<string>, sources: string[]): Promise<NewRoleProfile | undefined> {
    const title = 'AWS: Add Role Profile';
    const roleArn = await vscode.window.showInputBox({ title, prompt: 'Role ARN', placeHolder: 'arn:aws:iam::123456789012:role/Admin', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? engine().validateRoleArn(v.trim()) : undefined) });
    if (!roleArn?.trim()) return undefined;
    const suggested = /role\/(?:.*\/)?([^/]+)$/.exec(roleArn.trim())?.[1]?.toLowerCase() ?? '';
    const name = await vscode.window.showInputBox({ title, prompt: 'Profile name', value: suggested, ignoreFocusOut: true, validateInput: (v) => engine().validateProfileName(v.trim(), existing) });
    if (!name?.trim()) return undefined;
    const source = await vscode.window.showQuickPick(sources, { title, placeHolder: 'Source profile: where the credentials to assume the role come from' });
    if (!source) return undefined;
    const mfaSerial = await vscode.window.showInputBox({ title, prompt: 'MFA device ARN (optional; leave empty for none)', placeHolder: 'arn:aws:iam::111111111111:mfa/me', ignoreFocusOut: true, validateInput: (v) => engine().validateMfaSerial(v.trim()) });
    if (mfaSerial === undefined) return undefined;
    const roleSessionName = await vscode.window.showInputBox({ title, prompt: 'Session name (optional; empty: your user name plus -vscode)', ignoreFocusOut: true, validateInput: (v) => engine().validateSessionName(v.trim()) });
    if (roleSessionName === undefined) return undefined;
    return { name: name.trim(), roleArn: roleArn.trim(), sourceProfile: source, mfaSerial: mfaSerial.trim() || undefined, roleSessionName: roleSessionName.trim() || undefined };
  }
}

function isPreset(v: unknown): v is NewRoleProfile {
  const p = v as Partial<NewRoleProfile> | undefined;
  return Boolean(p && typeof p === 'object' && typeof p.name === 'string' && typeof p.roleArn === 'string' && typeof p.sourceProfile === 'string');
}
