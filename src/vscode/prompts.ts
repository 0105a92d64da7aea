import * as vscode from 'vscode';
import type { Profile } from '../core/config/profiles';
import { isValidMfaCode } from '../core/credentials/mfaCode';
import type { MfaCodeProvider } from '../core/session/resolveSession';
import { accountAndRole, orderForPick, type AccountNames, type PickSection } from '../core/config/profileGroups';
import type { ProfileVerdict } from '../core/config/profileSummary';
import { KIND_ICONS, KIND_LABELS } from './profileKinds';

/** The MFA prompt open now, for the test hooks (which fill it and accept it as a user would). */
let openMfaPrompt: vscode.InputBox | undefined;
export function currentMfaPrompt(): vscode.InputBox | undefined {
  return openMfaPrompt;
}

/**
 * Asks for the 6-digit code; validated as typed so STS never sees a malformed one, and an empty
 * Enter keeps the box open with a hint instead of cancelling. After STS refused a code, the box
 * opens again saying so.
 */
export const promptForMfaCode: MfaCodeProvider = ({ profile, mfaSerial, attempt, attempts, previousError }) =>
  new Promise<string | undefined>((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = `MFA code for ${profile}${attempt ? ` (try ${attempt} of ${attempts ?? attempt})` : ''}`;
    box.prompt = previousError ? `That code was refused: enter the next one from ${mfaSerial}` : `Enter the 6-digit code from ${mfaSerial}`;
    box.placeholder = '6 digits';
    box.ignoreFocusOut = true;
    if (previousError) box.validationMessage = { message: previousError, severity: vscode.InputBoxValidationSeverity.Warning };
    let answer: string | undefined;
    box.onDidChangeValue((value) => {
      box.validationMessage = isValidMfaCode(value.trim()) || value.trim() === '' ? undefined : 'An MFA code is 6 digits.';
    });
    box.onDidAccept(() => {
      const value = box.value.trim();
      if (!isValidMfaCode(value)) {
        box.validationMessage = value === '' ? `Enter the 6-digit code shown by ${mfaSerial}, or press Escape to cancel.` : 'An MFA code is 6 digits.';
        return;
      }
      answer = value;
      box.hide();
    });
    box.onDidHide(() => {
      if (openMfaPrompt === box) openMfaPrompt = undefined;
      box.dispose();
      resolve(answer);
    });
    openMfaPrompt = box;
    box.show();
  });

interface ProfilePickItem extends vscode.QuickPickItem {
  profile?: Profile;
}

/** The quick pick open now (Assume Role's, or what to do with a profile that has a problem), for the test hooks. */
let openPick: vscode.QuickPick<vscode.QuickPickItem> | undefined;
export function currentQuickPick(): vscode.QuickPick<vscode.QuickPickItem> | undefined {
  return openPick;
}

/** showQuickPick, through createQuickPick so the test hooks can see the items and pick one as a user would. */
function showPick<T extends vscode.QuickPickItem>(items: T[], options: { title: string; placeholder: string; matchOnDescription?: boolean; matchOnDetail?: boolean }): Promise<T | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<T>();
    Object.assign(pick, options);
    pick.items = items;
    let picked: T | undefined;
    pick.onDidAccept(() => {
      picked = pick.selectedItems[0] ?? pick.activeItems[0];
      pick.hide();
    });
    pick.onDidHide(() => {
      if (openPick === pick) openPick = undefined;
      pick.dispose();
      resolve(picked);
    });
    openPick = pick as unknown as vscode.QuickPick<vscode.QuickPickItem>;
    pick.show();
  });
}

const SECTION_SEPARATORS: Record<PickSection, string | undefined> = {
  pinned: 'pinned',
  recent: 'recently used',
  profiles: undefined,
  identityCenter: 'IAM Identity Center',
  otherSources: 'access keys and other sources',
};

/**
 * A quick pick of assumable profiles: recently used first, then roles, Identity Center, and
 * keys and other sources last (orderForPick); matching on profile name, account id and role name
 * (the description carries the last two). A profile with a config problem is marked as in the tree.
 */
export async function pickRoleProfile(
  profiles: readonly Profile[],
  recent: readonly string[],
  activeProfile: string | undefined,
  problemOf: (profile: Profile) => ProfileVerdict | undefined = () => undefined,
  pins: { pinned?: readonly string[]; names?: AccountNames } = {},
): Promise<Profile | undefined> {
  const items: ProfilePickItem[] = [];
  const names = pins.names ?? new Map<string, string>();
  const ordered = orderForPick(profiles, recent, pins.pinned);
  let previous: PickSection | undefined;
  for (const { profile, section } of ordered) {
    if (section !== previous) {
      // The first part needs no title unless it is the pinned or recent one; after those, "all profiles".
      const label = SECTION_SEPARATORS[section] ?? (previous === 'recent' || previous === 'pinned' ? 'all profiles' : undefined);
      if (label) items.push({ label, kind: vscode.QuickPickItemKind.Separator });
      previous = section;
    }
    const problem = problemOf(profile);
    const icon = (own: string) => (problem ? (problem.severity === 'error' ? '$(error)' : '$(warning)') : profile.name === activeProfile ? '$(pass-filled)' : `$(${own})`);
    const problemLine = problem ? `${problem.severity === 'error' ? 'config error' : 'config warning'}: ${problem.message}` : '';
    const found = profile.discovered;
    if (found) {
      items.push({
        label: `${icon('organization')} ${found.roleName}`,
        description: `${(names.get(found.accountId) ?? found.accountName) ? `${names.get(found.accountId) ?? found.accountName} (${found.accountId})` : found.accountId}`,
        detail: [problemLine, `${found.ssoSession}${profile.region ? `  ${profile.region}` : ''}`].filter(Boolean).join('  '),
        profile,
      });
      continue;
    }
    const where = accountAndRole(profile);
    items.push({
      label: `${icon(KIND_ICONS[profile.kind])} ${profile.name}`,
      description: [where ? `${where.roleName || KIND_LABELS[profile.kind]} · ${names.has(where.accountId) ? `${names.get(where.accountId)} (${where.accountId})` : where.accountId}` : KIND_LABELS[profile.kind]].join(''),
      detail: [problemLine, profile.mfaSerial ? '$(lock) MFA' : '', profile.region ?? '', profile.sourceProfile ? `from ${profile.sourceProfile}` : ''].filter(Boolean).join('  ') || undefined,
      profile,
    });
  }
  const picked = await showPick(items, {
    title: 'AWS: Assume Role',
    placeholder: 'Pick a profile (type a profile name, account id or role name)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.profile;
}

export const OPEN_CONFIG_AT_PROFILE = 'Open Config at This Profile';

/**
 * What to do with a picked profile whose config has a problem: open the config at its section,
 * or (for a warning only) assume it anyway. Undefined when dismissed.
 */
export async function pickProblemAction(profile: Profile, problem: ProfileVerdict): Promise<'openConfig' | 'assume' | undefined> {
  type Choice = vscode.QuickPickItem & { action: 'openConfig' | 'assume' };
  const choices: Choice[] = [{ label: `$(go-to-file) ${OPEN_CONFIG_AT_PROFILE}`, detail: problem.message, action: 'openConfig' }];
  if (problem.severity === 'warning') choices.push({ label: '$(arrow-right) Assume Anyway', action: 'assume' });
  const picked = await showPick(choices, {
    title: `AWS: "${profile.name}" has a config ${problem.severity}`,
    placeholder: problem.severity === 'error' ? 'This profile cannot be used until its config is fixed' : 'Fix the config, or assume the profile as it is',
  });
  return picked?.action;
}
