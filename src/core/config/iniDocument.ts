/**
 * Where things are in a shared AWS file, line by line, as the AWS CLI reads it.
 * The AWS SDK's loader gives values but no positions; diagnostics and the tree need
 * both, so the file text is indexed once per read and kept next to the parsed sections.
 * The scanner follows what the AWS CLI does: botocore reads each file with Python's
 * `configparser.RawConfigParser` (strict: duplicates are fatal; keys lowercased; `=` or `:`
 * delimits; indented lines continue a value; no inline comments) and then maps sections to
 * profiles with `shlex.split` on the header (botocore/configloader.py build_profile_map).
 */
import { isSecretConfigKey } from '../redact';

/** 0-based line, and a column range [start, end) on that line. */
export interface IniRange {
  line: number;
  start: number;
  end: number;
}

export interface IniKeyLine {
  /** The key as the CLI reads it (lowercased). */
  key: string;
  /** The key as written. */
  rawKey: string;
  /** The value as the CLI reads it (inline `;`/`#` text kept, surrounding blanks trimmed). */
  value: string;
  line: number;
  keyRange: IniRange;
  valueRange: IniRange;
  /** Set for keys indented under a parent key (`[services x]` `sts =` then `  endpoint_url = ...`). */
  parent?: string;
}

export interface IniSectionLine {
  /**
   * The section's name as used in `IniSections`: the profile name for profiles
   * (`[profile x]` and `[default]` in config, `[x]` in credentials), `sso-session.NAME`,
   * `services.NAME`. Undefined for a header the CLI ignores (e.g. `[foo]` in config).
   */
  name?: string;
  /** The header as written, without brackets. */
  rawHeader: string;
  line: number;
  range: IniRange;
  keys: IniKeyLine[];
}

export type IniProblemCode =
  | 'bom'
  | 'duplicateSection'
  | 'duplicateKey'
  | 'keyCase'
  | 'inlineComment'
  | 'ignoredSection'
  | 'shadowedDefault'
  | 'unparsableLine'
  | 'sdkMissesSection';

export interface IniProblem {
  code: IniProblemCode;
  range: IniRange;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** The AWS CLI refuses the whole file because of this (every command exits 255). */
  fatal: boolean;
}

export interface IniIndex {
  sections: IniSectionLine[];
  problems: IniProblem[];
}

export type IniFileKind = 'config' | 'credentials';

/** Sections keyed as `IniSections` are: profile names, `sso-session.NAME`, `services.NAME`. */
export type CliSections = Record<string, Record<string, string>>;

export interface IniReading {
  index: IniIndex;
  /** The values as the AWS CLI sees them; later sections win, as in botocore's profile map. */
  sections: CliSections;
}

/**
 * Python's shlex.split for a section header: quotes group words, runs of blanks separate.
 * Returns undefined where shlex raises (an unclosed quote), which botocore skips.
 */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break; // shlex treats # as a comment start at a word boundary
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

/** What botocore makes of a config-file header: a profile, an sso-session, a services block, or nothing. */
function configSectionName(header: string): string | undefined {
  const prefixed = (prefix: string, as: string) => {
    if (!header.startsWith(prefix)) return undefined;
    const parts = shlexSplit(header);
    return parts?.length === 2 ? as + parts[1] : null;
  };
  for (const [prefix, as] of [['profile', ''], ['sso-session', 'sso-session.'], ['services', 'services.']] as const) {
    const name = prefixed(prefix, as);
    if (name === null) return undefined;
    if (name !== undefined) return name;
  }
  return header === 'default' ? 'default' : undefined;
}

