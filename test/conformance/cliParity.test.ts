/**
 * Parity with the AWS CLI: for each profile of a real-world-shaped corpus, the AWS CLI v1
 * (botocore's AssumeRoleProvider) and our core resolve the profile against the same
 * strict loopback STS, and the AssumeRole requests it recorded are compared hop by hop:
 * RoleArn, RoleSessionName (when a profile sets one), ExternalId, SerialNumber,
 * DurationSeconds, who signed (the source credentials) and the signing region.
 * Where the CLI refuses a profile, we must refuse it too, for the same reason.
 *
 * Why v1: it honours AWS_ENDPOINT_URL_STS in its own assume-role provider, so its
 * AssumeRole calls reach the loopback STS; the Debian v2.9 (/usr/bin/aws) ignores endpoint
 * overrides there. The v1 CLI comes with the machine's Python (pyenv, awscli 1.45.x).
 *
 * To add a source kind (credential_process, credential_source, SSO, web identity), add
 * profiles to the fixture files (test/conformance/fixtures/cliParity/) and a row to CORPUS;
 * a row's `env` goes to both sides.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STSClient, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { loadAwsFiles, type AwsFilePaths } from '../../src/core/config/sharedFiles';
import { systemClock } from '../../src/core/clock';
import { RoleSwitchError, type ErrorCode } from '../../src/core/errors';
import { buildProfileSet } from '../../src/core/config/profiles';
import type { Session } from '../../src/core/session/session';
import { resolveSession } from '../../src/core/session/resolveSession';
import { createCredentialSourceApi } from '../../src/core/credentials/sdkCredentialSources';
import { createStsApi } from '../../src/core/credentials/stsClient';
import type { StsApi } from '../../src/core/credentials/stsApi';
import { cleanEnv, type CliCommand } from '../support/awsCliV1';
import { requireAwsCliV1 } from '../support/externalTools';
import { readFixture } from '../support/fixtures';
import { LoopbackSts, type FakeUser, type RecordedRequest } from '../support/loopbackSts';

// ---------------------------------------------------------------------------
// Who exists in the loopback STS. All users live in account 111111111111.

const user = (name: string, keySuffix: string): FakeUser => ({
  arn: `arn:aws:iam::111111111111:user/${name}`,
  accessKeyId: `AKIAPARITY${keySuffix.padEnd(10, '0')}`,
  secretAccessKey: `${name}-parity-secret-0123456789abcdefghij`,
});
const ALICE = user('alice', 'ALICE'); // credentials [base]
const BOB = user('bob', 'BOB'); // static keys in the config file ([profile ci])
const CAROL = user('carol', 'CAROL'); // stale keys in config, real ones in credentials
const DAVE = user('dave', 'DAVE'); // a role profile that names itself as source
const ERIN = user('erin', 'ERIN'); // keys and role_arn in one profile
const FRANK = user('frank', 'FRANK'); // CRLF files
const USERS_ROOT = 'arn:aws:iam::111111111111:root';

// Where the credential_process script and the OIDC token file live (written in before()).
const SOURCES_DIR = path.join(os.tmpdir(), `cli-parity-sources-${process.pid}`);
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.parity-oidc.signature';

const ROLE = {
  webApp: 'arn:aws:iam::111111111111:role/WebApp',
  admin: 'arn:aws:iam::222222222222:role/Admin',
  readOnly: 'arn:aws:iam::222222222222:role/ops/ReadOnly',
  partner: 'arn:aws:iam::222222222222:role/Partner',
  secure: 'arn:aws:iam::222222222222:role/Secure',
  jump: 'arn:aws:iam::333333333333:role/Jump',
  breakGlass: 'arn:aws:iam::333333333333:role/BreakGlass',
  prod: 'arn:aws:iam::444444444444:role/Prod',
  deploy: 'arn:aws:iam::555555555555:role/Deploy',
};
const PARTNER_EXTERNAL_ID = 'partner-7f3a';
const ALICE_MFA = 'arn:aws:iam::111111111111:mfa/alice';
const FRANK_MFA = 'arn:aws:iam::111111111111:mfa/frank';

function newLoopbackSts(): LoopbackSts {
  return new LoopbackSts({
    users: [ALICE, BOB, CAROL, DAVE, ERIN, FRANK],
    roles: [
      { arn: ROLE.admin, trustedPrincipals: [USERS_ROOT], maxSessionDuration: 43200 },
      { arn: ROLE.webApp, trustedPrincipals: [], webIdentityTokens: [OIDC_TOKEN] },
      { arn: ROLE.readOnly, trustedPrincipals: [USERS_ROOT], maxSessionDuration: 14400 },
      { arn: ROLE.partner, trustedPrincipals: [USERS_ROOT], externalId: PARTNER_EXTERNAL_ID, maxSessionDuration: 7200 },
      { arn: ROLE.secure, trustedPrincipals: [ALICE.arn, FRANK.arn], requireMfa: true, maxSessionDuration: 43200 },
      { arn: ROLE.jump, trustedPrincipals: [USERS_ROOT] },
      { arn: ROLE.breakGlass, trustedPrincipals: [ALICE.arn], requireMfa: true },
      { arn: ROLE.prod, trustedPrincipals: [ROLE.jump, ROLE.breakGlass] },
      { arn: ROLE.deploy, trustedPrincipals: [ROLE.prod] },
    ],
    mfaDevices: [
      { serial: ALICE_MFA, userArn: ALICE.arn, code: '000000' },
      { serial: FRANK_MFA, userArn: FRANK.arn, code: '000000' },
    ],
  });
}

// ---------------------------------------------------------------------------
// The corpus files, shaped like hand-kept ~/.aws files, are in test/conformance/fixtures/cliParity/:
// main/ (comments, keys in both files, every source kind) and windows/ (edited on Windows: comments
// of both kinds, blank lines with spaces; written with CRLF line endings). Their {{placeholders}}
// are the identities above; `temp` (a GetSessionToken session pasted into the credentials file)
// is issued by the loopback STS at start-up.

interface TempKeys { accessKeyId: string; secretAccessKey: string; sessionToken: string }

const FIXTURES = 'test/conformance/fixtures/cliParity';

function fixtureValues(temp: TempKeys): Record<string, string> {
  const values: Record<string, string> = {
    partnerExternalId: PARTNER_EXTERNAL_ID,
    aliceMfa: ALICE_MFA,
    frankMfa: FRANK_MFA,
    node: process.execPath,
    sourcesDir: SOURCES_DIR,
  };
  for (const [name, arn] of Object.entries(ROLE)) values[`role.${name}`] = arn;
  for (const [name, u] of Object.entries({ alice: ALICE, bob: BOB, carol: CAROL, dave: DAVE, erin: ERIN, frank: FRANK })) {
    values[`${name}.accessKeyId`] = u.accessKeyId;
    values[`${name}.secretAccessKey`] = u.secretAccessKey;
  }
  for (const [k, v] of Object.entries(temp)) values[`temp.${k}`] = v;
  return values;
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

// ---------------------------------------------------------------------------
// The corpus. A row is one profile resolved both ways.

type FileSet = 'main' | 'windows';

interface Hop {
  roleArn: string;
  /** Who signs this hop: a key id from the files (first hop) or the role whose session signs it. */
  signedBy: string;
}

