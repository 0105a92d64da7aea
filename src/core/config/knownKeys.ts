import { CREDENTIAL_SOURCES, type CredentialSourceName } from './sourceChain';

/** The kind of section a key belongs in: a profile (both files), `[sso-session NAME]` or `[services NAME]` (config only). */
export type KeySection = 'profile' | 'sso-session' | 'services';

/** Which of the two files a profile key is read from: as the README's "Supported profile keys" table says. */
export type KeyFiles = 'config' | 'credentials' | 'both';

export interface KnownValue {
  value: string;
  doc: string;
}

export interface KnownKey {
  key: string;
  section: KeySection;
  files: KeyFiles;
  /** One line, shown next to the key in the completion list. */
  summary: string;
  /** What it does, in the README's words (Markdown). */
  doc: string;
  /** Whether this extension reads it too (false: only the AWS CLI and SDKs do). */
  usedByExtension: boolean;
  /** The values a reader accepts, when there is a fixed list. */
  values?: readonly KnownValue[];
}

const CREDENTIAL_SOURCE_DOCS: Record<CredentialSourceName, string> = {
  Environment: 'The keys in the environment VS Code (or the CLI) was started with: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.',
  Ec2InstanceMetadata: "The EC2 instance's role, from the instance metadata service (IMDSv2; `AWS_EC2_METADATA_SERVICE_ENDPOINT` points it elsewhere).",
  EcsContainer: "The ECS task's role, from `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `_TOKEN_FILE`).",
};

const BOOLEAN_VALUES: readonly KnownValue[] = [
  { value: 'true', doc: 'On.' },
  { value: 'false', doc: 'Off.' },
];

