import { promises as nodeFs } from 'node:fs';
import { RoleSwitchError } from '../errors';
import { writeFileAtomically, type AtomicFs } from './atomicWrite';
import { hasControlCharacter, isProfileNameCharacter, PROFILE_NAME_MAX_LENGTH, validateProfileName } from './configEdits';
import { isDiscoverableRoleName, sameStartUrl, ssoSessionRegion, type DiscoveredRole } from './discoveredRoles';
import { readIni, type IniKeyLine, type IniSectionLine } from './iniDocument';

/**
 * "Write Identity Center Profiles": one `sso_session` profile per discovered account and role,
 * so the AWS CLI, Terraform and scripts reach them by name. Each written profile carries a marker
 * key naming its sso-session, so that a later run updates and prunes only what it wrote for that
 * session. botocore and the AWS SDKs keep unknown keys of a profile and ignore them (the
 * conformance test reads such a file with the AWS CLI).
 */

/** The marker key; its value is the sso-session the profile was written for. */
export const MANAGED_KEY = 'role_switcher_managed';
export const DEFAULT_PROFILE_NAME_TEMPLATE = '{accountName}/{roleName}';
const PLACEHOLDERS = ['accountName', 'accountId', 'roleName', 'ssoSession'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
// The keys a run owns in a profile it wrote; region and anything the user added are theirs once written.
const OWNED_KEYS = ['sso_session', 'sso_account_id', 'sso_role_name'] as const;
const ACCOUNT_ID = /^\d{12}$/;

export interface IdentityCenterProfilesOptions {
  /** The name template (default `{accountName}/{roleName}`). */
  template?: string;
  /** Accounts whose roles could not be listed this time: their profiles are left as they are, never pruned. */
  unlistedAccounts?: Iterable<string>;
  /** Profile names of the credentials file: a profile there is the user's, so the name is skipped. */
  credentialsProfiles?: ReadonlySet<string>;
}

export interface SkippedProfile {
  name: string;
  accountId: string;
  roleName: string;
  reason: string;
}

export interface IdentityCenterProfilesSummary {
  added: string[];
  /** Written before, and one of the keys this command owns changed. */
  updated: string[];
  unchanged: string[];
  removed: string[];
  skipped: SkippedProfile[];
}

export interface IdentityCenterProfilesPlan {
  text: string;
  summary: IdentityCenterProfilesSummary;
}

/** Why a template cannot be used, or undefined (for the setting's validation too). */
export function validateProfileNameTemplate(template: string): string | undefined {
  if (hasControlCharacter(template)) return 'The profile name template must be one line of text.';
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1])) return `Unknown placeholder {${match[1]}} in the profile name template: use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`;
  }
  return undefined;
}

/** Runs of characters some AWS tool reads differently become one `-`; no `-` at either end. */
function cleanName(text: string): string {
  const safe = [...text].map((c) => (isProfileNameCharacter(c) ? c : '-')).join('');
  return safe.replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
}

/** The template filled in for one role and cleaned to a safe profile name ('' when nothing safe is left). */
export function profileNameFor(role: DiscoveredRole, template = DEFAULT_PROFILE_NAME_TEMPLATE): string {
  const values: Record<Placeholder, string> = {
    // An account without a (usable) name goes by its id.
    accountName: cleanName(role.accountName ?? '') || role.accountId,
    accountId: role.accountId,
    roleName: cleanName(role.roleName),
    ssoSession: cleanName(role.ssoSession),
  };
  const filled = template.replace(/\{(\w+)\}/g, (whole, key: string) => ((PLACEHOLDERS as readonly string[]).includes(key) ? values[key as Placeholder] : whole));
  return truncate(cleanName(filled), PROFILE_NAME_MAX_LENGTH);
}

function truncate(name: string, max: number): string {
  return name.length <= max ? name : name.slice(0, max).replace(/-+$/, '');
}

/** The n-th name for a base (1: the base itself), kept within the length limit. */
function candidate(base: string, n: number): string {
  if (n === 1) return base;
  const suffix = `-${n}`;
  return truncate(base, PROFILE_NAME_MAX_LENGTH - suffix.length) + suffix;
}

const roleKey = (accountId: string, roleName: string) => `${accountId}/${roleName}`;

function invalid(message: string): RoleSwitchError {
  return new RoleSwitchError(message, 'InvalidProfile');
}

/** One line of the file and what ended it ('' for the last line without a line break). */
interface Line {
  text: string;
  eol: string;
}

