import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AtomicFs } from '../../../src/core/config/atomicWrite';
import { MANAGED_KEY, planIdentityCenterProfiles, profileNameFor, validateProfileNameTemplate, writeIdentityCenterProfiles } from '../../../src/core/config/identityCenterProfiles';
import { rejectsCode } from '../../support/assertions';
import { ini, makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { discoveredRole, discoveredRoles } from '../../support/discoveredRoles';

const CONFIG = ini(`
  # My AWS config; keep this comment.
  [default]
  region = eu-west-1   ; inline text the CLI keeps

  [sso-session corp]
  sso_start_url = https://corp.awsapps.com/start
  sso_region = eu-west-1
  region = eu-central-1

  [sso-session lab]
  sso_start_url = https://lab.awsapps.com/start
  sso_region = us-east-1

  [profile mine]
  sso_session = corp
  sso_account_id = 111122223333
  sso_role_name = Admin
  # a comment of mine
`);

const ROLES = discoveredRoles([
  ['111122223333', 'Production', 'Admin'],
  ['111122223333', 'Production', 'ReadOnly'],
  ['444455556666', 'Staging', 'Admin'],
]);

function section(text: string, name: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.indexOf(`[profile ${name}]`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('['));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .join('\n')
    .trimEnd();
}

describe('Write Identity Center Profiles: the first run', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('ic-profiles-');
  });
  after(() => removeTempDir(dir));

  it('appends one marked sso_session profile per account and role, and leaves every byte before it alone', async () => {
    const { text, summary } = planIdentityCenterProfiles(CONFIG, 'corp', ROLES);
    assert.ok(text.startsWith(CONFIG));
    assert.deepEqual(summary, { added: ['Production/Admin', 'Production/ReadOnly', 'Staging/Admin'], updated: [], unchanged: [], removed: [], skipped: [] });
    assert.equal(
      text.slice(CONFIG.length),
      '\n[profile Production/Admin]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-central-1\nrole_switcher_managed = corp\n' +
        '\n[profile Production/ReadOnly]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = eu-central-1\nrole_switcher_managed = corp\n' +
        '\n[profile Staging/Admin]\nsso_session = corp\nsso_account_id = 444455556666\nsso_role_name = Admin\nregion = eu-central-1\nrole_switcher_managed = corp\n',
    );
    const set = await profileSetFrom(dir, text);
    assert.equal(set.files.config.refused, undefined);
    const p = set.profiles.get('Staging/Admin');
    assert.equal(p?.kind, 'sso');
    assert.equal(p?.settings.sso_account_id, '444455556666');
    assert.equal(p?.settings[MANAGED_KEY], 'corp');
    const before = await profileSetFrom(dir, CONFIG);
    assert.deepEqual(set.files.configIndex.problems, before.files.configIndex.problems, 'the new sections bring no diagnostic of their own');
  });

  it('uses the sso_region when the session has no region of its own', () => {
    const { text } = planIdentityCenterProfiles(CONFIG, 'lab', [discoveredRole({ ssoSession: 'lab', startUrl: 'https://lab.awsapps.com/start', ssoRegion: 'us-east-1', accountId: '777788889999', accountName: 'Lab', roleName: 'Dev' })]);
    assert.match(section(text, 'Lab/Dev') ?? '', /\nregion = us-east-1\n/);
  });

  it('keeps CRLF line endings and a file that ends without a line break', () => {
    const crlf = CONFIG.replace(/\n/g, '\r\n').trimEnd();
    const { text } = planIdentityCenterProfiles(crlf, 'corp', ROLES);
    assert.ok(text.startsWith(crlf + '\r\n\r\n[profile Production/Admin]\r\n'));
    assert.doesNotMatch(text, /(?<!\r)\n/, 'no bare LF');
    const { text: again, summary } = planIdentityCenterProfiles(text, 'corp', ROLES.slice(1));
    assert.deepEqual(summary.removed, ['Production/Admin']);
    assert.doesNotMatch(again, /(?<!\r)\n/);
    assert.ok(again.startsWith(crlf + '\r\n\r\n[profile Production/ReadOnly]\r\n'));
  });

  it('cleans names to what every AWS tool reads the same way, and numbers names that come out the same', () => {
    const role = (accountName: string | undefined, roleName = 'Admin', accountId = '111122223333') => discoveredRole({ accountId, roleName, ...(accountName !== undefined && { accountName }) });
    assert.equal(profileNameFor(role('My Prod (EU)')), 'My-Prod-EU/Admin');
    assert.equal(profileNameFor(role('  --weird--  name!! ')), 'weird-name/Admin');
    assert.equal(profileNameFor(role('Продакшн')), '111122223333/Admin', 'nothing safe left of the name: the id');
    assert.equal(profileNameFor(role(undefined)), '111122223333/Admin');
    assert.equal(profileNameFor(role('Prod'), '{ssoSession} {accountId} {roleName}'), 'corp-111122223333-Admin');
    const long = profileNameFor(role('x'.repeat(60), 'AdministratorAccess'));
    assert.equal(long.length, 64);
    assert.ok(long.startsWith('x'.repeat(60)));

    const shared = discoveredRoles([
      ['333333333333', 'Shared', 'Admin'],
      ['222222222222', 'Shared', 'Admin'],
      ['222222222222', 'Shared!', 'Admin'],
    ]);
    const first = planIdentityCenterProfiles(CONFIG, 'corp', shared);
    assert.deepEqual(first.summary.added, ['Shared/Admin', 'Shared/Admin-2']);
    assert.match(section(first.text, 'Shared/Admin') ?? '', /sso_account_id = 222222222222/, 'the lower account id first, whatever the order given');
    assert.deepEqual(planIdentityCenterProfiles(CONFIG, 'corp', [...shared].reverse()).text, first.text);

    // A later run keeps the names it gave, even when a new account sorts first.
    const next = planIdentityCenterProfiles(first.text, 'corp', [...shared, discoveredRole({ accountId: '111111111111', accountName: 'Shared', roleName: 'Admin' })]);
    assert.deepEqual(next.summary.added, ['Shared/Admin-3']);
    assert.deepEqual(next.summary.unchanged, ['Shared/Admin', 'Shared/Admin-2']);
    assert.match(section(next.text, 'Shared/Admin-3') ?? '', /sso_account_id = 111111111111/);
  });

  it('refuses what it cannot write faithfully, before touching anything', async () => {
    await rejectsCode(() => planIdentityCenterProfiles(CONFIG, 'corp', [discoveredRole({ accountId: '111122223333', roleName: 'Admin\n[profile evil]' })]), 'InvalidProfile', /line breaks/);
    await rejectsCode(() => planIdentityCenterProfiles(CONFIG, 'corp', [discoveredRole({ accountId: '111122223333', accountName: 'x\r', roleName: 'Admin' })]), 'InvalidProfile');
    await rejectsCode(() => planIdentityCenterProfiles(CONFIG, 'corp\nx', ROLES), 'InvalidProfile');
    await rejectsCode(() => planIdentityCenterProfiles(CONFIG, 'corp', ROLES, { template: '{account}/{roleName}' }), 'InvalidProfile', /\{account\}/);
    await rejectsCode(() => planIdentityCenterProfiles(CONFIG, 'gone', [discoveredRole({ ssoSession: 'gone', accountId: '111122223333', roleName: 'Admin' })]), 'ConfigRefused', /\[sso-session gone\]/);
    await rejectsCode(() => planIdentityCenterProfiles(CONFIG, 'corp', [discoveredRole({ startUrl: 'https://elsewhere.awsapps.com/start', accountId: '111122223333', roleName: 'Admin' })]), 'ConfigRefused', /start URL/);
    await rejectsCode(() => planIdentityCenterProfiles(`${CONFIG}\n[profile mine]\nregion = x\n`, 'corp', ROLES), 'ConfigRefused', /line \d+/);
    assert.equal(validateProfileNameTemplate('{accountId}-{roleName}'), undefined);
    const skipped = planIdentityCenterProfiles(CONFIG, 'corp', [discoveredRole({ accountId: '1234', roleName: 'Admin' }), discoveredRole({ accountId: '111122223333', roleName: 'Bad Role' })]);
    assert.equal(skipped.text, CONFIG);
    assert.equal(skipped.summary.skipped.length, 2);
  });
});