// configparser's OPTCRE with the default delimiters: the first `=` or `:` ends the key.
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;
// What the AWS SDKs' loader treats as a comment inside a value (smithy parseIni).
const SDK_INLINE_COMMENT = /(^|\s)[;#]/;

type Report = (code: IniProblemCode, range: IniRange, severity: IniProblem['severity'], message: string, fatal?: boolean) => void;

/** A key whose value may continue on the more deeply indented lines below it. */
interface OpenKey {
  line: IniKeyLine;
  values: string[];
  indent: number;
}

/** A key with all its value lines, and the section it was written in (undefined: [DEFAULT]). */
interface ScannedKey {
  section: IniSectionLine | undefined;
  key: OpenKey;
}

/** The section the scanner is filling: [DEFAULT] is tracked like any other, but not listed. */
interface OpenSection {
  section: IniSectionLine;
  isDefaults: boolean;
  seenKeys: Set<string>;
}

/**
 * Indexes one shared file and reads it as the AWS CLI would. Never throws: whatever the CLI
 * would refuse becomes a fatal problem at its line, and the rest is still indexed so the
 * editor can point at it.
 */
export function readIni(text: string, file: IniFileKind): IniReading {
  const problems: IniProblem[] = [];
  const report: Report = (code, range, severity, message, fatal = false) => problems.push({ code, range, severity, message, fatal });
  const lines = splitLines(stripBom(text, report));
  const scan = scanLines(lines, file, report);
  const defaults = placeKeys(scan.keys, lines);
  reportSameProfileTwice(scan.sections, report);
  return { index: { sections: scan.sections, problems }, sections: cliSections(scan.sections, defaults) };
}

// The CLI refuses a file that starts with a BOM; say so, then read the rest as if it were not there.
function stripBom(text: string, report: Report): string {
  if (text.charCodeAt(0) !== 0xfeff) return text;
  report('bom', { line: 0, start: 0, end: 1 }, 'error', 'The file starts with a UTF-8 byte order mark (BOM). The AWS CLI refuses such a file: save it as UTF-8 without BOM.', true);
  return text.slice(1);
}

// Python's universal newlines: \r\n, \n and a lone \r all end a line.
function splitLines(body: string): string[] {
  return body.split(/\r?\n|\r/);
}

/**
 * configparser reads line by line with at most one open key: a more deeply indented line
 * continues its value, anything else closes it. Problems are reported in line order.
 */
function scanLines(lines: string[], file: IniFileKind, report: Report): { sections: IniSectionLine[]; keys: ScannedKey[] } {
  const sections: IniSectionLine[] = [];
  const keys: ScannedKey[] = [];
  const seenHeaders = new Set<string>();
  let current: OpenSection | undefined;
  let open: OpenKey | undefined;
  const closeKey = () => {
    if (open) keys.push({ section: current?.isDefaults ? undefined : current?.section, key: open });
    open = undefined;
  };

  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    const value = raw.trim();
    const isComment = value.startsWith('#') || value.startsWith(';');
    if (!value || isComment) {
      // configparser keeps blank lines inside a multi-line value, but not comment lines.
      if (!value && open) open.values.push('');
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    if (open && indent > open.indent) {
      open.values.push(value);
      continue;
    }
    closeKey();
    const header = readHeader(value, n, indent, file, seenHeaders, report);
    if (header) {
      current = header;
      if (!header.isDefaults) sections.push(header.section);
      continue;
    }
    if (!current) {
      report('unparsableLine', { line: n, start: indent, end: raw.length }, 'error', 'This line comes before any [section] header. The AWS CLI refuses the whole file: put it under a [profile NAME] section or remove it.', true);
      continue;
    }
    const keyLine = readKeyLine(value, n, indent);
    if (!keyLine) {
      report('unparsableLine', { line: n, start: indent, end: raw.length }, 'error', 'This line is neither a [section], a key = value line nor a comment. The AWS CLI refuses the whole file: fix or remove the line.', true);
      continue;
    }
    checkKeyLine(keyLine, current, report);
    open = { line: keyLine, values: [keyLine.value], indent };
  }
  closeKey();
  return { sections, keys };
}

// configparser's SECTCRE: a line that starts with `[` and has a `]` opens a section; a repeated header is fatal (strict mode).
function readHeader(value: string, n: number, indent: number, file: IniFileKind, seenHeaders: Set<string>, report: Report): OpenSection | undefined {
  const header = /^\[(.+)\]/.exec(value);
  if (!header) return undefined;
  const rawHeader = header[1];
  const range = { line: n, start: indent, end: indent + header[0].length };
  if (seenHeaders.has(rawHeader)) {
    report('duplicateSection', range, 'error', `[${rawHeader}] appears twice in this file. The AWS CLI refuses the whole file (every command fails): merge the two sections.`, true);
  }
  seenHeaders.add(rawHeader);
  if (rawHeader === 'DEFAULT') {
    // configparser's default section: its keys show up in every other section.
    return { section: { name: undefined, rawHeader, line: n, range, keys: [] }, isDefaults: true, seenKeys: new Set() };
  }
  const name = file === 'config' ? configSectionName(rawHeader) : rawHeader;
  if (name === undefined) {
    report('ignoredSection', range, 'info', `The AWS CLI ignores [${rawHeader}]: profiles in the config file are [profile NAME] (or [default]), also [sso-session NAME] and [services NAME].`);
  }
  return { section: { name, rawHeader, line: n, range, keys: [] }, isDefaults: false, seenKeys: new Set() };
}

// configparser's OPTCRE: the key is lowercased (optionxform); the value is the rest of the line, `;` and `#` included.
function readKeyLine(value: string, n: number, indent: number): IniKeyLine | undefined {
  const option = OPTION.exec(value);
  if (!option || !option[1]) return undefined;
  const rawKey = option[1];
  const valueText = option[3];
  const valueStart = indent + value.length - valueText.length;
  return {
    key: rawKey.toLowerCase(),
    rawKey,
    value: valueText,
    line: n,
    keyRange: { line: n, start: indent, end: indent + rawKey.length },
    valueRange: { line: n, start: valueStart, end: valueStart + valueText.length },
  };
}

// A key set twice in a section is fatal to the CLI (strict mode); case and inline comments are where the SDKs read the line differently.
function checkKeyLine(keyLine: IniKeyLine, current: OpenSection, report: Report): void {
  const { key, rawKey, value } = keyLine;
  if (current.seenKeys.has(key)) {
    report('duplicateKey', keyLine.keyRange, 'error', `${key} is set twice in [${current.section.rawHeader}]. The AWS CLI refuses the whole file (every command fails): keep one of them.`, true);
  }
  current.seenKeys.add(key);
  if (rawKey !== key) {
    report('keyCase', keyLine.keyRange, 'warning', `The AWS CLI reads "${rawKey}" as "${key}", but the AWS SDKs (and tools built on them) only know "${key}". Write it in lowercase.`);
  }
  if (SDK_INLINE_COMMENT.test(value)) {
    // A secret's value is never quoted: this text goes to the Problems panel and the tree.
    const shown = isSecretConfigKey(key) ? '' : ` ("${value}")`;
    report('inlineComment', keyLine.valueRange, 'warning', `The AWS CLI keeps the ";" or "#" text as part of the value of ${key}${shown}, while the AWS SDKs cut it off as a comment. Put comments on their own line.`);
  }
}

/**
 * Puts each scanned key into its section's list (or the returned [DEFAULT] list) with its
 * value complete: configparser joins the lines with \n and drops trailing blank lines.
 */
function placeKeys(keys: ScannedKey[], lines: string[]): IniKeyLine[] {
  const defaults: IniKeyLine[] = [];
  for (const { section, key } of keys) {
    const joined = key.values.join('\n').replace(/\s+$/, '');
    key.line.value = joined;
    const target = section ? section.keys : defaults;
    if (key.values.length > 1 && joined.startsWith('\n')) {
      key.line.value = '';
      target.push(key.line, ...nestedKeys(key.line, joined, lines));
    } else {
      target.push(key.line);
    }
  }
  return defaults;
}

// botocore's _parse_nested: `key =` followed by indented `sub = value` lines is a block of nested keys.
function nestedKeys(parent: IniKeyLine, joined: string, lines: string[]): IniKeyLine[] {
  const out: IniKeyLine[] = [];
  let n = parent.line;
  for (const sub of joined.split('\n')) {
    const trimmed = sub.trim();
    if (!trimmed) continue;
    while (n < lines.length && lines[n].trim() !== trimmed) n++;
    const eq = trimmed.indexOf('=');
    const subKey = eq >= 0 ? trimmed.slice(0, eq).trim() : trimmed;
    const subValue = eq >= 0 ? trimmed.slice(eq + 1).trim() : '';
    const indent = lines[n] ? lines[n].length - lines[n].trimStart().length : 0;
    const valueStart = lines[n] ? lines[n].lastIndexOf(subValue) : 0;
    out.push({
      key: subKey,
      rawKey: subKey,
      value: subValue,
      line: n,
      parent: parent.key,
      keyRange: { line: n, start: indent, end: indent + subKey.length },
      valueRange: { line: n, start: Math.max(0, valueStart), end: Math.max(0, valueStart) + subValue.length },
    });
  }
  return out;
}

// botocore's profile map keeps the later of two sections that name one profile; the earlier is ignored, which nobody expects.
function reportSameProfileTwice(sections: IniSectionLine[], report: Report): void {
  const definedAt = new Map<string, IniSectionLine>();
  for (const section of sections) {
    if (section.name === undefined) continue;
    const earlier = definedAt.get(section.name);
    if (earlier && earlier.rawHeader !== section.rawHeader) {
      const defaultClash = section.name === 'default';
      report(
        defaultClash ? 'shadowedDefault' : 'duplicateSection',
        earlier.range,
        'warning',
        defaultClash
          ? `Both [default] and [profile default] are in this file. The AWS CLI uses the later one ([${section.rawHeader}], line ${section.line + 1}) and ignores this one; the AWS SDKs always use [profile default]. Keep one.`
          : `[${earlier.rawHeader}] and [${section.rawHeader}] (line ${section.line + 1}) are the same profile to the AWS CLI, which uses the later one. Keep one.`,
      );
    }
    definedAt.set(section.name, section);
  }
}

// The values the CLI sees: one entry per section name, the later section replacing the earlier whole.
function cliSections(sections: IniSectionLine[], defaults: IniKeyLine[]): CliSections {
  const values: CliSections = {};
  for (const section of sections) {
    if (section.name !== undefined) values[section.name] = sectionValues(section, defaults);
  }
  return values;
}

// [DEFAULT]'s keys first (configparser), then the section's own; a parent of nested keys has no value of its own.
function sectionValues(section: IniSectionLine, defaults: IniKeyLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of defaults) out[d.parent ? `${d.parent}.${d.key}` : d.key] = d.value;
  for (const k of section.keys) {
    if (k.parent) out[`${k.parent}.${k.key}`] = k.value;
    else if (k.value !== '' || !section.keys.some((c) => c.parent === k.key)) out[k.key] = k.value;
  }
  return out;
}
