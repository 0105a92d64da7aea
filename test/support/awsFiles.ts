// Temporary AWS config/credentials files, written inline and read through the real reader.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAwsFiles } from '../../src/core/config/sharedFiles';
import { buildProfileSet, type ProfileSet } from '../../src/core/config/profiles';

/** A fresh temp directory; remove with removeTempDir. */
export async function makeTempDir(prefix = 'core-unit-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeTempDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Strips the common indentation of a template literal so INI files can be written inline. */
export function ini(text: string): string {
  // The indentation of section headers is the margin; deeper lines keep the rest
  // (sub-sections like `sts =`), lines pasted in with less are left as they are.
  const lines = text.replace(/^\n/, '').split('\n');
  const headers = lines.filter((l) => /^\s*\[/.test(l));
  const margin = Math.min(...(headers.length ? headers : lines.filter((l) => l.trim())).map((l) => /^ */.exec(l)![0].length));
  const strip = new RegExp(`^ {0,${Number.isFinite(margin) ? margin : 0}}`);
  return lines.map((l) => l.replace(strip, '')).join('\n');
}

/**
 * Writes `config` and (when given) `credentials` into dir and builds the profile set
 * through the real reader, the way the extension does.
 */
export async function profileSetFrom(dir: string, config: string | undefined, credentials?: string): Promise<ProfileSet> {
  const paths = { configPath: path.join(dir, 'config'), credentialsPath: path.join(dir, 'credentials') };
  await fs.rm(paths.configPath, { force: true });
  await fs.rm(paths.credentialsPath, { force: true });
  if (config !== undefined) await fs.writeFile(paths.configPath, ini(config));
  if (credentials !== undefined) await fs.writeFile(paths.credentialsPath, ini(credentials));
  return buildProfileSet(await loadAwsFiles(paths));
}