function splitKeepingEols(text: string): Line[] {
  // The same line breaks the reader splits on (Python's universal newlines), so line numbers agree.
  const parts = text.split(/(\r\n|\n|\r)/);
  const lines: Line[] = [];
  for (let i = 0; i < parts.length; i += 2) lines.push({ text: parts[i], eol: parts[i + 1] ?? '' });
  return lines;
}

const isBlank = (l: Line | undefined) => l !== undefined && l.text.trim() === '';
const isComment = (l: Line) => /^\s*[#;]/.test(l.text);

/** A profile section of the file with its extent: the header to its last key or value line. */
interface SectionSpan {
  section: IniSectionLine;
  /** The section's own marker value (not [DEFAULT]'s), undefined when unmarked. */
  owner: string | undefined;
  end: number;
}

/** Line edits applied in one pass, so every line number refers to the file as read. */
class LineEdits {
  private readonly deleted = new Set<number>();
  private readonly replaced = new Map<number, string>();
  private readonly after = new Map<number, string[]>();

  constructor(private readonly lines: Line[]) {}

  delete(from: number, to: number): void {
    for (let i = from; i <= to; i++) this.deleted.add(i);
  }

  replace(line: number, text: string): void {
    this.replaced.set(line, text);
  }

  insertAfter(line: number, texts: string[]): void {
    this.after.set(line, [...(this.after.get(line) ?? []), ...texts]);
  }

  apply(eol: string): string {
    let out = '';
    this.lines.forEach((line, i) => {
      if (!this.deleted.has(i)) out += (this.replaced.get(i) ?? line.text) + line.eol;
      const inserted = this.after.get(i);
      if (!inserted) return;
      if (!out.endsWith('\n') && !out.endsWith('\r') && out !== '') out += eol;
      for (const text of inserted) out += text + eol;
    });
    return out;
  }
}

/**
 * The config text with the profiles of `ssoSession` written: added, updated (only the keys this
 * command owns), pruned (only profiles it marked for this session); every other byte as it was.
 * Throws (nothing written) when the file is one the AWS CLI refuses, has no such sso-session, or
 * points it at another portal than the roles were listed from.
 */
export function planIdentityCenterProfiles(text: string, ssoSession: string, roles: readonly DiscoveredRole[], options: IdentityCenterProfilesOptions = {}): IdentityCenterProfilesPlan {
  const template = options.template ?? DEFAULT_PROFILE_NAME_TEMPLATE;
  if (hasControlCharacter(ssoSession) || validateProfileName(ssoSession, new Set())) throw invalid(`The sso-session name "${ssoSession.replace(/[\x00-\x1f\x7f]/g, '?')}" is not one every AWS tool reads the same way.`);
  const templateProblem = validateProfileNameTemplate(template);
  if (templateProblem) throw invalid(templateProblem);
  const mine = roles.filter((r) => r.ssoSession === ssoSession);
  for (const r of mine) {
    // The last guard, whoever calls: a line break in a value would write a line of its own.
    if ([r.startUrl, r.ssoRegion, r.accountId, r.accountName ?? '', r.roleName].some(hasControlCharacter)) throw invalid(`The role ${r.roleName.replace(/[\x00-\x1f\x7f]/g, '?')} of account ${r.accountId.replace(/[\x00-\x1f\x7f]/g, '?')}: a value must be one line of text, without line breaks or control characters.`);
  }

  const reading = readIni(text, 'config');
  const fatal = reading.index.problems.find((p) => p.fatal);
  if (fatal) throw new RoleSwitchError(`The AWS config file has a problem the AWS CLI refuses (line ${fatal.range.line + 1}: ${fatal.message}) Fix it first; nothing was written.`, 'ConfigRefused');
  const sessionSection = reading.sections[`sso-session.${ssoSession}`];
  if (!sessionSection) throw new RoleSwitchError(`The AWS config file has no [sso-session ${ssoSession}] section; nothing was written. Sign in to it first.`, 'ConfigRefused');
  if (mine.some((r) => !sameStartUrl(r.startUrl, sessionSection.sso_start_url))) {
    throw new RoleSwitchError(`[sso-session ${ssoSession}] now points at another start URL than the accounts were listed from; nothing was written. Refresh the accounts, then write the profiles again.`, 'ConfigRefused');
  }
  const region = ssoSessionRegion(sessionSection);
  if (region !== undefined && hasControlCharacter(region)) throw invalid(`The region of [sso-session ${ssoSession}] must be one line of text.`);

  const lines = splitKeepingEols(text);
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const boundaries = [...reading.index.sections.map((s) => s.line), ...lines.flatMap((l, i) => (/^\[DEFAULT\]/.test(l.text) ? [i] : []))].sort((a, b) => a - b);
  const spans: SectionSpan[] = reading.index.sections
    .filter((s) => s.name !== undefined && !/^(sso-session|services)\./.test(s.name))
    .map((section) => {
      const next = boundaries.find((b) => b > section.line) ?? lines.length;
      let end = next - 1;
      while (end > section.line && (isBlank(lines[end]) || isComment(lines[end]))) end--;
      const marker = section.keys.find((k) => k.key === MANAGED_KEY && !k.parent);
      return { section, owner: marker?.value || undefined, end };
    });
  const byName = new Map<string, SectionSpan[]>();
  for (const span of spans) byName.set(span.section.name as string, [...(byName.get(span.section.name as string) ?? []), span]);
  const ownedBy = (name: string, session: string) => {
    const found = byName.get(name);
    return found !== undefined && found.every((s) => s.owner === session);
  };

  const summary: IdentityCenterProfilesSummary = { added: [], updated: [], unchanged: [], removed: [], skipped: [] };
  const unlisted = new Set(options.unlistedAccounts ?? []);

  // Names: the template's, de-duplicated in a fixed order; a role keeps the name an earlier run gave it.
  const usable: { role: DiscoveredRole; base: string }[] = [];
  const seenRoles = new Set<string>();
  for (const role of [...mine].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.roleName.localeCompare(b.roleName))) {
    const key = roleKey(role.accountId, role.roleName);
    if (seenRoles.has(key)) continue;
    seenRoles.add(key);
    const base = profileNameFor(role, template);
    if (!ACCOUNT_ID.test(role.accountId) || !isDiscoverableRoleName(role.roleName) || !base || validateProfileName(base, new Set())) {
      summary.skipped.push({ name: base, accountId: role.accountId, roleName: role.roleName, reason: 'The account id or role name cannot be written as a profile.' });
      continue;
    }
    usable.push({ role, base });
  }
  const previousName = new Map<string, string>();
  for (const span of spans) {
    if (span.owner !== ssoSession) continue;
    const values = sectionValues(span.section);
    previousName.set(roleKey(values.sso_account_id ?? '', values.sso_role_name ?? ''), span.section.name as string);
  }
  const bases = new Set(usable.map((u) => u.base));
  const assigned = new Map<string, DiscoveredRole>();
  const nameOf = new Map<DiscoveredRole, string>();
  const assign = (name: string, role: DiscoveredRole) => {
    assigned.set(name, role);
    nameOf.set(role, name);
  };
  for (const { role, base } of usable) {
    const previous = previousName.get(roleKey(role.accountId, role.roleName));
    if (previous === undefined || assigned.has(previous)) continue;
    const keeps = previous === base || (!bases.has(previous) && Array.from({ length: usable.length + 1 }, (_, i) => candidate(base, i + 2)).includes(previous));
    if (keeps) assign(previous, role);
  }
  for (const { role, base } of usable) {
    if (nameOf.has(role)) continue;
    for (let n = 1; ; n++) {
      const name = candidate(base, n);
      if (!assigned.has(name) && (n === 1 || !bases.has(name))) {
        assign(name, role);
        break;
      }
    }
  }

  const edits = new LineEdits(lines);
  const toAdd: { name: string; role: DiscoveredRole }[] = [];
  for (const [name, role] of [...assigned].sort(([a], [b]) => a.localeCompare(b))) {
    const skip = (reason: string) => summary.skipped.push({ name, accountId: role.accountId, roleName: role.roleName, reason });
    if (name === 'default') {
      skip('"default" is the default profile, not a name this command writes.');
      continue;
    }
    if (options.credentialsProfiles?.has(name)) {
      skip(`A profile named "${name}" is in the credentials file.`);
      continue;
    }
    const existing = byName.get(name);
    if (!existing) {
      toAdd.push({ name, role });
      continue;
    }
    if (!ownedBy(name, ssoSession)) {
      const other = existing.find((s) => s.owner !== undefined && s.owner !== ssoSession)?.owner;
      skip(existing.some((s) => s.owner === undefined) ? `A profile named "${name}" is already in the config, not written by this command; it was left alone.` : `"${name}" was written for the sso-session "${other}"; it was left alone.`);
      continue;
    }
    let changed = false;
    for (const span of existing) changed = updateOwnedKeys(span, role, lines, edits) || changed;
    (changed ? summary.updated : summary.unchanged).push(name);
  }

  for (const span of spans) {
    const name = span.section.name as string;
    if (span.owner !== ssoSession || assigned.has(name) || !ownedBy(name, ssoSession)) continue;
    const accountId = sectionValues(span.section).sso_account_id;
    if (accountId !== undefined && unlisted.has(accountId)) continue;
    removeSection(span, lines, edits);
    if (!summary.removed.includes(name)) summary.removed.push(name);
  }

  if (toAdd.length) {
    const blocks = toAdd.flatMap(({ name, role }) => ['', ...newProfileLines(name, role, ssoSession, region)]);
    const last = spans.filter((s) => s.owner === ssoSession && !summary.removed.includes(s.section.name as string)).at(-1);
    if (last) {
      edits.insertAfter(last.end, blocks);
    } else {
      // At the end, after one blank line (none added when the file already ends with one).
      const endsBlank = lines.length >= 2 && isBlank(lines[lines.length - 2]) && lines[lines.length - 1].text === '';
      const empty = text === '';
      edits.insertAfter(lines.length - 1, empty || endsBlank ? blocks.slice(1) : blocks);
    }
    summary.added.push(...toAdd.map((a) => a.name));
  }
  return { text: edits.apply(eol), summary };
}

