import type { AwsFiles, IniSections } from './sharedFiles';

/** What a profile resolves credentials from, in the order the AWS CLI tries them. */
export type ProfileKind = 'role' | 'webIdentity' | 'static' | 'sso' | 'login' | 'process' | 'other';

export interface RoleArn {
  arn: string;
  partition: string;
  accountId: string;
  /** The last path segment: what the IAM console calls the role name. */
  roleName: string;
}

export interface Profile {
  readonly name: string;
  readonly kind: ProfileKind;
  /** Keys from both files; the credentials file wins key by key, as in the AWS CLI. */
  readonly settings: Readonly<Record<string, string>>;
  readonly definedIn: readonly ('config' | 'credentials')[];
  readonly role?: RoleArn;
  readonly region?: string;
  readonly sourceProfile?: string;
  readonly credentialSource?: string;
  readonly mfaSerial?: string;
  readonly externalId?: string;
  readonly roleSessionName?: string;
  readonly durationSeconds?: number;
  /** Mistakes in this profile's own keys, found while reading it; chain problems are found when resolving. */
  readonly problems: readonly ProfileProblem[];
  /** Set only on a role listed by IAM Identity Center that no config profile names (config/discoveredRoles.ts). */
  readonly discovered?: DiscoveredOrigin;
}

/** Where a discovered profile came from: the sso-session it was listed with, the account and the role. */
export interface DiscoveredOrigin {
  readonly ssoSession: string;
  readonly startUrl: string;
  readonly accountId: string;
  readonly accountName?: string;
  readonly roleName: string;
}

/**
 * A mistake in one key of a profile. The one model of a profile's own problems: the tree shows
 * the message, and config diagnostics place it at the key (or its value) in the file.
 */
export interface ProfileProblem {
  readonly key: string;
  /** Stable id of the rule, shown as the diagnostic's code. */
  readonly code: 'invalidRoleArn' | 'invalidDuration' | 'durationOutOfRange' | 'incompleteKeys' | 'parameterTooShort';
  readonly message: string;
  /** Whether the problem is the key itself (a half key pair) or its value. */
  readonly on: 'key' | 'value';
}

export interface ProfileSet {
  readonly profiles: ReadonlyMap<string, Profile>;
  readonly files: AwsFiles;
  /** `[services name]` sections, keyed by name, for endpoint overrides. */
  readonly services: Readonly<Record<string, Record<string, string | undefined>>>;
}

// IAM role ARNs: arn:PARTITION:iam::ACCOUNT:role/optional/path/NAME
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;

export function parseRoleArn(arn: string): RoleArn | undefined {
  const match = ROLE_ARN.exec(arn.trim());
  if (!match) return undefined;
  return { arn: arn.trim(), partition: match[1], accountId: match[2], roleName: match[3] };
}

export function hasStaticKeys(settings: Readonly<Record<string, string>>): boolean {
  return Boolean(settings.aws_access_key_id && settings.aws_secret_access_key);
}

/** STS accepts 900 s up to the role's maximum (at most 12 hours); the federation endpoint the same range for console sessions. */
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;
export const DEFAULT_DURATION_SECONDS = 3600;
// Role chaining limits the session to one hour whatever the role allows; so does console federation from chained credentials.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
export const CHAINED_MAX_SECONDS = 3600;

/**
 * The AssumeRole parameters botocore's parameter validation refuses before any call when they are
 * shorter than the API's minimum (it checks minimum lengths, not patterns or maximums).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export const PARAMETER_MIN_LENGTHS: readonly { key: string; parameter: string; min: number }[] = [
  { key: 'role_session_name', parameter: 'RoleSessionName', min: 2 },
  { key: 'external_id', parameter: 'ExternalId', min: 2 },
  { key: 'mfa_serial', parameter: 'SerialNumber', min: 9 },
];

/** Whether STS accepts this DurationSeconds at all (the role's own maximum is STS's to check). */
export function isAcceptedDuration(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= MIN_DURATION_SECONDS && seconds <= MAX_DURATION_SECONDS;
}

function classify(settings: Record<string, string>): ProfileKind {
  // As botocore: a profile with web_identity_token_file is a web identity profile, whatever else it has.
  if (settings.role_arn) return settings.web_identity_token_file ? 'webIdentity' : 'role';
  if (hasStaticKeys(settings)) return 'static';
  if (settings.sso_session || settings.sso_start_url) return 'sso';
  // `aws login` (AWS CLI 2.32+); botocore tries it after keys in the credentials file, before credential_process.
  if (settings.login_session) return 'login';
  if (settings.credential_process) return 'process';
  return 'other';
}