interface ParityRow {
  profile: string;
  files: FileSet;
  /** What the row proves, in the words of the CLI's rules. */
  shape: string;
  /** Extra environment for both the CLI and our core (e.g. a region, or a future source's variables). */
  env?: Record<string, string>;
  /**
   * The AssumeRole calls the CLI makes, as a check on the corpus itself (the comparison is CLI vs ours).
   * Absent: neither side may call STS.
   */
  hops?: Hop[];
  /** Both sides must fail: the CLI's wording, our error code (and wording), and the facts both messages must name. */
  error?: { cli: RegExp; ours: ErrorCode; oursSays?: RegExp; facts: string[] };
  /** A difference we know of: the comparison must fail, with a message matching `shows`. */
  knownDifference?: { note: string; shows: RegExp };
}

const signedByUser = (u: FakeUser) => u.accessKeyId;
const signedByRole = (roleArn: string) => roleArn;

const CORPUS: ParityRow[] = [
  { profile: 'admin', files: 'main', shape: 'role from static keys in the credentials file; defaults only', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }] },
  { profile: 'tuned', files: 'main', shape: 'role_session_name and duration_seconds set; role on a path', hops: [{ roleArn: ROLE.readOnly, signedBy: signedByUser(ALICE) }] },
  { profile: 'partner', files: 'main', shape: 'external_id', hops: [{ roleArn: ROLE.partner, signedBy: signedByUser(ALICE) }] },
  { profile: 'ci-deploy', files: 'main', shape: 'source with static keys in the config file; duration_seconds = 900', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(BOB) }] },
  { profile: 'ops', files: 'main', shape: 'role profile defined only in the credentials file', hops: [{ roleArn: ROLE.readOnly, signedBy: signedByUser(ALICE) }] },
  {
    profile: 'prod',
    files: 'main',
    shape: 'two hops; the inner hop sets role_session_name, the picked one does not; region from the picked profile',
    hops: [
      { roleArn: ROLE.jump, signedBy: signedByUser(ALICE) },
      { roleArn: ROLE.prod, signedBy: signedByRole(ROLE.jump) },
    ],
  },
  {
    profile: 'deploy',
    files: 'main',
    shape: 'three hops; session names and duration belong to each hop\'s own profile',
    hops: [
      { roleArn: ROLE.jump, signedBy: signedByUser(ALICE) },
      { roleArn: ROLE.prod, signedBy: signedByRole(ROLE.jump) },
      { roleArn: ROLE.deploy, signedBy: signedByRole(ROLE.prod) },
    ],
  },
  { profile: 'hybrid', files: 'main', shape: 'picked profile with role_arn and keys: the role is assumed with its source_profile', hops: [{ roleArn: ROLE.jump, signedBy: signedByUser(ALICE) }] },
  { profile: 'via-hybrid', files: 'main', shape: 'on a later hop a source profile\'s static keys win over its own role_arn', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ERIN) }] },
  { profile: 'self-admin', files: 'main', shape: 'profile naming itself as source_profile, with static keys', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(DAVE) }] },
  { profile: 'secure', files: 'main', shape: 'mfa_serial on the picked hop; duration_seconds = 43200', hops: [{ roleArn: ROLE.secure, signedBy: signedByUser(ALICE) }] },
  {
    profile: 'prod-emergency',
    files: 'main',
    shape: 'mfa_serial on the inner hop only (not inherited by the picked profile)',
    hops: [
      { roleArn: ROLE.breakGlass, signedBy: signedByUser(ALICE) },
      { roleArn: ROLE.prod, signedBy: signedByRole(ROLE.breakGlass) },
    ],
  },
  { profile: 'env-region', files: 'main', shape: 'no region in the profile: AWS_DEFAULT_REGION', env: { AWS_DEFAULT_REGION: 'ap-southeast-2' }, hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }] },
  { profile: 'split', files: 'main', shape: 'profile in both files: the credentials file wins key by key', hops: [{ roleArn: ROLE.partner, signedBy: signedByUser(ALICE) }] },
  { profile: 'carol-admin', files: 'main', shape: 'source keys in both files: the credentials file\'s keys win', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(CAROL) }] },
  { profile: 'temp-admin', files: 'main', shape: 'source with temporary keys (aws_session_token) from GetSessionToken', hops: [{ roleArn: ROLE.admin, signedBy: 'temp' }] },
  { profile: 'win-partner', files: 'windows', shape: 'CRLF files with comments: session name, external_id, duration', hops: [{ roleArn: ROLE.partner, signedBy: signedByUser(FRANK) }] },
  { profile: 'win-secure', files: 'windows', shape: 'CRLF files: mfa_serial', hops: [{ roleArn: ROLE.secure, signedBy: signedByUser(FRANK) }] },
  {
    profile: 'win-prod',
    files: 'windows',
    shape: 'CRLF files: two hops, inner profile without region',
    hops: [
      { roleArn: ROLE.jump, signedBy: signedByUser(FRANK) },
      { roleArn: ROLE.prod, signedBy: signedByRole(ROLE.jump) },
    ],
  },

  { profile: 'sloppy-duration', files: 'main', shape: 'duration_seconds that is not a number is ignored', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }] },

  // Sources other than keys: the source is resolved by each side's own provider, the hop compared.
  { profile: 'via-process', files: 'main', shape: 'credential_process as the source', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }] },
  { profile: 'via-proc-and-keys', files: 'main', shape: 'source with keys in the config file and credential_process: the process wins', hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }] },
  { profile: 'via-environment', files: 'main', shape: 'credential_source = Environment', env: { AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey }, hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }] },
  { profile: 'via-web', files: 'main', shape: 'web identity (AssumeRoleWithWebIdentity) as the source', hops: [{ roleArn: ROLE.admin, signedBy: signedByRole(ROLE.webApp) }] },

  // Profiles STS refuses: both send the same request and both fail for the same reason.
  {
    profile: 'prod-long',
    files: 'main',
    shape: 'duration_seconds over the role-chaining limit on a chained hop',
    hops: [
      { roleArn: ROLE.jump, signedBy: signedByUser(ALICE) },
      { roleArn: ROLE.prod, signedBy: signedByRole(ROLE.jump) },
    ],
    error: { cli: /ValidationError.*1 hour session limit/, ours: 'DurationTooLong', facts: ['role chaining'] },
  },
  {
    profile: 'partner-typo',
    files: 'main',
    shape: 'wrong external_id',
    hops: [{ roleArn: ROLE.partner, signedBy: signedByUser(ALICE) }],
    error: { cli: /AccessDenied/, ours: 'AccessDenied', facts: [ROLE.partner, 'not authorized'] },
  },
  {
    profile: 'prod-mfa',
    files: 'main',
    shape: 'mfa_serial on a chained hop (a role session has no MFA device)',
    hops: [
      { roleArn: ROLE.jump, signedBy: signedByUser(ALICE) },
      { roleArn: ROLE.prod, signedBy: signedByRole(ROLE.jump) },
    ],
    error: { cli: /AccessDenied.*unable to validate MFA code/, ours: 'AccessDenied', oursSays: /role session, which has no MFA device/, facts: [ALICE_MFA] },
  },

  // Profiles both must refuse before calling STS.
  { profile: 'dangling', files: 'main', shape: 'missing source_profile', error: { cli: /does not exist/, ours: 'MissingSourceProfile', facts: ['"ghost"', 'dangling', 'does not exist'] } },
  { profile: 'loop-a', files: 'main', shape: 'source_profile cycle of two', error: { cli: /Infinite loop/, ours: 'SourceProfileCycle', facts: ['loop-a', 'loop-b'] } },
  { profile: 'narcissus', files: 'main', shape: 'profile naming itself without static keys', error: { cli: /Infinite loop/, ours: 'SourceProfileCycle', facts: ['narcissus'] } },
  { profile: 'conflicted', files: 'main', shape: 'both source_profile and credential_source', error: { cli: /contains both/, ours: 'ConflictingSource', facts: ['conflicted', 'both source_profile and credential_source'] } },
  { profile: 'orphan', files: 'main', shape: 'role_arn without any source', error: { cli: /missing: source_profile or credential_source/, ours: 'InvalidProfile', facts: ['source_profile', 'credential_source'] } },
  { profile: 'via-orphan', files: 'main', shape: 'inner hop with role_arn but no source and no keys', error: { cli: /missing: source_profile or credential_source/, ours: 'InvalidProfile', facts: ['source_profile', 'credential_source'] } },
  { profile: 'typo-source', files: 'main', shape: 'unknown credential_source', error: { cli: /is not valid/, ours: 'InvalidProfile', facts: ['Ec2Metadata', 'typo-source', 'not valid'] } },
  { profile: 'via-hollow', files: 'main', shape: 'source profile without any credentials', error: { cli: /must have credentials/, ours: 'UnsupportedSource', facts: ['"hollow"', 'credentials'] } },
  {
    profile: 'too-short',
    files: 'main',
    shape: 'duration_seconds under the 900 s minimum (the CLI validates it before sending)',
    error: { cli: /Invalid value for parameter DurationSeconds, value: 600, valid min value: 900/, ours: 'InvalidProfile', facts: ['600', '900'] },
  },
  { profile: 'one-letter-session', files: 'main', shape: 'role_session_name under the 2-character minimum (botocore validates it)', error: { cli: /Invalid length for parameter RoleSessionName, value: 1, valid min length: 2/, ours: 'InvalidProfile', facts: ['RoleSessionName', '2'] } },
  { profile: 'one-letter-external-id', files: 'main', shape: 'external_id under the 2-character minimum', error: { cli: /Invalid length for parameter ExternalId, value: 1, valid min length: 2/, ours: 'InvalidProfile', facts: ['ExternalId', '2'] } },
  { profile: 'empty-external-id', files: 'main', shape: 'external_id set but empty: sent, and refused', error: { cli: /Invalid length for parameter ExternalId, value: 0, valid min length: 2/, ours: 'InvalidProfile', facts: ['ExternalId', '2'] } },
  { profile: 'via-half-keys', files: 'main', shape: 'source profile with aws_access_key_id only', error: { cli: /Partial credentials found.*missing: aws_secret_access_key/, ours: 'UnsupportedSource', facts: ['aws_secret_access_key'] } },

  // Known differences, not fixed yet: each row checks the difference is still there, so fixing it
  // fails the row on purpose; then drop `knownDifference` and it becomes an ordinary row.
  {
    profile: 'admin',
    files: 'main',
    shape: 'AWS_DEFAULT_REGION and a profile region',
    env: { AWS_DEFAULT_REGION: 'ap-south-1' },
    hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }],
  },
  {
    profile: 'too-long',
    files: 'main',
    shape: 'duration_seconds over the 43200 s maximum of the API',
    hops: [{ roleArn: ROLE.admin, signedBy: signedByUser(ALICE) }],
    error: { cli: /ValidationError.*less than or equal to 43200/, ours: 'InvalidProfile', facts: ['50000', '43200'] },
    knownDifference: {
      note: 'deliberate: botocore checks only the minimum before sending, so the CLI sends and STS refuses; we refuse before calling STS (and before asking for an MFA code), for the same reason',
      shows: /AssumeRole requests differ for too-long/,
    },
  },
  {
    profile: 'commented',
    files: 'main',
    shape: 'inline comment after a value: kept in the value by both (STS refuses the ExternalId)',
    hops: [{ roleArn: ROLE.partner, signedBy: signedByUser(ALICE) }],
    error: { cli: /ValidationError/, ours: 'ValidationError', facts: ['externalId'] },
  },
];