describe('Write Identity Center Profiles: later runs', () => {
  const firstRun = () => planIdentityCenterProfiles(CONFIG, 'corp', ROLES).text;

  it('adds, updates and prunes only its own profiles of that session, keeping the user\'s region and keys', () => {
    // The user edits the file between runs.
    const edited = firstRun()
      .replace('sso_role_name = Admin\nregion = eu-central-1\nrole_switcher_managed = corp\n\n[profile Production/ReadOnly]', 'sso_role_name = Admin\nregion = us-west-2\noutput = json\nrole_switcher_managed = corp\n\n[profile Production/ReadOnly]')
      .replace('sso_account_id = 444455556666\nsso_role_name = Admin', 'sso_account_id = 444455556666\nsso_role_name=Tampered');
    const roles = discoveredRoles([
      ['111122223333', 'Production', 'Admin'],
      ['444455556666', 'Staging', 'Admin'],
      ['555566667777', 'Sandbox', 'Dev'],
    ]);
    const { text, summary } = planIdentityCenterProfiles(edited, 'corp', roles);
    assert.deepEqual(summary, { added: ['Sandbox/Dev'], updated: ['Staging/Admin'], unchanged: ['Production/Admin'], removed: ['Production/ReadOnly'], skipped: [] });
    assert.equal(section(text, 'Production/Admin'), '[profile Production/Admin]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = us-west-2\noutput = json\nrole_switcher_managed = corp');
    assert.match(section(text, 'Staging/Admin') ?? '', /\nsso_role_name=Admin\n/, 'fixed in place, its spacing kept');
    assert.equal(section(text, 'Production/ReadOnly'), undefined);
    assert.ok(text.startsWith(CONFIG), 'everything that is not its own is byte for byte the same');
    // New profiles go next to the others of the session, without blank lines piling up.
    assert.doesNotMatch(text, /\n\n\n/);
    assert.ok(text.indexOf('[profile Sandbox/Dev]') > text.indexOf('[profile Staging/Admin]'));

    const again = planIdentityCenterProfiles(text, 'corp', roles);
    assert.equal(again.text, text, 'a second run with the same roles changes nothing');
    assert.deepEqual(again.summary.unchanged, ['Production/Admin', 'Sandbox/Dev', 'Staging/Admin']);
  });

  it('restores keys it owns that were removed, and leaves a profile whose roles could not be listed', () => {
    const edited = firstRun().replace('sso_account_id = 444455556666\n', '');
    const { text, summary } = planIdentityCenterProfiles(edited, 'corp', ROLES.filter((r) => r.accountId !== '111122223333'), { unlistedAccounts: ['111122223333'] });
    assert.deepEqual(summary.removed, []);
    assert.deepEqual(summary.updated, ['Staging/Admin']);
    assert.match(section(text, 'Staging/Admin') ?? '', /role_switcher_managed = corp\nsso_account_id = 444455556666$/);
    assert.ok(section(text, 'Production/ReadOnly'));
  });

  it('rewrites an empty or multi-line value of a key it owns as one line', async () => {
    const edited = firstRun().replace('sso_account_id = 444455556666\nsso_role_name = Admin\n', 'sso_account_id =\nsso_role_name = Old\n  continued\n# note\n');
    const { text, summary } = planIdentityCenterProfiles(edited, 'corp', ROLES);
    assert.deepEqual(summary.updated, ['Staging/Admin']);
    assert.equal(section(text, 'Staging/Admin'), '[profile Staging/Admin]\nsso_session = corp\nsso_account_id = 444455556666\nsso_role_name = Admin\n# note\nregion = eu-central-1\nrole_switcher_managed = corp');
    const dir = await makeTempDir('ic-profiles-read-');
    try {
      const set = await profileSetFrom(dir, text);
      assert.equal(set.profiles.get('Staging/Admin')?.settings.sso_role_name, 'Admin');
    } finally {
      await removeTempDir(dir);
    }
  });

  it('never touches a profile of the user or of another session: a clashing name is skipped and said', () => {
    const config = `${CONFIG}\n[profile Production/Admin]\nsso_session = corp\nsso_account_id = 999999999999\nsso_role_name = Mine\n\n[profile Staging/Admin]\nsso_session = lab\nsso_account_id = 444455556666\nsso_role_name = Admin\n${MANAGED_KEY} = lab\n\n[profile Lab/Old]\nsso_session = lab\nsso_account_id = 444455556666\nsso_role_name = Old\n${MANAGED_KEY} = lab\n`;
    const { text, summary } = planIdentityCenterProfiles(config, 'corp', ROLES, { credentialsProfiles: new Set(['Production/ReadOnly']) });
    assert.equal(text, config, 'nothing to write');
    assert.deepEqual(
      summary.skipped.map((s) => [s.name, s.reason]),
      [
        ['Production/Admin', 'A profile named "Production/Admin" is already in the config, not written by this command; it was left alone.'],
        ['Production/ReadOnly', 'A profile named "Production/ReadOnly" is in the credentials file.'],
        ['Staging/Admin', '"Staging/Admin" was written for the sso-session "lab"; it was left alone.'],
      ],
    );
    assert.deepEqual(summary.removed, [], 'the other session\'s profiles are not pruned');
  });

  it('prunes every profile it wrote for the session when no role is left, and nothing else', () => {
    const { text, summary } = planIdentityCenterProfiles(firstRun(), 'corp', []);
    assert.deepEqual(summary.removed, ['Production/Admin', 'Production/ReadOnly', 'Staging/Admin']);
    assert.ok(text.startsWith(CONFIG));
    assert.match(text.slice(CONFIG.length), /^\n?$/, 'at most the blank separator line is left');
    const readded = planIdentityCenterProfiles(text, 'corp', ROLES).text;
    assert.doesNotMatch(readded, /\n\n\n/);
  });
});

