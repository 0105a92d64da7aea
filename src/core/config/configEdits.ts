import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { RoleSwitchError } from '../errors';
import { resolveWriteTarget, writeFileAtomically, type AtomicFs } from './atomicWrite';
import { parseRoleArn, type Profile, type ProfileSet } from './profiles';

export { writeFileAtomically } from './atomicWrite';

/** What "Add Role Profile" asks for. */
export interface NewRoleProfile {
  name: string;
  roleArn: string;
  sourceProfile: string;
  mfaSerial?: string;
  roleSessionName?: string;
  region?: string;
  /** Copied from the source profile, so STS is called where the source's calls go (LocalStack, a VPC endpoint). */
  endpointUrl?: string;
  /** The name of a `[services NAME]` section, copied from the source profile like `endpointUrl`. */
  services?: string;
}

// Names that every reader (the AWS CLI, the SDKs' loader) reads the same way.
const PROFILE_NAME_CHARACTER = /[\w@+.%:/-]/;
export const PROFILE_NAME_MAX_LENGTH = 64;
const PROFILE_NAME = new RegExp(`^${PROFILE_NAME_CHARACTER.source}{1,${PROFILE_NAME_MAX_LENGTH}}$`);
const MFA_SERIAL = /^arn:aws[a-z-]*:iam::\d{12}:mfa\/[\w+=,.@/-]+$|^[A-Z0-9]{9,256}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
// Every partition's regions (us-gov-west-1, cn-north-1, us-iso-east-1, eu-isoe-west-1, eusc-de-east-1).
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,3}$/;
// A line break in a value would start a new line (a new section, a credential_process) in the file.
const CONTROL = /[\x00-\x1f\x7f]/;

/** A line break would end the value early in the file; other control characters no reader expects. */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

/** The field's name when any field holds a line break or other control character (checked before anything else). */
function fieldWithControl(p: NewRoleProfile): string | undefined {
  const fields: [string, unknown][] = [
    ['Profile name', p.name],
    ['Role ARN', p.roleArn],
    ['Source profile', p.sourceProfile],
    ['MFA device', p.mfaSerial],
    ['Session name', p.roleSessionName],
    ['Region', p.region],
    ['Endpoint URL', p.endpointUrl],
    ['Services section', p.services],
  ];
  return fields.find(([, v]) => v !== undefined && (typeof v !== 'string' || CONTROL.test(v)))?.[0];
}

/** Whether every AWS tool reads this character the same way in a profile name. */
export function isProfileNameCharacter(c: string): boolean {
  return c.length === 1 && PROFILE_NAME_CHARACTER.test(c);
}

export function validateProfileName(name: string, existing: ReadonlySet<string>): string | undefined {
  if (!PROFILE_NAME.test(name)) return 'Use letters, digits and - _ . @ + % : / (the characters every AWS tool reads the same way).';
  if (existing.has(name)) return `A profile named "${name}" already exists.`;
  return undefined;
}

export function validateRoleArn(arn: string): string | undefined {
  // parseRoleArn trims (it reads files); what is written must be exactly the ARN.
  return !CONTROL.test(arn) && parseRoleArn(arn)?.arn === arn ? undefined : 'An IAM role ARN looks like arn:aws:iam::123456789012:role/RoleName.';
}

/** The source must be a profile that exists now (the caller passes the names it read). */
export function validateSourceProfile(name: string, existing: ReadonlySet<string>): string | undefined {
  if (!PROFILE_NAME.test(name)) return 'The source profile must be a profile name: letters, digits and - _ . @ + % : /';
  if (!existing.has(name)) return `There is no profile named "${name}" to use as the source.`;
  return undefined;
}

export function validateRegion(region: string): string | undefined {
  return region === '' || REGION.test(region) ? undefined : 'A region looks like eu-west-1 or us-gov-west-1.';
}

export function validateMfaSerial(serial: string): string | undefined {
  return serial === '' || MFA_SERIAL.test(serial) ? undefined : 'An MFA device is arn:aws:iam::123456789012:mfa/name (or a hardware serial number).';
}

export function validateEndpointUrl(url: string): string | undefined {
  if (url === '') return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  return parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !/\s/.test(url) ? undefined : 'An endpoint URL looks like https://sts.example.com or http://localhost:4566.';
}

/** A `[services NAME]` name the same readers agree on as a profile name. */
export function validateServicesName(name: string): string | undefined {
  return name === '' || PROFILE_NAME.test(name) ? undefined : 'A services section name uses letters, digits and - _ . @ + % : /';
}

export function validateSessionName(name: string): string | undefined {
  return name === '' || SESSION_NAME.test(name) ? undefined : '2 to 64 characters of letters, digits and + = , . @ - _';
}