// ---------------------------------------------------------------------------
// Running the AWS CLI v1.

interface CliResult { code: number; stdout: string; stderr: string }
interface CliRun extends CliResult { requests: RecordedRequest[] }
interface CoreRun { session?: Session; error?: unknown; requests: RecordedRequest[]; mfaAsked: string[] }

function runCli(cli: CliCommand, env: NodeJS.ProcessEnv, profile: string, stdin: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // detached: a new session without a controlling terminal, so getpass cannot open
    // /dev/tty and falls back to reading the MFA code from stdin.
    const child = spawn(cli.file, [...cli.args, 'sts', 'get-caller-identity', '--profile', profile, '--output', 'json'], { env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

// ---------------------------------------------------------------------------
// Comparing recorded requests.

/** What one AssumeRole request says, with the signer reduced to something both sides share. */
interface HopView {
  RoleArn?: string;
  RoleSessionName?: string;
  ExternalId?: string;
  SerialNumber?: string;
  DurationSeconds?: string;
  signedBy: string;
  region?: string;
  status: number;
}

// Later hops are signed with temporary keys the loopback STS issued to each side separately,
// so they are compared by the role whose session signed them.
function signerOf(r: RecordedRequest, fileKeys: ReadonlyMap<string, string>): string {
  const fromFile = r.accessKeyId && fileKeys.get(r.accessKeyId);
  if (fromFile) return fromFile;
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/(.+)\/[^/]+$/.exec(r.callerArn ?? '');
  if (!m) return `unknown key ${r.accessKeyId} (${r.callerArn})`;
  return Object.values(ROLE).find((arn) => arn.startsWith(`arn:aws:iam::${m[1]}:role/`) && arn.endsWith(`/${m[2]}`)) ?? r.callerArn!;
}

const CLI_DEFAULT_SESSION = /^botocore-session-\d+$/;
const OUR_DEFAULT_SESSION = 'parity-default-session';

function hopViews(requests: RecordedRequest[], fileKeys: ReadonlyMap<string, string>): HopView[] {
  return requests
    .filter((r) => r.action === 'AssumeRole')
    .map((r) => {
      const p = r.params;
      const view: HopView = { signedBy: signerOf(r, fileKeys), region: r.region, status: r.status };
      for (const k of ['RoleArn', 'RoleSessionName', 'ExternalId', 'SerialNumber', 'DurationSeconds'] as const) if (p[k] !== undefined) view[k] = p[k];
      return view;
    });
}

/** Replaces each side's own default session name by one marker, so set names are compared exactly. */
function withDefaultSessionMarked(views: HopView[], isDefault: (name: string) => boolean): HopView[] {
  return views.map((v) => (v.RoleSessionName !== undefined && isDefault(v.RoleSessionName) ? { ...v, RoleSessionName: '<default>' } : v));
}

const roleOfSessionArn = (arn: string) => arn.replace(/\/[^/]+$/, '');

// ---------------------------------------------------------------------------

describe('AWS CLI parity: AssumeRole requests', function () {
  // Per test: one CLI run (0.4-1 s; the process is killed after 20 s) and our side. The whole
  // file takes 15-25 s for ~36 rows.
  this.timeout(30_000);

  let cli: CliCommand;
  let sts: LoopbackSts;
  let url: string;
  let tmp: string;
  let stsApi: StsApi;
  let mfaCounter = 0;
  const fileSets = new Map<FileSet, AwsFilePaths>();
  /** Access key id -> how hops signed with it are named in the comparison. */
  const fileKeys = new Map<string, string>();

  before(async function () {
    cli = requireAwsCliV1();
    sts = newLoopbackSts();
    url = (await sts.start()).url;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-parity-'));
    stsApi = createStsApi({ requestTimeoutMs: 5_000, maxAttempts: 1 });

    fs.mkdirSync(SOURCES_DIR, { recursive: true });
    fs.writeFileSync(path.join(SOURCES_DIR, 'alice-creds.js'), `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(ALICE.accessKeyId)}, SecretAccessKey: ${JSON.stringify(ALICE.secretAccessKey)} }))`);
    fs.writeFileSync(path.join(SOURCES_DIR, 'oidc-token'), OIDC_TOKEN);
    const temp = await issueSessionToken(url);
    for (const u of [ALICE, BOB, CAROL, DAVE, ERIN, FRANK]) fileKeys.set(u.accessKeyId, u.accessKeyId);
    fileKeys.set(temp.accessKeyId, 'temp');

    const write = (name: FileSet, config: string, credentials: string) => {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir);
      const paths = { configPath: path.join(dir, 'config'), credentialsPath: path.join(dir, 'credentials') };
      fs.writeFileSync(paths.configPath, config);
      fs.writeFileSync(paths.credentialsPath, credentials);
      fileSets.set(name, paths);
    };
    const values = fixtureValues(temp);
    write('main', readFixture(`${FIXTURES}/main/config`, values), readFixture(`${FIXTURES}/main/credentials`, values));
    write('windows', crlf(readFixture(`${FIXTURES}/windows/config`, values)), crlf(readFixture(`${FIXTURES}/windows/credentials`, values)));
    sts.reset();
  });

  after(async () => {
    await sts?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(SOURCES_DIR, { recursive: true, force: true });
  });

  /** A fresh one-time code on every MFA device, so neither side reuses the other's code. */
  function nextMfaCode(): string {
    mfaCounter++;
    const code = String(100000 + ((mfaCounter * 7919) % 900000));
    sts.setMfaCode(ALICE_MFA, code);
    sts.setMfaCode(FRANK_MFA, code);
    return code;
  }

  async function resolveWithCli(row: ParityRow): Promise<CliRun> {
    const paths = fileSets.get(row.files)!;
    // A fresh HOME per run: the CLI caches assumed-role credentials in ~/.aws/cli/cache.
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      HOME: home,
      AWS_CONFIG_FILE: paths.configPath,
      AWS_SHARED_CREDENTIALS_FILE: paths.credentialsPath,
      AWS_ENDPOINT_URL_STS: url,
      // No instance metadata lookups (they would time out here); a row may override it.
      AWS_EC2_METADATA_DISABLED: 'true',
      ...row.env,
    };
    const code = nextMfaCode();
    const start = sts.requests.length;
    // One line per possible prompt; botocore's getpass reads a line per MFA hop.
    const result = await runCli(cli, env, row.profile, `${code}\n${code}\n${code}\n`);
    return { ...result, requests: sts.requests.slice(start) };
  }

  async function resolveWithCore(row: ParityRow): Promise<CoreRun> {
    const set = buildProfileSet(await loadAwsFiles(fileSets.get(row.files)!));
    const code = nextMfaCode();
    const mfaAsked: string[] = [];
    const start = sts.requests.length;
    try {
      const session = await resolveSession(set, row.profile, {
        loadSts: async () => stsApi,
        loadSources: async () => createCredentialSourceApi({ timeoutMs: 5_000 }),
        mfaCode: async (request) => {
          mfaAsked.push(request.mfaSerial);
          return code;
        },
        clock: systemClock,
        env: { AWS_ENDPOINT_URL_STS: url, ...row.env },
        sessionName: () => OUR_DEFAULT_SESSION,
      });
      return { session, requests: sts.requests.slice(start), mfaAsked };
    } catch (error) {
      return { error, requests: sts.requests.slice(start), mfaAsked };
    }
  }

  for (const row of CORPUS) {
    const title = `${row.profile}: ${row.shape}${row.env ? ` (${Object.entries(row.env).map(([k, v]) => `${k}=${/KEY|TOKEN/.test(k) ? '<set>' : v}`).join(' ')})` : ''}`;
    it(row.knownDifference ? `${title} [known difference]` : title, async () => {
      const theirs = await resolveWithCli(row);
      const ours = await resolveWithCore(row);
      if (!row.knownDifference) {
        assertSameOutcome(row, theirs, ours);
        return;
      }
      assert.throws(() => assertSameOutcome(row, theirs, ours), (e: Error) => {
        assert.match(e.message, row.knownDifference!.shows, `${row.profile} differs from the CLI in an unexpected way: ${e.message}`);
        return true;
      }, `${row.profile} no longer differs from the CLI (${row.knownDifference.note}): drop knownDifference from the row`);
    });
  }

  function assertSameOutcome(row: ParityRow, theirs: CliRun, ours: CoreRun): void {
    const cliHops = hopViews(theirs.requests, fileKeys);
    const ourHops = hopViews(ours.requests, fileKeys);
    // The corpus says what the CLI sends; a wrong expectation is a corpus bug, not a parity bug.
    assert.deepEqual(
      cliHops.map((h) => ({ roleArn: h.RoleArn, signedBy: h.signedBy })),
      row.hops ?? [],
      `the CLI (${cli.version}) did not call STS as the corpus row expects (${theirs.stderr.trim()})`,
    );

    if (row.error) {
      assert.notEqual(theirs.code, 0, `the CLI should fail for ${row.profile}, but printed ${theirs.stdout}`);
      assert.match(theirs.stderr, row.error.cli);
      assert.ok(ours.error instanceof RoleSwitchError, `we should fail for ${row.profile}, got ${ours.error ? String(ours.error) : 'a session'}`);
      assert.equal(ours.error.code, row.error.ours, ours.error.message);
      if (row.error.oursSays) assert.match(ours.error.message, row.error.oursSays);
      assert.equal(ours.error.profile, row.profile, 'our error is filed under the picked profile');
      // The key facts, in the CLI's words (quotes aside), must be in both messages.
      for (const fact of row.error.facts) {
        assert.ok(theirs.stderr.includes(fact) || theirs.stderr.includes(fact.replace(/"/g, '')), `CLI error lacks "${fact}": ${theirs.stderr}`);
        assert.ok(ours.error.message.includes(fact), `our error lacks "${fact}": ${ours.error.message}`);
      }
    } else {
      assert.equal(theirs.code, 0, `the CLI (${cli.version}) failed for ${row.profile}: ${theirs.stderr}`);
      assert.ok(ours.session, `we failed for ${row.profile}: ${String(ours.error)}`);
      assert.ok(cliHops.every((h) => h.status === 200), 'every CLI AssumeRole succeeded');
      // Same final identity (role) as the CLI's GetCallerIdentity.
      const identity = JSON.parse(theirs.stdout) as { Arn: string };
      assert.equal(roleOfSessionArn(ours.session.arn), roleOfSessionArn(identity.Arn));
    }

    // The comparison: field by field, hop by hop, including the HTTP status STS gave each.
    // Default session names differ by design (botocore-session-<epoch> vs ours); a name set
    // by role_session_name must be equal.
    assert.deepEqual(
      withDefaultSessionMarked(ourHops, (n) => n === OUR_DEFAULT_SESSION),
      withDefaultSessionMarked(cliHops, (n) => CLI_DEFAULT_SESSION.test(n)),
      `AssumeRole requests differ for ${row.profile}`,
    );
    // We asked for a code exactly where the CLI did (botocore prompts on stderr, reads stdin).
    const cliMfa = cliHops.filter((h) => h.SerialNumber).map((h) => h.SerialNumber!);
    assert.deepEqual(ours.mfaAsked, cliMfa);
    for (const serial of cliMfa) assert.ok(theirs.stderr.includes(`Enter MFA code for ${serial}`), `the CLI did not prompt for ${serial}`);
  }
});

/** Temporary keys for the credentials file's [temp] profile, as `aws sts get-session-token` would print them. */
async function issueSessionToken(url: string): Promise<TempKeys> {
  const client = new STSClient({ endpoint: url, region: 'us-east-1', credentials: ALICE, maxAttempts: 1 });
  try {
    const out = await client.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  } finally {
    client.destroy();
  }
}
