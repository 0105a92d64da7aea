import type { AwsFiles } from './sharedFiles';
import type { IniIndex, IniKeyLine, IniProblem, IniRange, IniSectionLine } from './iniDocument';
import { CHAINED_MAX_SECONDS, hasStaticKeys, MAX_DURATION_SECONDS, MIN_DURATION_SECONDS, type Profile, type ProfileSet } from './profiles';
import { CREDENTIAL_SOURCES, isCredentialSourceName, resolveSourceChain, rootIsRoleSession } from './sourceChain';
import { RoleSwitchError } from '../errors';

export type ConfigFileKind = 'config' | 'credentials';
export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/**
 * A change to one of the two files: a text replacement (an empty range with text inserts,
 * empty text deletes), or a whole line removed with its line break.
 */
export type ConfigEdit = { kind: 'replace'; range: IniRange; newText: string } | { kind: 'deleteLine'; line: number };

export interface ConfigFix {
  title: string;
  edits: ConfigEdit[];
}

/** One problem at a place in a file, in the user's words, with the obvious fixes when there are any. */
export interface ConfigDiagnostic {
  file: ConfigFileKind;
  range: IniRange;
  severity: DiagnosticSeverity;
  /** Stable id of the rule, shown as the diagnostic's code. */
  code: string;
  message: string;
  profile?: string;
  fixes: ConfigFix[];
}

/** What `aws --version` said about the AWS CLI on PATH (credentials/cliSignIn.ts asks it), for the login_session rule. */
export interface AwsCliFacts {
  /** Its full path; undefined when there is no `aws` on PATH. */
  executable?: string;
  /** a.b.c, when its output could be read. */
  version?: string;
  supportsLogin: boolean;
  loginMinVersion: string;
}

/** Facts from outside the two files that some rules use; a rule whose fact is unknown stays silent. */
export interface DiagnoseContext {
  awsCli?: AwsCliFacts;
}

/** The partition a region belongs to, from the region's prefix (the SDK's partitions.json rules). */
export function partitionOfRegion(region: string): string {
  if (/^cn-/.test(region)) return 'aws-cn';
  if (/^us-gov-/.test(region)) return 'aws-us-gov';
  if (/^us-isob-/.test(region)) return 'aws-iso-b';
  if (/^us-iso-/.test(region)) return 'aws-iso';
  if (/^eu-isoe-/.test(region)) return 'aws-iso-e';
  if (/^us-isof-/.test(region)) return 'aws-iso-f';
  return 'aws';
}

/** Where one profile's keys are written: the credentials file wins key by key, as in the CLI. */
class ProfileLocator {
  constructor(private readonly files: AwsFiles) {}

  private sections(name: string): { file: ConfigFileKind; section: IniSectionLine }[] {
    const out: { file: ConfigFileKind; section: IniSectionLine }[] = [];
    const add = (file: ConfigFileKind, index: IniIndex) => {
      for (const section of index.sections) if (section.name === name) out.push({ file, section });
    };
    add('credentials', this.files.credentialsIndex);
    add('config', this.files.configIndex);
    return out;
  }

  key(profile: string, key: string): { file: ConfigFileKind; line: IniKeyLine } | undefined {
    for (const { file, section } of this.sections(profile)) {
      const line = [...section.keys].reverse().find((k) => k.key === key && !k.parent);
      if (line) return { file, line };
    }
    return undefined;
  }

  header(profile: string): { file: ConfigFileKind; range: IniRange } | undefined {
    const found = this.sections(profile).at(-1);
    return found && { file: found.file, range: found.section.range };
  }
}

function closest(value: string, options: readonly string[]): string | undefined {
  const lower = value.trim().toLowerCase();
  return options.find((o) => o.toLowerCase() === lower) ?? options.find((o) => o.toLowerCase().startsWith(lower.slice(0, 3)));
}

function fromIniProblem(file: ConfigFileKind, problem: IniProblem): ConfigDiagnostic {
  return { file, range: problem.range, severity: problem.severity, code: problem.code, message: problem.message, fixes: [] };
}

/**
 * Everything we can tell about the config before STS is called: the file-level problems
 * the reader found (duplicates, BOM, keys the CLI reads differently) and the profile rules
 * the AWS CLI enforces when it resolves a profile, placed at the line that causes them.
 */
export function diagnoseConfig(set: ProfileSet, context: DiagnoseContext = {}): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const files = set.files;
  for (const p of files.configIndex.problems) out.push(fromIniProblem('config', p));
  for (const p of files.credentialsIndex.problems) out.push(fromIniProblem('credentials', p));

  const locate = new ProfileLocator(files);
  for (const profile of set.profiles.values()) out.push(...diagnoseProfile(set, profile, locate, context));
  return out;
}