/** The first problem of a new role profile, in the words the prompts show; undefined when it can be written. */
export function validateNewRoleProfile(p: NewRoleProfile, existing: ReadonlySet<string>): string | undefined {
  const control = fieldWithControl(p);
  if (control) return `${control}: a value must be one line of text, without line breaks or control characters.`;
  return (
    validateProfileName(p.name, existing) ??
    validateRoleArn(p.roleArn) ??
    validateSourceProfile(p.sourceProfile, existing) ??
    validateMfaSerial(p.mfaSerial ?? '') ??
    validateSessionName(p.roleSessionName ?? '') ??
    validateRegion(p.region ?? '') ??
    validateEndpointUrl(p.endpointUrl ?? '') ??
    validateServicesName(p.services ?? '')
  );
}

/**
 * Validates the profile, then appends it to the config file (created if missing) in one atomic
 * write, refused when the file changed since it was read.
 * `existing` is every profile name the caller read (the source must be one of them).
 */
export async function addRoleProfileToFile(file: string, p: NewRoleProfile, existing: ReadonlySet<string>, io?: AtomicFs): Promise<void> {
  const problem = validateNewRoleProfile(p, existing);
  if (problem) throw new RoleSwitchError(problem, 'InvalidProfile', typeof p.name === 'string' ? p.name : undefined);
  const read = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
  await writeFileAtomically(file, appendRoleProfile(read ?? '', p), { expected: read, what: 'The AWS config file', fs: io });
}

/** What a new config file holds: only comments, so every tool reads it as empty until a profile is added. */
export const CONFIG_TEMPLATE = `# AWS CLI config. A role profile looks like this:
#
# [profile my-admin]
# role_arn = arn:aws:iam::123456789012:role/Admin
# source_profile = default
# mfa_serial = arn:aws:iam::111111111111:mfa/me
# region = eu-west-1
`;

/**
 * Creates the config file (mode 600, its folder 700) with the template when it does not exist; an
 * existing file is never touched. A symlink to a missing file (a dotfiles setup) gets its target
 * created; a write that fails half way (a full disk) leaves no file behind.
 */
export async function createConfigFileIfMissing(file: string): Promise<void> {
  const target = await resolveWriteTarget(file);
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(target, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  try {
    await handle.writeFile(CONFIG_TEMPLATE, 'utf8');
    await handle.sync();
    await handle.close();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.rm(target, { force: true }); // ours: 'wx' created it a moment ago
    throw e;
  }
}

/**
 * The config text with one `[profile …]` section appended; everything already in the file
 * (comments, layout, line endings) is left exactly as it was.
 */
export function appendRoleProfile(text: string, p: NewRoleProfile): string {
  // The last guard, whoever calls it: a line break in a value would write a line of its own.
  const control = fieldWithControl(p);
  if (control) throw new RoleSwitchError(`${control}: a value must be one line of text, without line breaks or control characters.`, 'InvalidProfile');
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = [`[profile ${p.name}]`, `role_arn = ${p.roleArn}`, `source_profile = ${p.sourceProfile}`];
  if (p.mfaSerial) lines.push(`mfa_serial = ${p.mfaSerial}`);
  if (p.roleSessionName) lines.push(`role_session_name = ${p.roleSessionName}`);
  if (p.region) lines.push(`region = ${p.region}`);
  if (p.services) lines.push(`services = ${p.services}`);
  if (p.endpointUrl) lines.push(`endpoint_url = ${p.endpointUrl}`);
  const section = lines.join(eol) + eol;
  if (text === '') return section;
  const endsWithNewline = text.endsWith('\n');
  return `${text}${endsWithNewline ? '' : eol}${eol}${section}`;
}

/**
 * The source profile's endpoint settings, for the new role profile: the AWS CLI and SDKs take the
 * STS endpoint of an AssumeRole from the profile being resolved, not from its source.
 */
export function sourceEndpointSettings(source: Profile | undefined): Pick<NewRoleProfile, 'endpointUrl' | 'services'> {
  const out: Pick<NewRoleProfile, 'endpointUrl' | 'services'> = {};
  if (source?.settings.endpoint_url) out.endpointUrl = source.settings.endpoint_url;
  if (source?.settings.services) out.services = source.settings.services;
  return out;
}

export interface MfaSerialInUse {
  serial: string;
  /** The profiles that set it. */
  usedBy: string[];
  /** Whether one of them assumes its role from the same source profile. */
  sameSource: boolean;
}

/** The MFA devices the files already name, those used with `sourceProfile` first (the same user's device). */
export function mfaSerialsInUse(set: ProfileSet, sourceProfile?: string): MfaSerialInUse[] {
  const bySerial = new Map<string, MfaSerialInUse>();
  for (const p of set.profiles.values()) {
    if (!p.mfaSerial || p.discovered || validateMfaSerial(p.mfaSerial)) continue;
    const entry = bySerial.get(p.mfaSerial) ?? { serial: p.mfaSerial, usedBy: [], sameSource: false };
    entry.usedBy.push(p.name);
    entry.sameSource ||= sourceProfile !== undefined && (p.sourceProfile === sourceProfile || p.name === sourceProfile);
    bySerial.set(p.mfaSerial, entry);
  }
  return [...bySerial.values()].sort((a, b) => Number(b.sameSource) - Number(a.sameSource) || b.usedBy.length - a.usedBy.length || a.serial.localeCompare(b.serial));
}