function stringValues(section: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(section ?? {})) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function buildProfile(name: string, fromConfig: Record<string, string> | undefined, fromCredentials: Record<string, string> | undefined): Profile {
  const settings = { ...stringValues(fromConfig), ...stringValues(fromCredentials) };
  const definedIn: ('config' | 'credentials')[] = [];
  if (fromConfig) definedIn.push('config');
  if (fromCredentials) definedIn.push('credentials');
  const problems: ProfileProblem[] = [];
  const problem = (key: string, code: ProfileProblem['code'], message: string, on: ProfileProblem['on'] = 'value') => problems.push({ key, code, message: `Profile "${name}": ${message}`, on });

  let role: RoleArn | undefined;
  if (settings.role_arn) role = parseRoleArn(settings.role_arn);
  if (settings.role_arn !== undefined && !role) problem('role_arn', 'invalidRoleArn', `role_arn "${settings.role_arn}" is not an IAM role ARN. Use arn:aws:iam::123456789012:role/RoleName.`);

  let durationSeconds: number | undefined;
  if (settings.duration_seconds !== undefined) {
    const parsed = Number(settings.duration_seconds);
    if (!Number.isInteger(parsed)) {
      problem('duration_seconds', 'invalidDuration', `duration_seconds "${settings.duration_seconds}" is not a whole number of seconds (${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}).`);
    } else if (!isAcceptedDuration(parsed)) {
      problem('duration_seconds', 'durationOutOfRange', `duration_seconds ${parsed} is outside ${MIN_DURATION_SECONDS}..${MAX_DURATION_SECONDS}, the range STS accepts.`);
      durationSeconds = parsed;
    } else {
      durationSeconds = parsed;
    }
  }
  if (settings.role_arn !== undefined) {
    for (const { key, parameter, min } of PARAMETER_MIN_LENGTHS) {
      const value = settings[key];
      if (value !== undefined && value.length < min) problem(key, 'parameterTooShort', `${key} is ${value.length} character${value.length === 1 ? '' : 's'} long; the AWS CLI refuses a ${parameter} shorter than ${min} before calling STS. Set at least ${min} characters, or remove the key.`, value ? 'value' : 'key');
    }
  }
  if (settings.aws_access_key_id && !settings.aws_secret_access_key) problem('aws_access_key_id', 'incompleteKeys', 'aws_access_key_id is set but aws_secret_access_key is missing. Add the secret key, or remove the access key id.', 'key');
  if (settings.aws_secret_access_key && !settings.aws_access_key_id) problem('aws_secret_access_key', 'incompleteKeys', 'aws_secret_access_key is set but aws_access_key_id is missing. Add the access key id.', 'key');

  return {
    name,
    kind: classify(settings),
    settings,
    definedIn,
    role,
    region: settings.region || undefined,
    sourceProfile: settings.source_profile || undefined,
    credentialSource: settings.credential_source || undefined,
    mfaSerial: settings.mfa_serial || undefined,
    // Set but empty is still set: the AWS CLI sends it (and refuses it, see PARAMETER_MIN_LENGTHS).
    externalId: settings.external_id,
    roleSessionName: settings.role_session_name,
    durationSeconds,
    problems,
  };
}

const SECTION_PREFIX = /^(sso-session|services)\./;

/** Joins both files into one profile per name, as `aws configure list-profiles` sees them. */
export function buildProfileSet(files: AwsFiles): ProfileSet {
  const config: IniSections = files.configSections;
  const credentials: IniSections = files.credentialsSections;
  const names = new Set<string>();
  const services: Record<string, Record<string, string | undefined>> = {};
  for (const key of Object.keys(config)) {
    if (key.startsWith('services.')) services[key.slice('services.'.length)] = config[key];
    else if (!SECTION_PREFIX.test(key)) names.add(key);
  }
  for (const key of Object.keys(credentials)) names.add(key);

  const profiles = new Map<string, Profile>();
  for (const name of [...names].sort((a, b) => a.localeCompare(b))) {
    const fromConfig = Object.prototype.hasOwnProperty.call(config, name) ? stringValues(config[name]) : undefined;
    const fromCredentials = Object.prototype.hasOwnProperty.call(credentials, name) ? stringValues(credentials[name]) : undefined;
    profiles.set(name, buildProfile(name, fromConfig, fromCredentials));
  }
  return { profiles, files, services };
}

export function roleProfiles(set: ProfileSet): Profile[] {
  return [...set.profiles.values()].filter((p) => p.kind === 'role');
}
