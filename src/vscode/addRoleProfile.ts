import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { NewRoleProfile } from '../core/config/configEdits';
import { engine } from './lazyChunks';
import { errorMessage } from '../core/errors';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import { isAssumable } from '../core/config/profileGroups';
import type { Profile, ProfileSet } from '../core/config/profiles';
import { Disposable } from './disposable';
import type { Logger } from './logger';
import { KIND_ICONS, KIND_LABELS } from './profileKinds';

/** The prompts and notifications the command uses; the test hooks pass scripted ones. */
export interface AddRoleProfileUi {
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  notify(severity: 'info' | 'warning', message: string, ...actions: string[]): Thenable<string | undefined>;
  /** AWS: Assume Role for the new profile; true when it switched. */
  assume(profileName: string): Thenable<boolean | undefined>;
}

export const windowUi: AddRoleProfileUi = {
  input: (options) => vscode.window.showInputBox(options),
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  notify: (severity, message, ...actions) => (severity === 'info' ? vscode.window.showInformationMessage(message, ...actions) : vscode.window.showWarningMessage(message, ...actions)),
  assume: (profileName) => vscode.commands.executeCommand<boolean | undefined>(Commands.assumeRole, profileName),
};

const TITLE = 'AWS: Add Role Profile';
const STEPS = 6;
const ASSUME = 'Assume Now';
const RETRY = 'Retry';
const OPEN = 'Open Config';

/** What one run did: the profile added (undefined: cancelled or refused) and the notification that follows it. */
export interface AddRoleProfileRun {
  name?: string;
  /** Settles when the user has answered the "Added" notification (and any Retry after it). */
  followUp: Promise<void>;
}

type SourceItem = vscode.QuickPickItem & { profile: Profile };
type MfaItem = vscode.QuickPickItem & { serial?: string; other?: boolean };