describe('Write Identity Center Profiles: the file', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('ic-profiles-file-');
  });
  after(() => removeTempDir(dir));

  it('writes once, atomically, and not at all when nothing changed', async () => {
    const file = path.join(dir, 'config');
    await fs.writeFile(file, CONFIG, { mode: 0o600 });
    const summary = await writeIdentityCenterProfiles(file, 'corp', ROLES);
    assert.equal(summary.added.length, 3);
    const written = await fs.readFile(file, 'utf8');
    assert.equal(written, planIdentityCenterProfiles(CONFIG, 'corp', ROLES).text);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    let opened = 0;
    const counting: AtomicFs = { ...(fs as unknown as AtomicFs), open: (f, flags, mode) => (opened++, fs.open(f, flags, mode)) };
    const again = await writeIdentityCenterProfiles(file, 'corp', ROLES, { fs: counting });
    assert.equal(opened, 0);
    assert.deepEqual(again.unchanged.length, 3);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['config']);
  });

  it('refuses to overwrite a change made while it was writing', async () => {
    const file = path.join(dir, 'config-race');
    await fs.writeFile(file, CONFIG);
    let reads = 0;
    const racing: AtomicFs = {
      ...(fs as unknown as AtomicFs),
      readFile: async (f, encoding) => {
        const text = await fs.readFile(f, encoding);
        // The second read is the write's own check: the user saved the file in between.
        return ++reads === 2 ? `${text}\n[profile added-meanwhile]\nregion = x\n` : text;
      },
    };
    await rejectsCode(writeIdentityCenterProfiles(file, 'corp', ROLES, { fs: racing }), 'FileChanged');
    assert.equal(await fs.readFile(file, 'utf8'), CONFIG);
  });
});
