import { errorMessage } from '../errors';
import { diagnosticsByProfile } from './diagnostics';
import { DEFAULT_DURATION_SECONDS, type Profile, type ProfileSet } from './profiles';
import { isAssumable } from './profileGroups';
import { chainNames, resolveSourceChain } from './sourceChain';

/** What the tree shows of a profile's problems: the errors if there are any, else the warnings. */
export interface ProfileVerdict {
  message: string;
  severity: 'error' | 'warning';
}

/** What the tree says about one profile: its problem, where its credentials come from, how long a session lasts. */
export interface ProfileSummary {
  problem?: ProfileVerdict;
  /** The whole chain (`deploy → dev → demo`) when it resolves; the named source profile when the chain is not looked at. */
  source?: { label: 'Source chain' | 'Source profile'; value: string };
  /** What STS is asked for, or its default when the profile does not say. */
  durationSeconds?: number;
}

/**
 * Why a profile cannot be used as it is (errors), or else what looks wrong in it (warnings).
 * Its own diagnostics first; then the chain, which adds the mistakes of the profiles it leads to.
 */
export function profileProblem(set: ProfileSet, profile: Profile): ProfileVerdict | undefined {
  const found = diagnosticsByProfile(set).get(profile.name) ?? [];
  const errors = found.filter((d) => d.severity === 'error').map((d) => d.message);
  if (!errors.length && isAssumable(profile)) {
    try {
      resolveSourceChain(set, profile.name);
    } catch (e) {
      errors.push(errorMessage(e));
    }
  }
  if (errors.length) return { message: errors.join(' '), severity: 'error' };
  const warnings = found.filter((d) => d.severity === 'warning').map((d) => d.message);
  return warnings.length ? { message: warnings.join(' '), severity: 'warning' } : undefined;
}

export function summarizeProfile(set: ProfileSet, profile: Profile): ProfileSummary {
  const problem = profileProblem(set, profile);
  let source: ProfileSummary['source'];
  if (profile.kind !== 'other' && problem?.severity !== 'error') {
    try {
      source = { label: 'Source chain', value: chainNames(resolveSourceChain(set, profile.name)).join(' → ') };
    } catch {
      // Reported as the problem.
    }
  } else if (profile.sourceProfile) source = { label: 'Source profile', value: profile.sourceProfile };
  return { problem, source, durationSeconds: profile.kind === 'role' ? (profile.durationSeconds ?? DEFAULT_DURATION_SECONDS) : undefined };
}