/** The section's own keys (not [DEFAULT]'s), lowercased as the CLI reads them. */
function sectionValues(section: IniSectionLine): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of section.keys) if (!k.parent) out[k.key] = k.value;
  return out;
}

function newProfileLines(name: string, role: DiscoveredRole, ssoSession: string, region: string | undefined): string[] {
  const lines = [`[profile ${name}]`, `sso_session = ${ssoSession}`, `sso_account_id = ${role.accountId}`, `sso_role_name = ${role.roleName}`];
  if (region) lines.push(`region = ${region}`);
  lines.push(`${MANAGED_KEY} = ${ssoSession}`);
  return lines;
}

/** Sets the keys this command owns to the role's values; true when a line changed. */
function updateOwnedKeys(span: SectionSpan, role: DiscoveredRole, lines: Line[], edits: LineEdits): boolean {
  const wanted: Record<(typeof OWNED_KEYS)[number], string> = { sso_session: role.ssoSession, sso_account_id: role.accountId, sso_role_name: role.roleName };
  const missing: string[] = [];
  let changed = false;
  for (const key of OWNED_KEYS) {
    const at = span.section.keys.findIndex((k) => k.key === key && !k.parent);
    if (at < 0) {
      missing.push(`${key} = ${wanted[key]}`);
      continue;
    }
    const keyLine = span.section.keys[at];
    if (keyLine.value === wanted[key]) continue;
    replaceValue(keyLine, span.section.keys[at + 1]?.line ?? span.end + 1, wanted[key], lines, edits);
    changed = true;
  }
  if (missing.length) {
    edits.insertAfter(span.end, missing);
    changed = true;
  }
  return changed;
}