/** AWS: Add Role Profile: asks for the role and its source, and appends a well-formed section to the config file. */
export class AddRoleProfile extends Disposable {
  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly log: Logger,
  ) {
    super();
    this._register(vscode.commands.registerCommand(Commands.addRoleProfile, (preset?: unknown) => this.run(preset)));
  }

  /** `preset` (all fields) skips the prompts, for tests and scripted setups; it is written as given (validated, nothing carried). */
  async run(preset?: unknown): Promise<string | undefined> {
    const { name, followUp } = await this.add(preset, windowUi);
    void followUp;
    return name;
  }

  async add(preset: unknown, ui: AddRoleProfileUi): Promise<AddRoleProfileRun> {
    try {
      const set = await this.catalog.get();
      const existing = new Set(set.profiles.keys());
      const profile = isPreset(preset) ? preset : await this.ask(set, existing, ui);
      if (!profile) return { followUp: Promise.resolve() };
      const file = this.catalog.paths().configPath;
      await engine().addRoleProfileToFile(file, profile, existing);
      this.log.info(`Added [profile ${profile.name}] to ${file}.`);
      await this.catalog.reload();
      return { name: profile.name, followUp: this.offerAssume(profile, file, ui) };
    } catch (e) {
      this.log.error('Adding a role profile failed', e);
      void vscode.window.showErrorMessage(`Could not add the role profile: ${errorMessage(e)}`);
      return { followUp: Promise.resolve() };
    }
  }

  /** Assume Now, and after a failure Retry (the reason is in the error Assume Role showed) until it works or the user moves on. */
  private async offerAssume(profile: NewRoleProfile, file: string, ui: AddRoleProfileUi): Promise<void> {
    const carried = [profile.services && `services = ${profile.services}`, profile.endpointUrl && `endpoint_url = ${profile.endpointUrl}`].filter(Boolean).join(', ');
    let choice = await ui.notify('info', `Added profile "${profile.name}" to ${file}.${carried ? ` STS goes where "${profile.sourceProfile}" sends it (${carried}).` : ''}`, ASSUME, OPEN);
    while (choice === ASSUME || choice === RETRY) {
      if (await ui.assume(profile.name)) return;
      choice = await ui.notify('warning', `Profile "${profile.name}" was added, but assuming it failed. Fix what the error says (the role's trust policy, the ARN), then retry.`, RETRY, OPEN);
    }
    if (choice === OPEN) await vscode.commands.executeCommand(Commands.openConfig);
  }

  private async ask(set: ProfileSet, existing: ReadonlySet<string>, ui: AddRoleProfileUi): Promise<NewRoleProfile | undefined> {
    const title = (step: number) => `${TITLE} (${step}/${STEPS})`;
    const roleArn = (await ui.input({ title: title(1), prompt: 'Role ARN', placeHolder: 'arn:aws:iam::123456789012:role/Admin', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? engine().validateRoleArn(v.trim()) : undefined) }))?.trim();
    if (!roleArn) return undefined;
    const suggested = /role\/(?:.*\/)?([^/]+)$/.exec(roleArn)?.[1]?.toLowerCase() ?? '';
    const name = (await ui.input({ title: title(2), prompt: 'Profile name', value: suggested, ignoreFocusOut: true, validateInput: (v) => engine().validateProfileName(v.trim(), existing) }))?.trim();
    if (!name) return undefined;

    // Roles only IAM Identity Center lists are not in the file: the CLI could not resolve them as a source.
    const sources: SourceItem[] = [...set.profiles.values()]
      .filter((p) => isAssumable(p) && !p.discovered)
      .map((p) => ({ label: p.name, description: [KIND_LABELS[p.kind], p.region].filter(Boolean).join(' · '), iconPath: new vscode.ThemeIcon(KIND_ICONS[p.kind]), profile: p }));
    const source = (await ui.pick(sources, { title: title(3), placeHolder: 'Source profile: where the credentials to assume the role come from', matchOnDescription: true, ignoreFocusOut: true }))?.profile;
    if (!source) return undefined;

    const region = await ui.input({
      title: title(4),
      prompt: source.region ? `Region (the source profile's is ${source.region}; empty: none)` : 'Region (optional; empty: none, the AWS CLI then uses us-east-1)',
      value: source.region ?? '',
      placeHolder: 'eu-west-1',
      ignoreFocusOut: true,
      validateInput: (v) => engine().validateRegion(v.trim()),
    });
    if (region === undefined) return undefined;

    const mfaSerial = await this.askMfa(set, source.name, title(5), ui);
    if (mfaSerial === undefined) return undefined;
    const roleSessionName = await ui.input({ title: title(6), prompt: 'Session name (optional; empty: your user name plus -vscode)', ignoreFocusOut: true, validateInput: (v) => engine().validateSessionName(v.trim()) });
    if (roleSessionName === undefined) return undefined;
    return {
      name,
      roleArn,
      sourceProfile: source.name,
      mfaSerial: mfaSerial || undefined,
      roleSessionName: roleSessionName.trim() || undefined,
      region: region.trim() || undefined,
      ...engine().sourceEndpointSettings(source),
    };
  }

  /** The MFA device: one already in the file, none, or another typed in. '' for none, undefined when cancelled. */
  private async askMfa(set: ProfileSet, source: string, title: string, ui: AddRoleProfileUi): Promise<string | undefined> {
    const typeIn = async () => (await ui.input({ title, prompt: 'MFA device ARN (optional; leave empty for none)', placeHolder: 'arn:aws:iam::111111111111:mfa/me', ignoreFocusOut: true, validateInput: (v) => engine().validateMfaSerial(v.trim()) }))?.trim();
    const inUse = engine().mfaSerialsInUse(set, source);
    if (inUse.length === 0) return typeIn();
    const none: MfaItem = { label: 'No MFA', description: 'the role does not ask for an MFA code', serial: '' };
    const devices: MfaItem[] = inUse.map((d) => ({ label: d.serial, description: `used by ${d.usedBy.join(', ')}`, serial: d.serial }));
    const other: MfaItem = { label: 'Enter another MFA device…', other: true, alwaysShow: true };
    // A device used with the same source is most likely this user's: first. Otherwise no MFA comes first.
    const items = inUse[0].sameSource ? [...devices, none, other] : [none, ...devices, other];
    const picked = await ui.pick(items, { title, placeHolder: 'MFA device: one already in your config, none, or another', ignoreFocusOut: true });
    if (!picked) return undefined;
    return picked.other ? typeIn() : picked.serial;
  }
}

function isPreset(v: unknown): v is NewRoleProfile {
  const p = v as Partial<NewRoleProfile> | undefined;
  return Boolean(p && typeof p === 'object' && typeof p.name === 'string' && typeof p.roleArn === 'string' && typeof p.sourceProfile === 'string');
}