function diagnoseProfile(set: ProfileSet, profile: Profile, locate: ProfileLocator, context: DiagnoseContext = {}): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const name = profile.name;
  const at = (key: string, severity: DiagnosticSeverity, code: string, message: string, fixes: ConfigFix[] = [], on: 'key' | 'value' = 'value') => {
    const found = locate.key(name, key);
    const header = locate.header(name);
    if (found) out.push({ file: found.file, range: on === 'key' ? found.line.keyRange : found.line.valueRange, severity, code, message, profile: name, fixes });
    else if (header) out.push({ file: header.file, range: header.range, severity, code, message, profile: name, fixes });
  };
  const replaceValue = (key: string, title: string, newText: string): ConfigFix[] => {
    const found = locate.key(name, key);
    return found ? [{ title, edits: [{ kind: 'replace', range: found.line.valueRange, newText }] }] : [];
  };
  const removeKey = (key: string): ConfigFix[] => {
    const found = locate.key(name, key);
    return found ? [{ title: `Remove ${key} from profile "${name}"`, edits: [{ kind: 'deleteLine', line: found.line.line }] }] : [];
  };

  // The profile's own key mistakes, found once while reading it; the obvious fix where there is one.
  for (const p of profile.problems) {
    const clamped = p.code === 'durationOutOfRange' ? String(Math.min(MAX_DURATION_SECONDS, Math.max(MIN_DURATION_SECONDS, Number(profile.settings[p.key])))) : undefined;
    at(p.key, 'error', p.code, p.message, clamped ? replaceValue(p.key, `Set ${p.key} to ${clamped}`, clamped) : [], p.on);
  }

  const s = profile.settings;
  if (s.credential_source !== undefined && !isCredentialSourceName(s.credential_source)) {
    const suggestion = closest(s.credential_source, CREDENTIAL_SOURCES);
    at(
      'credential_source',
      'error',
      'unknownCredentialSource',
      `Profile "${name}": credential_source "${s.credential_source}" is not one the AWS CLI knows. Use ${CREDENTIAL_SOURCES.join(', ')}.`,
      suggestion ? replaceValue('credential_source', `Change credential_source to ${suggestion}`, suggestion) : [],
    );
  }
  if (s.source_profile !== undefined && s.credential_source !== undefined && s.role_arn !== undefined) {
    const message = `Profile "${name}" has both source_profile and credential_source; the AWS CLI refuses this. Keep one of them.`;
    at('credential_source', 'error', 'conflictingSource', message, [...removeKey('credential_source'), ...removeKey('source_profile')], 'key');
    at('source_profile', 'error', 'conflictingSource', message, [], 'key');
  }

  if (s.sso_session && !Object.prototype.hasOwnProperty.call(set.files.configSections, `sso-session.${s.sso_session}`)) {
    at('sso_session', 'error', 'missingSsoSession', `Profile "${name}" names sso_session "${s.sso_session}", but there is no [sso-session ${s.sso_session}] section. Add it (aws configure sso-session) or fix the name.`);
  }

  // The extension refreshes an aws login on its own, but only the AWS CLI can sign in again.
  const cli = context.awsCli;
  if (s.login_session && cli && !cli.supportsLogin) {
    const found = cli.executable ? `The AWS CLI on PATH (${cli.executable}) is ${cli.version ? `version ${cli.version}` : 'of an unknown version'}: it` : 'There is no AWS CLI on PATH, which';
    at(
      'login_session',
      'warning',
      'awsCliTooOldForLogin',
      `Profile "${name}" uses login_session: credentials from "aws login" (AWS CLI ${cli.loginMinVersion} or later). ${found} cannot sign in again when the cached login runs out, nor use this profile with --profile. Install AWS CLI v2 ${cli.loginMinVersion} or later.`,
    );
  }

  // Chain rules: missing source, cycles, and the chained-role duration cap.
  if (profile.role && (profile.sourceProfile || profile.credentialSource)) {
    try {
      const chain = resolveSourceChain(set, name);
      const chained = chain.hops.length > 1 || rootIsRoleSession(chain.root);
      const seconds = profile.durationSeconds;
      if (chained && seconds !== undefined && seconds > CHAINED_MAX_SECONDS && seconds <= MAX_DURATION_SECONDS) {
        at(
          'duration_seconds',
          'error',
          'chainedDuration',
          `Profile "${name}" assumes its role from another role (role chaining), which STS limits to ${CHAINED_MAX_SECONDS} seconds; duration_seconds ${seconds} will be refused.`,
          replaceValue('duration_seconds', `Set duration_seconds to ${CHAINED_MAX_SECONDS}`, String(CHAINED_MAX_SECONDS)),
        );
      }
    } catch (e) {
      if (e instanceof RoleSwitchError && (e.code === 'MissingSourceProfile' || e.code === 'SourceProfileCycle')) {
        // Reported on the profiles whose own link is broken, not on every profile that leads there.
        const own = e.code === 'MissingSourceProfile' ? !set.profiles.has(profile.sourceProfile ?? '') : isInCycle(set, profile);
        if (own && e.code === 'MissingSourceProfile') {
          const fixes = sourceProfileCandidates(set, profile).flatMap((candidate) => replaceValue('source_profile', `Use "${candidate}" as source_profile`, candidate));
          at('source_profile', 'error', 'missingSourceProfile', e.message, fixes);
        } else if (own) at('source_profile', 'error', 'sourceProfileCycle', e.message);
      }
    }
  }

  // A role ARN in one partition cannot be assumed through another partition's regional STS.
  if (profile.role && profile.region) {
    const regionPartition = partitionOfRegion(profile.region);
    if (regionPartition !== profile.role.partition) {
      at('region', 'warning', 'partitionMismatch', `Profile "${name}": region ${profile.region} is in partition ${regionPartition}, but role_arn is in ${profile.role.partition}. STS in ${profile.region} cannot assume this role; use a region of ${profile.role.partition}.`);
    }
  }
  return out;
}

