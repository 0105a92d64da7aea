/**
 * Where things are in a shared AWS file, line by line, as the AWS CLI reads it.
 * The AWS SDK's loader gives values but no positions; diagnostics and the tree need
 * both, so the file text is indexed once per read and kept next to the parsed sections.
 * (Types only for now; the scanner that fills them lives here too.)
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
  | 'unparsableLine';

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