// The wording follows the README's "Supported profile keys" table; keys the AWS CLI reads that
// this extension does not are listed too, so completion does not make them look unknown.
// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html#cli-configure-files-settings
export const KNOWN_KEYS: readonly KnownKey[] = [
  {
    key: 'role_arn',
    section: 'profile',
    files: 'config',
    summary: 'The role to assume',
    doc: 'The role to assume: an IAM role ARN, `arn:PARTITION:iam::ACCOUNT:role/[path/]NAME`. Needs `source_profile` or `credential_source` (or `web_identity_token_file`).',
    usedByExtension: true,
  },
  {
    key: 'source_profile',
    section: 'profile',
    files: 'config',
    summary: 'The profile whose credentials assume the role',
    doc: 'Where the credentials for the AssumeRole call come from: another profile (keys, another role, IAM Identity Center, a process, web identity). The profile named is assumed even if it also has keys; a profile may name itself only if it has keys. Not together with `credential_source`.',
    usedByExtension: true,
  },
  {
    key: 'credential_source',
    section: 'profile',
    files: 'config',
    summary: 'Where the credentials to assume the role come from, outside the files',
    doc: '`Environment`, `Ec2InstanceMetadata` or `EcsContainer`: credentials from outside the files assume the role. Case-sensitive, as in the AWS CLI; not together with `source_profile`.',
    usedByExtension: true,
    values: CREDENTIAL_SOURCES.map((value) => ({ value, doc: CREDENTIAL_SOURCE_DOCS[value] })),
  },
  {
    key: 'role_session_name',
    section: 'profile',
    files: 'config',
    summary: 'RoleSessionName of the AssumeRole call',
    doc: "Sent as `RoleSessionName` (2 to 64 characters of letters, digits and `+=,.@-_`); it shows in CloudTrail. Without it, the `awsRoles.sessionName` setting or `<os user>-vscode` is used.",
    usedByExtension: true,
  },
  {
    key: 'external_id',
    section: 'profile',
    files: 'config',
    summary: 'ExternalId of the AssumeRole call',
    doc: "Sent as `ExternalId`, when the role's trust policy asks for one (a third party's role).",
    usedByExtension: true,
  },
  {
    key: 'duration_seconds',
    section: 'profile',
    files: 'config',
    summary: 'How long the role session lasts (900 to 43200)',
    doc: "`DurationSeconds`, sent only when set (STS then defaults to one hour). 900 to 43200, up to the role's maximum; at most 3600 for a role assumed from another role (role chaining).",
    usedByExtension: true,
  },
  {
    key: 'mfa_serial',
    section: 'profile',
    files: 'config',
    summary: 'The MFA device; you are asked for a code',
    doc: 'The MFA device (`arn:aws:iam::ACCOUNT:mfa/NAME`, or a hardware serial number), sent as `SerialNumber` with a code you are prompted for. It applies only to the profile that sets it, not to profiles that use this one as their source.',
    usedByExtension: true,
  },
  {
    key: 'region',
    section: 'profile',
    files: 'both',
    summary: 'The region (also for STS)',
    doc: 'The region of the profile and of its STS calls; also `AWS_REGION` / `AWS_DEFAULT_REGION` in terminals. `AWS_REGION` / `AWS_DEFAULT_REGION` in the environment win over it; without any, `us-east-1`.',
    usedByExtension: true,
  },
  {
    key: 'output',
    section: 'profile',
    files: 'config',
    summary: "The AWS CLI's output format",
    doc: 'How the AWS CLI prints results.',
    usedByExtension: false,
    values: [
      { value: 'json', doc: 'JSON (the default).' },
      { value: 'yaml', doc: 'YAML (AWS CLI v2).' },
      { value: 'yaml-stream', doc: 'YAML, streamed page by page (AWS CLI v2).' },
      { value: 'text', doc: 'Tab-separated lines.' },
      { value: 'table', doc: 'A table for people to read.' },
    ],
  },
  {
    key: 'aws_access_key_id',
    section: 'profile',
    files: 'both',
    summary: 'Access key id of long-term (or session) keys',
    doc: 'Static credentials, with `aws_secret_access_key` (and `aws_session_token` for temporary keys). Keep them in the credentials file. A half pair is flagged.',
    usedByExtension: true,
  },
  {
    key: 'aws_secret_access_key',
    section: 'profile',
    files: 'both',
    summary: 'Secret access key (keep it in the credentials file)',
    doc: 'The secret of `aws_access_key_id`. Keep it in the credentials file (mode 600).',
    usedByExtension: true,
  },
  {
    key: 'aws_session_token',
    section: 'profile',
    files: 'both',
    summary: 'Session token of temporary keys',
    doc: 'The session token that goes with temporary keys (`ASIA…`).',
    usedByExtension: true,
  },
  {
    key: 'credential_process',
    section: 'profile',
    files: 'both',
    summary: 'A command that prints credentials as JSON',
    doc: 'A command whose output is JSON with `Version: 1`, `AccessKeyId`, `SecretAccessKey`, optional `SessionToken` and `Expiration`. Keys in the credentials file win over it; it wins over keys in the config file.',
    usedByExtension: true,
  },
  {
    key: 'sso_session',
    section: 'profile',
    files: 'config',
    summary: 'The [sso-session NAME] section to sign in with',
    doc: 'IAM Identity Center: the name of an `[sso-session NAME]` section (its `sso_start_url`, `sso_region`, `sso_registration_scopes`). With `sso_account_id` and `sso_role_name`.',
    usedByExtension: true,
  },
  {
    key: 'sso_account_id',
    section: 'profile',
    files: 'config',
    summary: 'IAM Identity Center: the account',
    doc: 'IAM Identity Center: the 12-digit account whose role (`sso_role_name`) the profile uses.',
    usedByExtension: true,
  },
  {
    key: 'sso_role_name',
    section: 'profile',
    files: 'config',
    summary: 'IAM Identity Center: the role (permission set)',
    doc: 'IAM Identity Center: the role (permission set) in `sso_account_id`.',
    usedByExtension: true,
  },
  {
    key: 'sso_start_url',
    section: 'profile',
    files: 'config',
    summary: 'Legacy IAM Identity Center: the start URL',
    doc: 'Legacy IAM Identity Center, in the profile itself (the token is named by the start URL and is not renewed). Prefer `sso_session` and an `[sso-session NAME]` section.',
    usedByExtension: true,
  },
  {
    key: 'sso_region',
    section: 'profile',
    files: 'config',
    summary: "Legacy IAM Identity Center: the portal's region",
    doc: 'Legacy IAM Identity Center, in the profile itself: the region of the access portal. Prefer `sso_session` and an `[sso-session NAME]` section.',
    usedByExtension: true,
  },
  {
    key: 'login_session',
    section: 'profile',
    files: 'config',
    summary: 'Console credentials from `aws login`',
    doc: 'Console credentials from `aws login` (AWS CLI 2.32 or later): the cached login in `~/.aws/login/cache`, refreshed when less than 5 minutes remain, for up to 12 hours.',
    usedByExtension: true,
  },
  {
    key: 'web_identity_token_file',
    section: 'profile',
    files: 'config',
    summary: 'AssumeRoleWithWebIdentity with the token in this file',
    doc: 'AssumeRoleWithWebIdentity with `role_arn` and the OIDC token in this file (with `role_session_name`). A profile with this key is a web identity profile even if it also has `source_profile`.',
    usedByExtension: true,
  },
  {
    key: 'endpoint_url',
    section: 'profile',
    files: 'config',
    summary: 'Endpoint for every service (STS included)',
    doc: 'Sends every service to this URL (LocalStack, tests). For STS, in the SDKs\' order: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile\'s `services` section, then `endpoint_url`.',
    usedByExtension: true,
  },
  {
    key: 'services',
    section: 'profile',
    files: 'config',
    summary: 'The [services NAME] section with per-service endpoints',
    doc: 'The name of a `[services NAME]` section whose `sts =` block (an indented `endpoint_url = …`) sends STS elsewhere; it wins over `endpoint_url`.',
    usedByExtension: true,
  },
  {
    key: 'ignore_configured_endpoint_urls',
    section: 'profile',
    files: 'config',
    summary: 'Ignore endpoint_url and services',
    doc: 'When `true`, the configured endpoints (`endpoint_url`, `services`, `AWS_ENDPOINT_URL…`) are ignored and the regional endpoints used.',
    usedByExtension: true,
    values: BOOLEAN_VALUES,
  },
  {
    key: 'sts_regional_endpoints',
    section: 'profile',
    files: 'config',
    summary: 'Global or regional STS endpoint (AWS CLI v1)',
    doc: 'AWS CLI v1: `legacy` sends STS calls of some regions to the global endpoint; `regional` (the v2 behaviour) to the region\'s own.',
    usedByExtension: false,
    values: [
      { value: 'regional', doc: "The region's own STS endpoint." },
      { value: 'legacy', doc: 'The global endpoint (sts.amazonaws.com) for the older regions.' },
    ],
  },
  {
    key: 'ca_bundle',
    section: 'profile',
    files: 'config',
    summary: 'Certificate bundle to trust (a path)',
    doc: 'A PEM file of certificate authorities to trust for HTTPS (a corporate proxy).',
    usedByExtension: false,
  },
  {
    key: 'max_attempts',
    section: 'profile',
    files: 'config',
    summary: 'How many times the AWS CLI tries a call',
    doc: 'The most attempts for one call, retries included.',
    usedByExtension: false,
  },
  {
    key: 'retry_mode',
    section: 'profile',
    files: 'config',
    summary: "The AWS CLI's retry mode",
    doc: 'How the AWS CLI and SDKs retry.',
    usedByExtension: false,
    values: [
      { value: 'standard', doc: 'The standard retry rules.' },
      { value: 'adaptive', doc: 'Standard, with client-side rate limiting.' },
      { value: 'legacy', doc: 'The older rules (AWS CLI v1 default).' },
    ],
  },
  {
    key: 'cli_pager',
    section: 'profile',
    files: 'config',
    summary: "The AWS CLI v2's pager (empty: none)",
    doc: 'The program AWS CLI v2 pipes its output through; empty for none.',
    usedByExtension: false,
  },
  {
    key: 'use_fips_endpoint',
    section: 'profile',
    files: 'config',
    summary: 'Use FIPS endpoints',
    doc: 'When `true`, the FIPS endpoints of each service are used.',
    usedByExtension: false,
    values: BOOLEAN_VALUES,
  },
  {
    key: 'use_dualstack_endpoint',
    section: 'profile',
    files: 'config',
    summary: 'Use dual-stack (IPv6) endpoints',
    doc: 'When `true`, the dual-stack (IPv4 and IPv6) endpoints of each service are used.',
    usedByExtension: false,
    values: BOOLEAN_VALUES,
  },
  {
    key: 'sso_start_url',
    section: 'sso-session',
    files: 'config',
    summary: 'The AWS access portal URL',
    doc: 'The AWS access portal URL of IAM Identity Center, such as `https://my-org.awsapps.com/start`.',
    usedByExtension: true,
  },
  {
    key: 'sso_region',
    section: 'sso-session',
    files: 'config',
    summary: "The Identity Center instance's region",
    doc: 'The region of the IAM Identity Center instance (where the portal and the OIDC service are).',
    usedByExtension: true,
  },
  {
    key: 'sso_registration_scopes',
    section: 'sso-session',
    files: 'config',
    summary: 'Scopes of the client registration',
    doc: 'The scopes the sign-in asks for, comma-separated; `sso:account:access` lists accounts and roles.',
    usedByExtension: true,
  },
  {
    key: 'sts',
    section: 'services',
    files: 'config',
    summary: 'STS endpoint override (indented endpoint_url below)',
    doc: 'STS settings for the profiles that name this section in `services`: an indented `endpoint_url = …` line below `sts =`.',
    usedByExtension: true,
  },
  {
    key: 'endpoint_url',
    section: 'services',
    files: 'config',
    summary: "The service's endpoint",
    doc: 'Indented under a service (`sts =`): the URL its calls go to.',
    usedByExtension: true,
  },
];

/** The known key of this name in this kind of section; undefined for one no reader knows. */
export function knownKey(key: string, section: KeySection): KnownKey | undefined {
  return KNOWN_KEYS.find((k) => k.key === key && k.section === section);
}

/** Whether a profile key belongs in this file (credentials holds profiles only). */
export function keyFitsFile(k: KnownKey, file: 'config' | 'credentials'): boolean {
  return k.files === 'both' || k.files === file;
}