/** How many profiles the quick fix of a missing source_profile offers: the closest names first. */
export const SOURCE_PROFILE_FIX_LIMIT = 10;

/**
 * The profiles a broken source_profile could name instead: written in the files (a role only
 * Identity Center lists is not a profile to the CLI), not the profile itself, and not one whose
 * own chain leads back to it (that would be a cycle). Closest to the name written first.
 */
export function sourceProfileCandidates(set: ProfileSet, profile: Profile): string[] {
  const written = (profile.sourceProfile ?? '').toLowerCase();
  const leadsBack = (start: Profile): boolean => {
    const seen = new Set<string>();
    for (let p: Profile | undefined = start; p?.sourceProfile && !seen.has(p.name); p = set.profiles.get(p.sourceProfile)) {
      if (p.sourceProfile === profile.name) return true;
      seen.add(p.name);
    }
    return false;
  };
  return [...set.profiles.values()]
    .filter((p) => !p.discovered && p.name !== profile.name && !leadsBack(p))
    .map((p) => ({ name: p.name, distance: editDistance(written, p.name.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, SOURCE_PROFILE_FIX_LIMIT)
    .map((c) => c.name);
}

/** Levenshtein distance, for ordering suggestions by how close they are to a typo. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** Whether following source_profile links from `start` comes back to it (the CLI's later-hop rule: static keys end the walk). */
function isInCycle(set: ProfileSet, start: Profile): boolean {
  const seen = new Set<string>();
  let current: Profile | undefined = start;
  while (current?.sourceProfile && current.role) {
    if (current !== start && hasStaticKeys(current.settings)) return false;
    if (current.sourceProfile === current.name) return current === start ? !hasStaticKeys(current.settings) : false;
    if (current.sourceProfile === start.name) return true;
    if (seen.has(current.name)) return false;
    seen.add(current.name);
    current = set.profiles.get(current.sourceProfile);
  }
  return false;
}

/**
 * Where a profile's section header is: the config file's when it has one (where role settings
 * live), else the credentials file's; the last one when a name is written twice. For "Open
 * Config at This Profile".
 */
export function profileHeader(set: ProfileSet, profileName: string): { file: ConfigFileKind; path: string; line: number } | undefined {
  const found = new ProfileLocator(set.files).header(profileName);
  return found && { file: found.file, path: found.file === 'config' ? set.files.paths.configPath : set.files.paths.credentialsPath, line: found.range.line };
}

const byProfileCache = new WeakMap<ProfileSet, Map<string, ConfigDiagnostic[]>>();

/** The diagnostics of each profile, computed once per loaded set (the tree asks for every row). */
export function diagnosticsByProfile(set: ProfileSet): ReadonlyMap<string, ConfigDiagnostic[]> {
  let map = byProfileCache.get(set);
  if (!map) {
    map = new Map();
    const locate = new ProfileLocator(set.files);
    for (const profile of set.profiles.values()) {
      const found = diagnoseProfile(set, profile, locate);
      if (found.length) map.set(profile.name, found);
    }
    byProfileCache.set(set, map);
  }
  return map;
}