/** Rewrites a key's value in place (its spacing kept) and drops the lines that continued the old value. */
function replaceValue(keyLine: IniKeyLine, nextKeyLine: number, value: string, lines: Line[], edits: LineEdits): void {
  const line = lines[keyLine.line].text;
  let prefix = line.slice(0, keyLine.valueRange.start);
  // `key =` with nothing after it: the reader trimmed the blank, so put one back.
  if (keyLine.valueRange.start === keyLine.valueRange.end && /[=:]$/.test(prefix)) prefix += ' ';
  edits.replace(keyLine.line, prefix + value);
  for (let i = keyLine.line + 1; i < nextKeyLine && i < lines.length; i++) {
    if (!isBlank(lines[i]) && !isComment(lines[i]) && /^\s/.test(lines[i].text)) edits.delete(i, i);
  }
}

/** Drops the section from its header to its last line, and the blank lines after it (the separator it came with). */
function removeSection(span: SectionSpan, lines: Line[], edits: LineEdits): void {
  let end = span.end;
  while (end + 1 < lines.length && isBlank(lines[end + 1]) && lines[end + 1].eol !== '') end++;
  edits.delete(span.section.line, end);
}

/**
 * Reads the config file, writes the profiles of `ssoSession` into it (planIdentityCenterProfiles)
 * and replaces it in one atomic write, refused when the file changed since it was read. Nothing is
 * written when nothing changed.
 */
export async function writeIdentityCenterProfiles(file: string, ssoSession: string, roles: readonly DiscoveredRole[], options: IdentityCenterProfilesOptions & { fs?: AtomicFs } = {}): Promise<IdentityCenterProfilesSummary> {
  const io = options.fs ?? (nodeFs as unknown as AtomicFs);
  const read = await io.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
  const plan = planIdentityCenterProfiles(read ?? '', ssoSession, roles, options);
  if (plan.text !== (read ?? '')) await writeFileAtomically(file, plan.text, { expected: read, what: 'The AWS config file', fs: options.fs });
  return plan.summary;
}
