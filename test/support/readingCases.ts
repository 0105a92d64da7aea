/**
 * How the AWS CLI reads odd shared files, as a table: each case is a config (and credentials) file
 * with what the CLI does with it (reads it, or refuses it) and what must hold of our reading.
 * test/unit/config/sharedFiles.test.ts checks our reading of every case; test/conformance/
 * cliReading.test.ts also reads each one with the AWS CLI v2's own botocore and compares.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { diagnoseConfig } from '../../src/core/config/diagnostics';
import { buildProfileSet, type ProfileSet } from '../../src/core/config/profiles';
import { loadAwsFiles, type AwsFilePaths, type AwsFiles } from '../../src/core/config/sharedFiles';
import { resolveSourceChain } from '../../src/core/config/sourceChain';

export interface ReadingCase {
  name: string;
  config: string;
  credentials?: string;
  /** What must hold of our reading beyond parity (so a case fails even if both sides agree on nonsense). */
  check?: (set: ProfileSet) => void;
  /** Problem codes our index must report. */
  problems?: string[];
  refused?: boolean;
}

export const READING_CASES: ReadingCase[] = [
  {
    name: 'odd names: quoted, extra spaces, non-ASCII, colon, mixed case in credentials',
    config: '[profile "quoted name"]\nregion = eu-west-1\n\n[profile   multi]\nregion = us-west-2\n\n[profile café]\nregion = ap-south-1\n\n[profile a:b]\nregion = eu-central-1\n',
    credentials: '[MixedCase]\naws_access_key_id = AKIAMIXEDCASE0000001\naws_secret_access_key = mixed-secret\n',
    check: (set) => {
      for (const n of ['quoted name', 'multi', 'café', 'a:b', 'MixedCase']) assert.ok(set.profiles.has(n), n);
      assert.equal(set.profiles.get('MixedCase')?.kind, 'static');
    },
    problems: ['sdkMissesSection'],
  },
  {
    name: 'key case and inline comments, as values the CLI keeps',
    config: '[profile dev]\nRegion = eu-west-1\nrole_arn = arn:aws:iam::222222222222:role/Dev ; the dev role\nsource_profile = base # keys\n\n[profile base]\nOutput: json\n',
    check: (set) => {
      assert.equal(set.profiles.get('dev')?.region, 'eu-west-1');
      assert.equal(set.profiles.get('dev')?.settings.role_arn, 'arn:aws:iam::222222222222:role/Dev ; the dev role');
      assert.equal(set.profiles.get('base')?.settings.output, 'json');
    },
    problems: ['keyCase', 'inlineComment'],
  },
  {
    name: '[default] and [profile default]: the later one wins',
    config: '[profile default]\nregion = eu-north-1\n\n[default]\nregion = us-east-2\noutput = text\n',
    check: (set) => assert.equal(set.profiles.get('default')?.region, 'us-east-2'),
    problems: ['shadowedDefault'],
  },
  {
    name: 'the same profile under two headers: the later section replaces the earlier one whole',
    config: '[profile later]\nregion = eu-west-1\n\n[profile  later]\noutput = json\n',
    check: (set) => assert.deepEqual(set.profiles.get('later')?.settings, { output: 'json' }),
    problems: ['duplicateSection'],
  },
  {
    name: 'CRLF, comments, blank lines, continuation lines and a services block',
    config:
      '# generated\r\n[profile ci]\r\nregion = us-east-1\r\n; comment\r\nservices = local\r\n\r\n[services local]\r\nsts =\r\n  endpoint_url = http://127.0.0.1:4566\r\n  signature_version = v4\r\n\r\n[sso-session corp]\r\nsso_start_url = https://corp.awsapps.com/start\r\nsso_region = eu-west-1\r\n\r\n[profile sso-dev]\r\nsso_session = corp\r\nsso_account_id = 123456789012\r\nsso_role_name = Dev\r\n',
    check: (set) => {
      assert.equal(set.services.local?.['sts.endpoint_url'], 'http://127.0.0.1:4566');
      assert.equal(set.profiles.get('sso-dev')?.kind, 'sso');
      assert.equal(set.profiles.has('local'), false);
    },
  },
  {
    name: 'headers the CLI ignores: [Profile x], [sso-session a b], [plain]',
    config: '[Profile upper]\nregion = x\n\n[plain]\nregion = y\n\n[profile kept]\nregion = z\n',
    check: (set) => assert.deepEqual([...set.profiles.keys()], ['kept']),
    problems: ['ignoredSection'],
  },
  {
    name: 'profile in both files: the credentials file wins key by key',
    config: '[profile both]\nregion = eu-west-1\naws_access_key_id = AKIAOLDKEY0000000001\n',
    credentials: '[both]\naws_access_key_id = AKIANEWKEY0000000001\naws_secret_access_key = new-secret\n',
    check: (set) => assert.equal(set.profiles.get('both')?.settings.aws_access_key_id, 'AKIANEWKEY0000000001'),
  },
  { name: 'a duplicate section: refused', config: '[profile a]\nregion = x\n\n[profile a]\nregion = y\n', refused: true, problems: ['duplicateSection'] },
  { name: 'a duplicate key: refused', config: '[profile a]\nregion = x\nREGION = y\n', refused: true, problems: ['duplicateKey'] },
  { name: 'a UTF-8 BOM: refused', config: '\ufeff[default]\nregion = x\n', refused: true, problems: ['bom'] },
  { name: 'a key before any section: refused', config: 'region = x\n[default]\nregion = y\n', refused: true, problems: ['unparsableLine'] },
  { name: 'a line that is no key: refused', config: '[default]\nregion = x\njust words\n', refused: true, problems: ['unparsableLine'] },
  { name: 'a duplicate section in the credentials file: refused', config: '[profile x]\nregion = x\n', credentials: '[x]\naws_access_key_id = A\n[x]\naws_access_key_id = B\n', refused: true, problems: ['duplicateSection'] },
];

