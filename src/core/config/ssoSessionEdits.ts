import { promises as fs } from 'node:fs';
import { RoleSwitchError } from '../errors';
import { writeFileAtomically, type AtomicFs } from './atomicWrite';
import { validateProfileName, validateRegion } from './configEdits';

/** What "Sign In to IAM Identity Center" asks for when the config has no sso-session yet. */
export interface NewSsoSession {
  name: string;
  startUrl: string;
  region: string;
  /** Written as `sso_registration_scopes`; the AWS CLI's default is sso:account:access. */
  scopes: string;
}

const CONTROL = /[\x00-\x1f\x7f]/;

export function validateSsoSessionName(name: string, existing: ReadonlySet<string>): string | undefined {
  if (existing.has(name)) return `An [sso-session ${name}] section already exists.`;
  return validateProfileName(name, new Set());
}

/** An AWS access portal URL: https, a host, nothing that could break the line it is written on. */
export function validateStartUrl(url: string): string | undefined {
  if (CONTROL.test(url) || /\s/.test(url)) return 'The start URL is one line without spaces, like https://my-org.awsapps.com/start.';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'The start URL looks like https://my-org.awsapps.com/start (your AWS access portal URL).';
  }
  if (parsed.protocol !== 'https:') return 'The start URL must use https://.';
  return undefined;
}

export function validateSsoRegion(region: string): string | undefined {
  return region ? validateRegion(region) : 'The region of IAM Identity Center is needed (for example us-east-1).';
}

export function validateNewSsoSession(s: NewSsoSession, existing: ReadonlySet<string>): string | undefined {
  for (const [field, v] of [['Name', s.name], ['Start URL', s.startUrl], ['Region', s.region], ['Scopes', s.scopes]] as const) {
    if (typeof v !== 'string' || CONTROL.test(v)) return `${field}: a value must be one line of text, without line breaks or control characters.`;
  }
  return validateSsoSessionName(s.name, existing) ?? validateStartUrl(s.startUrl) ?? validateSsoRegion(s.region) ?? (/^[\w:.\-, ]*$/.test(s.scopes) ? undefined : 'Scopes are names like sso:account:access, separated by commas.');
}

/** The config text with one `[sso-session …]` section appended, everything else kept as it was. */
export function appendSsoSession(text: string, s: NewSsoSession): string {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = [`[sso-session ${s.name}]`, `sso_start_url = ${s.startUrl}`, `sso_region = ${s.region}`];
  if (s.scopes) lines.push(`sso_registration_scopes = ${s.scopes}`);
  const section = lines.join(eol) + eol;
  if (text === '') return section;
  return `${text}${text.endsWith('\n') ? '' : eol}${eol}${section}`;
}

/** Validates, then appends the section to the config file (created if missing) in one atomic write, refused when the file changed since it was read. */
export async function addSsoSessionToFile(file: string, s: NewSsoSession, existing: ReadonlySet<string>, io?: AtomicFs): Promise<void> {
  const problem = validateNewSsoSession(s, existing);
  if (problem) throw new RoleSwitchError(problem, 'InvalidProfile');
  const read = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
  await writeFileAtomically(file, appendSsoSession(read ?? '', s), { expected: read, what: 'The AWS config file', fs: io });
}

/** The section header line of a profile as the AWS CLI names it in the config: `[default]` or `[profile NAME]`. */
function isProfileHeader(line: string, name: string): boolean {
  const m = /^\s*\[\s*(.*?)\s*\]\s*(?:[#;].*)?$/.exec(line);
  if (!m) return false;
  const inner = m[1];
  if (name === 'default' && inner === 'default') return true;
  const p = /^profile\s+(.+)$/.exec(inner);
  return p !== null && p[1].trim() === name;
}

/**
 * Converts legacy IAM Identity Center profiles to an sso-session, as the AWS CLI recommends: the
 * `[sso-session NAME]` section is appended and each profile gets `sso_session = NAME` right after its
 * header. Their own sso_start_url / sso_region stay: they equal the session's, which the CLI accepts,
 * and keep the file readable by tools that know only the legacy keys. Everything else is kept as it was.
 */
export function convertLegacySsoProfiles(text: string, session: NewSsoSession, profiles: readonly string[]): string {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const missing = new Set(profiles);
  const out: string[] = [];
  for (const line of lines) {
    out.push(line);
    const name = [...missing].find((p) => isProfileHeader(line, p));
    if (name !== undefined) {
      out.push(`sso_session = ${session.name}`);
      missing.delete(name);
    }
  }
  if (missing.size) throw new RoleSwitchError(`Profile "${[...missing][0]}" was not found in the config file; nothing was changed.`, 'FileChanged');
  return appendSsoSession(out.join(eol), session);
}

/** Validates, then converts the legacy profiles and appends the section in one atomic write, refused when the file changed since it was read. */
export async function convertLegacySsoProfilesInFile(file: string, session: NewSsoSession, profiles: readonly string[], existing: ReadonlySet<string>, io?: AtomicFs): Promise<void> {
  const problem = validateNewSsoSession(session, existing);
  if (problem) throw new RoleSwitchError(problem, 'InvalidProfile');
  const read = await fs.readFile(file, 'utf8');
  await writeFileAtomically(file, convertLegacySsoProfiles(read, session, profiles), { expected: read, what: 'The AWS config file', fs: io });
}
