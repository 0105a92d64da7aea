/**
 * What the editor offers while ~/.aws/config or ~/.aws/credentials is edited: which section and
 * key the cursor is in, the keys and values that fit there, and what a key means. Works on the
 * text as typed (unsaved), read with the same reader as the files themselves.
 */
import { readIni, type IniFileKind, type IniRange, type IniSectionLine } from './iniDocument';
import { keyFitsFile, KNOWN_KEYS, knownKey, type KeySection, type KnownKey } from './knownKeys';

export interface TextPosition {
  line: number;
  character: number;
}

/** Where the cursor is, as far as completion cares. */
export type CursorPlace =
  | { kind: 'key'; section: KeySection; profile?: string; range: IniRange; hasDelimiter: boolean; nested: boolean; present: ReadonlySet<string> }
  | { kind: 'value'; section: KeySection; profile?: string; key: string; range: IniRange }
  | { kind: 'none' };

/** Names from outside the text being edited (the other file, the loaded set), with a word on each profile. */
export interface AssistSources {
  profiles: readonly { name: string; detail?: string }[];
  ssoSessions?: readonly string[];
  services?: readonly string[];
}

export type CompletionKind = 'key' | 'value' | 'profile' | 'ssoSession' | 'services';

export interface ConfigCompletion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  insertText: string;
  /** What the completion replaces. */
  range: IniRange;
  /** Whether a value list follows the key just inserted (the editor opens it at once). */
  retrigger: boolean;
}

export interface ConfigHover {
  range: IniRange;
  /** Markdown. */
  markdown: string;
}

const HEADER = /^\[(.+)\]/;

function splitLines(text: string): string[] {
  return text.split(/\r?\n|\r/);
}

function sectionKindOf(section: IniSectionLine | undefined, rawHeader: string, file: IniFileKind): { section: KeySection; profile?: string } | undefined {
  // configparser's [DEFAULT]: its keys show up in every profile.
  if (rawHeader === 'DEFAULT') return { section: 'profile' };
  if (file === 'credentials') return { section: 'profile', profile: rawHeader };
  const name = section?.name;
  if (name === undefined) return undefined;
  if (name.startsWith('sso-session.')) return { section: 'sso-session' };
  if (name.startsWith('services.')) return { section: 'services' };
  return { section: 'profile', profile: name };
}

/** The section the cursor is in and whether it is at a key or a value. */
export function placeAt(text: string, file: IniFileKind, at: TextPosition): CursorPlace {
  const lines = splitLines(text);
  const line = lines[at.line];
  if (line === undefined) return { kind: 'none' };
  const trimmed = line.trim();
  if (trimmed.startsWith('#') || trimmed.startsWith(';') || HEADER.test(trimmed)) return { kind: 'none' };

  let headerLine = -1;
  for (let n = at.line - 1; n >= 0; n--) {
    if (HEADER.test(lines[n].trim())) {
      headerLine = n;
      break;
    }
  }
  if (headerLine < 0) return { kind: 'none' };
  const index = readIni(text, file).index;
  const section = index.sections.find((s) => s.line === headerLine);
  const rawHeader = HEADER.exec(lines[headerLine].trim())?.[1] ?? '';
  const where = sectionKindOf(section, rawHeader, file);
  if (!where) return { kind: 'none' };

  const indent = line.length - line.trimStart().length;
  const delimiter = line.slice(indent).search(/[=:]/);
  const delimiterAt = delimiter < 0 ? -1 : indent + delimiter;
  if (delimiterAt < 0 || at.character <= delimiterAt) {
    const keyEnd = delimiterAt < 0 ? line.trimEnd().length : indent + line.slice(indent, delimiterAt).trimEnd().length;
    // Two words before the cursor are not a key being typed.
    if (/\S\s+\S/.test(line.slice(indent, Math.max(indent, at.character)))) return { kind: 'none' };
    const present = new Set((section?.keys ?? []).filter((k) => !k.parent && k.line !== at.line).map((k) => k.key));
    return { kind: 'key', ...where, range: { line: at.line, start: Math.min(indent, at.character), end: Math.max(keyEnd, at.character) }, hasDelimiter: delimiterAt >= 0, nested: indent > 0, present };
  }
  const key = line.slice(indent, delimiterAt).trim().toLowerCase();
  const after = line.slice(delimiterAt + 1);
  const valueStart = Math.min(delimiterAt + 1 + (after.length - after.trimStart().length), at.character);
  return { kind: 'value', ...where, key, range: { line: at.line, start: valueStart, end: Math.max(line.trimEnd().length, at.character) } };
}

