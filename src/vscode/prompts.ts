import * as vscode from 'vscode';
import type { Profile } from '../core/config/profiles';
import { isValidMfaCode } from '../core/credentials/mfaCode';
import type { MfaCodeProvider } from '../core/session/resolveSession';
import { accountAndRole, orderPinnedFirst, type AccountNames } from '../core/config/profileGroups';
import { KIND_ICONS, KIND_LABELS } from './profileKinds';

/** Asks for the 6-digit code; validated as typed so STS never sees a malformed one. */
export const promptForMfaCode: MfaCodeProvider = async ({ profile, mfaSerial }) =>
  vscode.window.showInputBox({
    title: `MFA code for ${profile}`,
    prompt: `Enter the 6-digit code from ${mfaSerial}`,
    placeHolder: '123456',
    ignoreFocusOut: true,
    validateInput: (value) => (isValidMfaCode(value.trim()) || value.trim() === '' ? undefined : 'An MFA code is 6 digits.'),
  });

interface ProfilePickItem extends vscode.QuickPickItem {
  profile?: Profile;
}

/**
 * A quick pick of assumable profiles, most recently used first, matching on profile
 * name, account id and role name (the description carries the last two).
 */
export async function pickRoleProfile(profiles: readonly Profile[], recent: readonly string[], activeProfile: string | undefined, pins: { pinned?: readonly string[]; names?: AccountNames } = {}): Promise<Profile | undefined> {
  // Pinned profiles come first, once (not again under recently used): see orderPinnedFirst.
  const pinnedSet = new Set(pins.pinned);
  const names = pins.names ?? new Map<string, string>();
  const recentSet = new Set(recent.filter((n) => !pinnedSet.has(n)));
  // Roles discovered through IAM Identity Center come after the profiles (unless pinned or recently used).
  const later = (p: Profile) => Number(Boolean(p.discovered) && !recentSet.has(p.name) && !pinnedSet.has(p.name));
  const ordered = orderPinnedFirst(profiles, pins.pinned ?? [], recent).sort((a, b) => later(a) - later(b));
  const items: ProfilePickItem[] = [];
  let inPinned = false;
  let inRecent = false;
  let inRest = false;
  let inDiscovered = false;
  for (const profile of ordered) {
    const isRecent = recentSet.has(profile.name);
    if (pinnedSet.has(profile.name)) {
      if (!inPinned) items.push({ label: 'pinned', kind: vscode.QuickPickItemKind.Separator });
      inPinned = true;
    } else if (isRecent && !inRecent) {
      items.push({ label: 'recently used', kind: vscode.QuickPickItemKind.Separator });
      inRecent = true;
    } else if (!isRecent && !inRest && (inRecent || inPinned)) {
      items.push({ label: 'all profiles', kind: vscode.QuickPickItemKind.Separator });
      inRest = true;
    }
    const found = profile.discovered;
    if (found && !isRecent && !pinnedSet.has(profile.name) && !inDiscovered) {
      items.push({ label: 'IAM Identity Center', kind: vscode.QuickPickItemKind.Separator });
      inDiscovered = true;
    }
    if (found) {
      items.push({
        label: `${profile.name === activeProfile ? '$(pass-filled)' : '$(organization)'} ${found.roleName}`,
        description: `${names.get(found.accountId) ?? found.accountName ? `${names.get(found.accountId) ?? found.accountName} (${found.accountId})` : found.accountId}`,
        detail: `${found.ssoSession}${profile.region ? `  ${profile.region}` : ''}`,
        profile,
      });
      continue;
    }
    const where = accountAndRole(profile);
    items.push({
      label: `${profile.name === activeProfile ? '$(pass-filled)' : `$(${KIND_ICONS[profile.kind]})`} ${profile.name}`,
      description: [where ? `${where.roleName || KIND_LABELS[profile.kind]} · ${names.has(where.accountId) ? `${names.get(where.accountId)} (${where.accountId})` : where.accountId}` : KIND_LABELS[profile.kind]].join(''),
      detail: [profile.mfaSerial ? '$(lock) MFA' : '', profile.region ?? '', profile.sourceProfile ? `from ${profile.sourceProfile}` : ''].filter(Boolean).join('  ') || undefined,
      profile,
    });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'AWS: Assume Role',
    placeHolder: 'Pick a profile (type a profile name, account id or role name)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.profile;
}