export interface CaseReading {
  paths: AwsFilePaths;
  files: AwsFiles;
  set: ProfileSet;
}

/** Writes the case's files into `dir` (no credentials file unless the case has one) and reads them as the extension does. */
export async function readCase(dir: string, c: ReadingCase): Promise<CaseReading> {
  const paths = { configPath: path.join(dir, 'config'), credentialsPath: path.join(dir, 'credentials') };
  await fs.writeFile(paths.configPath, c.config);
  await fs.rm(paths.credentialsPath, { force: true });
  if (c.credentials !== undefined) await fs.writeFile(paths.credentialsPath, c.credentials);
  const files = await loadAwsFiles(paths);
  return { paths, files, set: buildProfileSet(files) };
}

/**
 * What must hold of our reading of a case, with or without the CLI: the problems it names; a file
 * the case says is refused is refused with a fatal problem at a line, nothing is resolved from it
 * and a diagnostic says why; any other file is read and passes the case's check.
 */
export function assertOurReading(c: ReadingCase, { files, set }: CaseReading): void {
  const ourProblems = [...files.configIndex.problems, ...files.credentialsIndex.problems];
  for (const code of c.problems ?? []) assert.ok(ourProblems.some((p) => p.code === code), `problem ${code} among ${ourProblems.map((p) => p.code).join(', ')}`);
  if (c.refused) {
    assert.ok(files.config.refused || files.credentials.refused, 'we refuse it too');
    const fatal = ourProblems.find((p) => p.fatal);
    assert.ok(fatal, 'with a fatal problem at a line');
    // Nothing is resolved from a refused file, and the error says which file and why.
    for (const name of set.profiles.keys()) {
      assert.throws(() => resolveSourceChain(set, name), /the AWS CLI refuses/);
    }
    assert.ok(diagnoseConfig(set).some((d) => d.code === fatal.code));
    return;
  }
  assert.ok(!files.config.refused && !files.credentials.refused, `we read the file: ${files.config.refused ?? files.credentials.refused}`);
  c.check?.(set);
}