function keyDoc(k: KnownKey): string {
  const where = k.section === 'profile' ? (k.files === 'both' ? 'config or credentials file' : `${k.files} file`) : `[${k.section} NAME] section`;
  const values = k.values ? `\n\n${k.values.map((v) => `- \`${v.value}\`: ${v.doc}`).join('\n')}` : '';
  const reader = k.usedByExtension ? '' : '\n\n_Read by the AWS CLI and SDKs; this extension does not use it._';
  return `**${k.key}** (${where})\n\n${k.doc}${values}${reader}`;
}

function keysFor(place: Extract<CursorPlace, { kind: 'key' }>, file: IniFileKind): KnownKey[] {
  if (place.nested) return place.section === 'services' ? KNOWN_KEYS.filter((k) => k.section === 'services' && k.key === 'endpoint_url') : [];
  const fitting = KNOWN_KEYS.filter((k) => k.section === place.section && keyFitsFile(k, file) && !place.present.has(k.key) && !(k.section === 'services' && k.key === 'endpoint_url'));
  // The keys this extension reads first; the ones only the CLI reads after them.
  return [...fitting.filter((k) => k.usedByExtension), ...fitting.filter((k) => !k.usedByExtension)];
}

/** Section names of one kind written in this text (`sso-session`, `services`). */
function sectionNames(text: string, prefix: string): string[] {
  return readIni(text, 'config')
    .index.sections.map((s) => s.name)
    .filter((n): n is string => n?.startsWith(prefix) === true)
    .map((n) => n.slice(prefix.length));
}

function unique<T extends { label: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.label) && (seen.add(i.label), true));
}

/** What fits at the cursor: keys of this kind of section not set yet, or the values the key takes. */
export function configCompletions(text: string, file: IniFileKind, at: TextPosition, sources: AssistSources): ConfigCompletion[] {
  const place = placeAt(text, file, at);
  if (place.kind === 'none') return [];
  if (place.kind === 'key') {
    return keysFor(place, file).map((k) => ({
      label: k.key,
      kind: 'key',
      detail: k.summary,
      documentation: keyDoc(k),
      insertText: place.hasDelimiter ? k.key : k.key === 'sts' && place.section === 'services' ? 'sts =\n  endpoint_url = ' : `${k.key} = `,
      range: place.range,
      retrigger: !place.hasDelimiter && (k.values !== undefined || VALUE_LISTS.has(k.key)),
    }));
  }
  const value = (label: string, kind: CompletionKind, detail?: string, documentation?: string): ConfigCompletion => ({ label, kind, detail, documentation, insertText: label, range: place.range, retrigger: false });
  if (place.section !== 'profile') return [];
  switch (place.key) {
    case 'source_profile': {
      const fromText = readIni(text, file).index.sections.flatMap((s) => (file === 'credentials' ? [s.rawHeader] : s.name && !/^(sso-session|services)\./.test(s.name) ? [s.name] : []));
      const items = [...sources.profiles.map((p) => value(p.name, 'profile', p.detail)), ...fromText.map((n) => value(n, 'profile', 'profile in this file'))];
      return unique(items.filter((i) => i.label !== place.profile));
    }
    case 'sso_session':
      return unique([...(file === 'config' ? sectionNames(text, 'sso-session.') : []), ...(sources.ssoSessions ?? [])].map((n) => value(n, 'ssoSession', `[sso-session ${n}]`)));
    case 'services':
      return unique([...(file === 'config' ? sectionNames(text, 'services.') : []), ...(sources.services ?? [])].map((n) => value(n, 'services', `[services ${n}]`)));
    case 'mfa_serial': {
      const used = readIni(text, file).index.sections.flatMap((s) => s.keys.filter((k) => k.key === 'mfa_serial' && k.value && k.line !== at.line).map((k) => k.value));
      return unique(used.map((v) => value(v, 'value', 'used in this file')));
    }
    default:
      return (knownKey(place.key, 'profile')?.values ?? []).map((v) => value(v.value, 'value', undefined, v.doc));
  }
}

// Keys whose values come from the files rather than a fixed list.
const VALUE_LISTS = new Set(['source_profile', 'sso_session', 'services', 'mfa_serial']);

/** What the key under the cursor means (or the fixed value under it); undefined elsewhere. */
export function configHover(text: string, file: IniFileKind, at: TextPosition): ConfigHover | undefined {
  const place = placeAt(text, file, at);
  const line = splitLines(text)[at.line] ?? '';
  if (place.kind === 'key') {
    const typed = line.slice(place.range.start, place.range.end).trim().toLowerCase();
    const k = place.nested && place.section === 'services' ? knownKey(typed, 'services') : place.nested ? undefined : knownKey(typed, place.section);
    if (!k || (place.section === 'services' && k.key === 'endpoint_url' && !place.nested)) return undefined;
    return { range: { line: at.line, start: place.range.start, end: place.range.start + typed.length }, markdown: keyDoc(k) };
  }
  if (place.kind === 'value') {
    const typed = line.slice(place.range.start, place.range.end).trim();
    const v = knownKey(place.key, place.section)?.values?.find((x) => x.value === typed);
    if (!v) return undefined;
    return { range: { line: at.line, start: place.range.start, end: place.range.start + typed.length }, markdown: `**${place.key} = ${v.value}**\n\n${v.doc}` };
  }
  return undefined;
}
