/**
 * Where things are in a shared AWS file, line by line, as the AWS CLI reads it.
 * The AWS SDK's loader gives values but no positions; diagnostics and the tree need
 * both, so the file text is indexed once per read and kept next to the parsed sections.
 * The scanner follows what the AWS CLI does: botocore reads each file with Python's
 * `configparser.RawConfigParser` (strict: duplicates are fatal; keys lowercased; `=` or `:`
 * delimits; indented lines continue a value; no inline comments) and then maps sections to
 * profiles with `shlex.split` on the header (botocore/configloader.py build_profile_map).
 */

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

interface OpenKey {
  line: IniKeyLine;
  values: string[];
  indent: number;
}

/**
 * Indexes one shared file and reads it as the AWS CLI would. Never throws: whatever the CLI
 * would refuse becomes a fatal problem at its line, and the rest is still indexed so the
 * editor can point at it.
 */
export function readIni(text: string, file: IniFileKind): IniReading {
  const sections: IniSectionLine[] = [];
  const problems: IniProblem[] = [];
  const problem = (code: IniProblemCode, range: IniRange, severity: IniProblem['severity'], message: string, fatal = false) => problems.push({ code, range, severity, message, fatal });

  let body = text;
  if (body.charCodeAt(0) === 0xfeff) {
    problem('bom', { line: 0, start: 0, end: 1 }, 'error', 'The file starts with a UTF-8 byte order mark (BOM). The AWS CLI refuses such a file: save it as UTF-8 without BOM.', true);
    body = body.slice(1);
  }
  const lines = body.split(/\r?\n|\r/);

  let current: IniSectionLine | undefined;
  let currentIsDefaults = false;
  const defaults: IniKeyLine[] = [];
  const seenHeaders = new Set<string>();
  let seenKeys = new Set<string>();
  let open: OpenKey | undefined;
  const finished: { section: IniSectionLine | undefined; key: OpenKey }[] = [];
  const closeKey = () => {
    if (open) finished.push({ section: currentIsDefaults ? undefined : current, key: open });
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
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      const rawHeader = header[1];
      const range = { line: n, start: indent, end: indent + header[0].length };
      if (seenHeaders.has(rawHeader)) {
        problem('duplicateSection', range, 'error', `[${rawHeader}] appears twice in this file. The AWS CLI refuses the whole file (every command fails): merge the two sections.`, true);
      }
      seenHeaders.add(rawHeader);
      seenKeys = new Set();
      if (rawHeader === 'DEFAULT') {
        // configparser's default section: its keys show up in every other section.
        currentIsDefaults = true;
        current = { name: undefined, rawHeader, line: n, range, keys: [] };
        continue;
      }
      currentIsDefaults = false;
      const name = file === 'config' ? configSectionName(rawHeader) : rawHeader;
      current = { name, rawHeader, line: n, range, keys: [] };
      sections.push(current);
      if (name === undefined) {
        problem('ignoredSection', range, 'info', `The AWS CLI ignores [${rawHeader}]: profiles in the config file are [profile NAME] (or [default]), also [sso-session NAME] and [services NAME].`);
      }
      continue;
    }
    if (!current) {
      problem('unparsableLine', { line: n, start: indent, end: raw.length }, 'error', 'This line comes before any [section] header. The AWS CLI refuses the whole file: put it under a [profile NAME] section or remove it.', true);
      continue;
    }
    const option = OPTION.exec(value);
    if (!option || !option[1]) {
      problem('unparsableLine', { line: n, start: indent, end: raw.length }, 'error', 'This line is neither a [section], a key = value line nor a comment. The AWS CLI refuses the whole file: fix or remove the line.', true);
      continue;
    }
    const rawKey = option[1];
    const key = rawKey.toLowerCase();
    const valueText = option[3];
    const valueStart = indent + value.length - valueText.length;
    const keyLine: IniKeyLine = {
      key,
      rawKey,
      value: valueText,
      line: n,
      keyRange: { line: n, start: indent, end: indent + rawKey.length },
      valueRange: { line: n, start: valueStart, end: valueStart + valueText.length },
    };
    if (seenKeys.has(key)) {
      problem('duplicateKey', keyLine.keyRange, 'error', `${key} is set twice in [${current.rawHeader}]. The AWS CLI refuses the whole file (every command fails): keep one of them.`, true);
    }
    seenKeys.add(key);
    if (rawKey !== key) {
      problem('keyCase', keyLine.keyRange, 'warning', `The AWS CLI reads "${rawKey}" as "${key}", but the AWS SDKs (and tools built on them) only know "${key}". Write it in lowercase.`);
    }
    if (SDK_INLINE_COMMENT.test(valueText)) {
      problem('inlineComment', keyLine.valueRange, 'warning', `The AWS CLI keeps the ";" or "#" text as part of the value of ${key} ("${valueText}"), while the AWS SDKs cut it off as a comment. Put comments on their own line.`);
    }
    open = { line: keyLine, values: [valueText], indent };
  }
  closeKey();

  // Join multi-line values (configparser joins with \n and drops trailing blank lines), and
  // turn `key =` followed by indented `sub = value` lines into nested keys (botocore _parse_nested).
  for (const { section, key } of finished) {
    const joined = key.values.join('\n').replace(/\s+$/, '');
    key.line.value = joined;
    const target = section ? section.keys : defaults;
    if (key.values.length > 1 && joined.startsWith('\n')) {
      key.line.value = '';
      target.push(key.line);
      let n = key.line.line;
      for (const sub of joined.split('\n')) {
        const trimmed = sub.trim();
        if (!trimmed) continue;
        while (n < lines.length && lines[n].trim() !== trimmed) n++;
        const eq = trimmed.indexOf('=');
        const subKey = eq >= 0 ? trimmed.slice(0, eq).trim() : trimmed;
        const subValue = eq >= 0 ? trimmed.slice(eq + 1).trim() : '';
        const indent = lines[n] ? lines[n].length - lines[n].trimStart().length : 0;
        const valueStart = lines[n] ? lines[n].lastIndexOf(subValue) : 0;
        target.push({
          key: subKey,
          rawKey: subKey,
          value: subValue,
          line: n,
          parent: key.line.key,
          keyRange: { line: n, start: indent, end: indent + subKey.length },
          valueRange: { line: n, start: Math.max(0, valueStart), end: Math.max(0, valueStart) + subValue.length },
        });
      }
    } else {
      target.push(key.line);
    }
  }

  const values: CliSections = {};
  const definedAt = new Map<string, IniSectionLine>();
  for (const section of sections) {
    if (section.name === undefined) continue;
    const earlier = definedAt.get(section.name);
    if (earlier && earlier.rawHeader !== section.rawHeader) {
      const defaultClash = section.name === 'default';
      problem(
        defaultClash ? 'shadowedDefault' : 'duplicateSection',
        earlier.range,
        'warning',
        defaultClash
          ? `Both [default] and [profile default] are in this file. The AWS CLI uses the later one ([${section.rawHeader}], line ${section.line + 1}) and ignores this one; the AWS SDKs always use [profile default]. Keep one.`
          : `[${earlier.rawHeader}] and [${section.rawHeader}] (line ${section.line + 1}) are the same profile to the AWS CLI, which uses the later one. Keep one.`,
      );
    }
    definedAt.set(section.name, section);
    const out: Record<string, string> = {};
    for (const d of defaults) out[d.parent ? `${d.parent}.${d.key}` : d.key] = d.value;
    for (const k of section.keys) {
      if (k.parent) out[`${k.parent}.${k.key}`] = k.value;
      else if (k.value !== '' || !section.keys.some((c) => c.parent === k.key)) out[k.key] = k.value;
    }
    values[section.name] = out;
  }
  return { index: { sections, problems }, sections: values };
}
