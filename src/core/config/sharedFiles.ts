import { promises as fs } from 'node:fs';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { readIni, type IniIndex, type IniReading, type IniSectionLine } from './iniDocument';

export type IniSections = Record<string, Record<string, string | undefined>>;

export { expandHome, resolveAwsFilePaths, type AwsFilePaths, type PathOverrides } from './filePaths';
import type { AwsFilePaths } from './filePaths';

export interface FileState {
  path: string;
  /** 'ok' when read; 'missing' is normal for a credentials file; 'error' carries a message for the user. */
  status: 'ok' | 'missing' | 'error';
  error?: string;
  /** Set when the AWS CLI would refuse the file (duplicate section or key, BOM, stray line): what and where. */
  refused?: string;
}

export interface AwsFiles {
  paths: AwsFilePaths;
  config: FileState;
  credentials: FileState;
  /** `[profile x]` sections keyed by `x`, `[default]`, plus `sso-session.x` and `services.x` sections. */
  configSections: IniSections;
  credentialsSections: IniSections;
  /** Line positions and file-level problems of each file (empty when the file is missing). */
  configIndex: IniIndex;
  credentialsIndex: IniIndex;
}

async function checkFile(p: string): Promise<FileState> {
  try {
    const stat = await fs.stat(p);
    if (stat.isDirectory()) {
      return { path: p, status: 'error', error: `${p} is a directory, not a file. Point the setting or environment variable at the file itself.` };
    }
    await fs.access(p, fs.constants.R_OK);
    return { path: p, status: 'ok' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: p, status: 'missing' };
    if (code === 'EACCES' || code === 'EPERM') {
      return { path: p, status: 'error', error: `${p} cannot be read (permission denied). Fix its permissions, e.g. chmod 600.` };
    }
    return { path: p, status: 'error', error: `${p} cannot be read: ${code ?? String(e)}.` };
  }
}

async function readText(state: FileState): Promise<string | undefined> {
  if (state.status !== 'ok') return undefined;
  try {
    return await fs.readFile(state.path, 'utf8');
  } catch (e) {
    // Replaced or removed between the check and the read: treat it as the check would.
    const code = (e as NodeJS.ErrnoException).code;
    state.status = code === 'ENOENT' ? 'missing' : 'error';
    if (state.status === 'error') state.error = `${state.path} cannot be read: ${code ?? String(e)}.`;
    return undefined;
  }
}

/**
 * Adds an info problem at each section the AWS CLI reads but the AWS SDK's loader skipped
 * (names its reader does not accept; see the README's "How the files are read"), because
 * SDK-based tools read the same file and will not see that profile. Only the SDK's section
 * names are used: every value comes from the CLI's reading.
 */
export function reportSectionsSdkSkips(sdk: Record<string, unknown>, cli: IniReading): void {
  const last = new Map<string, IniSectionLine>();
  for (const section of cli.index.sections) if (section.name !== undefined) last.set(section.name, section);
  for (const [name, section] of last) {
    if (!(name in cli.sections) || name.startsWith('services.')) continue;
    if (Object.prototype.hasOwnProperty.call(sdk, name)) continue;
    cli.index.problems.push({
      code: 'sdkMissesSection',
      range: section.range,
      severity: 'info',
      fatal: false,
      message: `The AWS CLI reads [${section.rawHeader}], but the AWS SDKs (and tools built on them, such as Terraform) skip it: their reader only accepts letters, digits and - _ @ + . % : / in names, one space after the prefix, and no quotes.`,
    });
  }
}

function refusal(reading: IniReading | undefined): string | undefined {
  const fatal = reading?.index.problems.find((p) => p.fatal);
  return fatal && `line ${fatal.range.line + 1}: ${fatal.message}`;
}

/**
 * Reads both shared files as the AWS CLI does (readIni), with the line positions diagnostics
 * need. The AWS SDK's own loader reads them too, only to tell which sections SDK-based tools
 * would miss. The loader swallows read errors, so each file is checked first to tell
 * "missing" from "unreadable".
 */
export async function loadAwsFiles(paths: AwsFilePaths): Promise<AwsFiles> {
  const [config, credentials] = await Promise.all([checkFile(paths.configPath), checkFile(paths.credentialsPath)]);
  const [configText, credentialsText, loaded] = await Promise.all([
    readText(config),
    readText(credentials),
    loadSharedConfigFiles({
      configFilepath: paths.configPath,
      filepath: paths.credentialsPath,
      // The loader memoises file reads per path; we re-read on every change.
      ignoreCache: true,
    }),
  ]);
  const configReading = configText === undefined ? undefined : readIni(configText, 'config');
  const credentialsReading = credentialsText === undefined ? undefined : readIni(credentialsText, 'credentials');
  config.refused = refusal(configReading);
  credentials.refused = refusal(credentialsReading);
  // A file the CLI refuses contributes nothing, as for the CLI: using a guess of it would surprise.
  const configUsed = config.refused ? undefined : configReading;
  const credentialsUsed = credentials.refused ? undefined : credentialsReading;
  if (configUsed) reportSectionsSdkSkips(loaded.configFile, configUsed);
  if (credentialsUsed) reportSectionsSdkSkips(loaded.credentialsFile, credentialsUsed);
  return {
    paths,
    config,
    credentials,
    configSections: configUsed?.sections ?? {},
    credentialsSections: credentialsUsed?.sections ?? {},
    configIndex: configReading?.index ?? { sections: [], problems: [] },
    credentialsIndex: credentialsReading?.index ?? { sections: [], problems: [] },
  };
}
