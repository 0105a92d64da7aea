import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseRoleArn } from './profiles';

/** What "Add Role Profile" asks for. */
export interface NewRoleProfile {
  name: string;
  roleArn: string;
  sourceProfile: string;
  mfaSerial?: string;
  roleSessionName?: string;
  region?: string;
}

// Names that every reader (the AWS CLI, the SDKs' loader) reads the same way.
const PROFILE_NAME = /^[\w@+.%:/-]{1,64}$/;
const MFA_SERIAL = /^arn:aws[a-z-]*:iam::\d{12}:mfa\/[\w+=,.@/-]+$|^[A-Z0-9]{9,256}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export function validateProfileName(name: string, existing: ReadonlySet<string>): string | undefined {
  if (!PROFILE_NAME.test(name)) return 'Use letters, digits and - _ . @ + % : / (the characters every AWS tool reads the same way).';
  if (existing.has(name)) return `A profile named "${name}" already exists.`;
  return undefined;
}

export function validateRoleArn(arn: string): string | undefined {
  return parseRoleArn(arn) ? undefined : 'An IAM role ARN looks like arn:aws:iam::123456789012:role/RoleName.';
}

export function validateMfaSerial(serial: string): string | undefined {
  return serial === '' || MFA_SERIAL.test(serial) ? undefined : 'An MFA device is arn:aws:iam::123456789012:mfa/name (or a hardware serial number).';
}

export function validateSessionName(name: string): string | undefined {
  return name === '' || SESSION_NAME.test(name) ? undefined : '2 to 64 characters of letters, digits and + = , . @ - _';
}

/** The first problem of a new role profile, in the words the prompts show; undefined when it can be written. */
export function validateNewRoleProfile(p: NewRoleProfile, existing: ReadonlySet<string>): string | undefined {
  return validateProfileName(p.name, existing) ?? validateRoleArn(p.roleArn) ?? validateMfaSerial(p.mfaSerial ?? '') ?? validateSessionName(p.roleSessionName ?? '');
}

/** Validates the profile, then appends it to the config file (created if missing) in one atomic write. */
export async function addRoleProfileToFile(file: string, p: NewRoleProfile, existing: ReadonlySet<string>): Promise<void> {
  const problem = validateNewRoleProfile(p, existing);
  if (problem) throw new Error(problem);
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
  await writeFileAtomically(file, appendRoleProfile(text, p));
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

/** Creates the config file (mode 600, its folder 700) with the template when it does not exist; an existing file is never touched. */
export async function createConfigFileIfMissing(file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.writeFile(file, CONFIG_TEMPLATE, { flag: 'wx', mode: 0o600 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
}

/**
 * The config text with one `[profile …]` section appended; everything already in the file
 * (comments, layout, line endings) is left exactly as it was.
 */
export function appendRoleProfile(text: string, p: NewRoleProfile): string {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = [`[profile ${p.name}]`, `role_arn = ${p.roleArn}`, `source_profile = ${p.sourceProfile}`];
  if (p.mfaSerial) lines.push(`mfa_serial = ${p.mfaSerial}`);
  if (p.roleSessionName) lines.push(`role_session_name = ${p.roleSessionName}`);
  if (p.region) lines.push(`region = ${p.region}`);
  const section = lines.join(eol) + eol;
  if (text === '') return section;
  const endsWithNewline = text.endsWith('\n');
  return `${text}${endsWithNewline ? '' : eol}${eol}${section}`;
}

/** Writes next to the file and renames over it, so a crash never leaves half a config; keeps the file's mode. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const mode = await fs.stat(file).then((s) => s.mode & 0o777, () => 0o600);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temp, text, { mode, flag: 'wx' });
  try {
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
}
