import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { addRoleProfileToFile, appendRoleProfile, CONFIG_TEMPLATE, createConfigFileIfMissing, mfaSerialsInUse, sourceEndpointSettings, validateMfaSerial, validateNewRoleProfile, validateProfileName, validateRegion, validateRoleArn, writeFileAtomically, type NewRoleProfile } from '../../../src/core/config/configEdits';
import type { AtomicFs } from '../../../src/core/config/atomicWrite';
import { makeTempDir, profileSetFrom, removeTempDir } from '../../support/awsFiles';
import { rejectsCode } from '../../support/assertions';
import { fullDiskFs } from '../../support/faultyFs';

describe('Add Role Profile: appending a section without touching the rest', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('config-edit-');
  });
  after(() => removeTempDir(dir));

  const profile = { name: 'new-admin', roleArn: 'arn:aws:iam::222222222222:role/Admin', sourceProfile: 'base', mfaSerial: 'arn:aws:iam::111111111111:mfa/alice' };

  it('keeps comments, layout and the file\'s line endings, and the CLI-faithful reader reads the new profile', async () => {
    const original = '# my config\r\n[default]\r\nregion = eu-west-1   ; keep\r\n';
    const updated = appendRoleProfile(original, profile);
    assert.ok(updated.startsWith(original));
    assert.equal(updated.slice(original.length), '\r\n[profile new-admin]\r\nrole_arn = arn:aws:iam::222222222222:role/Admin\r\nsource_profile = base\r\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\r\n');
    const noNewline = appendRoleProfile('[default]\nregion = x', profile);
    assert.match(noNewline, /^\[default\]\nregion = x\n\n\[profile new-admin\]\n/);
    assert.equal(appendRoleProfile('', profile).split('\n')[0], '[profile new-admin]');
    const set = await profileSetFrom(dir, updated, '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n');
    assert.equal(set.profiles.get('new-admin')?.role?.arn, profile.roleArn);
    assert.equal(set.profiles.get('new-admin')?.mfaSerial, profile.mfaSerial);
    assert.equal(set.files.config.refused, undefined);
  });

  it('validates names, ARNs and MFA devices before writing', () => {
    assert.match(validateProfileName('base', new Set(['base'])) ?? '', /already exists/);
    assert.ok(validateProfileName('has space', new Set()));
    assert.equal(validateProfileName('team-a/prod', new Set()), undefined);
    assert.ok(validateRoleArn('arn:aws:iam::2222:user/alice'));
    assert.equal(validateMfaSerial(''), undefined);
    assert.ok(validateMfaSerial('not-an-mfa'));
  });

  it('writes atomically and keeps the file\'s mode', async () => {
    const file = path.join(dir, 'atomic-config');
    await fs.writeFile(file, '[default]\n', { mode: 0o640 });
    await fs.chmod(file, 0o640);
    await writeFileAtomically(file, '[default]\nregion = x\n');
    assert.equal(await fs.readFile(file, 'utf8'), '[default]\nregion = x\n');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640);
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
  });
});

describe('Add Role Profile and Open Config: validating, appending, creating the file', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('config-add-');
  });
  after(() => removeTempDir(dir));

  const profile = { name: 'ops', roleArn: 'arn:aws:iam::222222222222:role/Ops', sourceProfile: 'base' };

  it('names the first problem of a new profile, and none for a good one', () => {
    assert.equal(validateNewRoleProfile(profile, new Set(['base'])), undefined);
    assert.match(validateNewRoleProfile(profile, new Set(['ops']))!, /already exists/);
    assert.match(validateNewRoleProfile({ ...profile, roleArn: 'arn:aws:iam::2222:user/x' }, new Set())!, /role ARN/);
    assert.match(validateNewRoleProfile({ ...profile, mfaSerial: 'nope' }, new Set(['base']))!, /MFA device/);
    assert.match(validateNewRoleProfile({ ...profile, roleSessionName: 'x' }, new Set(['base']))!, /2 to 64/);
  });

  it('appends to the file (creating it when missing) and refuses an invalid profile without writing', async () => {
    const file = path.join(dir, 'config');
    await addRoleProfileToFile(file, profile, new Set(['base']));
    assert.equal(await fs.readFile(file, 'utf8'), '[profile ops]\nrole_arn = arn:aws:iam::222222222222:role/Ops\nsource_profile = base\n');
    await assert.rejects(addRoleProfileToFile(file, profile, new Set(['base', 'ops'])), /already exists/);
    assert.equal((await fs.readFile(file, 'utf8')).match(/\[profile ops\]/g)?.length, 1);
  });

  it('creates a missing config file from the template with mode 600, and never touches an existing one', async () => {
    const file = path.join(dir, 'new', '.aws', 'config');
    await createConfigFileIfMissing(file);
    assert.equal(await fs.readFile(file, 'utf8'), CONFIG_TEMPLATE);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal((await fs.stat(path.dirname(file))).mode & 0o777, 0o700);
    await fs.writeFile(file, '[default]\nregion = x\n');
    await createConfigFileIfMissing(file);
    assert.equal(await fs.readFile(file, 'utf8'), '[default]\nregion = x\n');
  });
});

describe('Add Role Profile: every field checked before a line is written (defect 5)', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('config-fields-');
  });
  after(() => removeTempDir(dir));

  const base: NewRoleProfile = { name: 'ops', roleArn: 'arn:aws:iam::222222222222:role/Ops', sourceProfile: 'base' };
  const existing = new Set(['base']);
  const injected = 'x\n[profile evil]\ncredential_process = /tmp/evil';

  it('refuses a line break (or any control character) in every field, and writes nothing', async () => {
    for (const field of ['name', 'roleArn', 'sourceProfile', 'mfaSerial', 'roleSessionName', 'region'] as const) {
      for (const bad of [injected, `${base.roleArn}\n`, 'eu-west-1\r', 'a\tb', 'a\u0000b']) {
        const p = { ...base, [field]: bad };
        assert.ok(validateNewRoleProfile(p, existing), `${field} = ${JSON.stringify(bad)} must be refused`);
        assert.throws(() => appendRoleProfile('', p), /line breaks or control characters/, `appendRoleProfile with ${field} = ${JSON.stringify(bad)}`);
      }
    }
    const file = path.join(dir, 'config');
    await fs.writeFile(file, '[profile base]\nregion = eu-west-1\n');
    await rejectsCode(addRoleProfileToFile(file, { ...base, region: 'eu-west-1\ncredential_process = /tmp/evil' }, existing), 'InvalidProfile', /Region/);
    await rejectsCode(addRoleProfileToFile(file, { ...base, sourceProfile: 'base\ncredential_process = /tmp/evil' }, existing), 'InvalidProfile', /Source profile/);
    assert.equal(await fs.readFile(file, 'utf8'), '[profile base]\nregion = eu-west-1\n');
  });

  it('checks the source profile with the profile-name rule and that it exists', () => {
    assert.match(validateNewRoleProfile({ ...base, sourceProfile: 'nobody' }, existing)!, /no profile named "nobody"/);
    assert.match(validateNewRoleProfile({ ...base, sourceProfile: 'has space' }, new Set(['base', 'has space']))!, /source profile must be a profile name/);
    assert.match(validateNewRoleProfile({ ...base, sourceProfile: '' }, existing)!, /source profile/i);
    assert.equal(validateNewRoleProfile({ ...base, sourceProfile: 'team-a/prod' }, new Set(['team-a/prod'])), undefined);
  });

  it('accepts the regions of every partition and refuses anything else', () => {
    const real = ['us-east-1', 'eu-west-1', 'ap-southeast-5', 'il-central-1', 'mx-central-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-south-1', 'eu-isoe-west-1', 'eusc-de-east-1'];
    for (const r of real) assert.equal(validateRegion(r), undefined, r);
    assert.equal(validateNewRoleProfile({ ...base, region: 'us-gov-west-1' }, existing), undefined);
    for (const r of ['EU-WEST-1', 'eu-west', 'euwest1', 'eu west 1', 'eu-west-1 ', 'eu-west-1; x', 'http://eu-west-1', 'eu-west-1\n']) {
      assert.ok(validateRegion(r), JSON.stringify(r));
      assert.match(validateNewRoleProfile({ ...base, region: r }, existing)!, /region|line breaks/i, JSON.stringify(r));
    }
  });

  it('refuses a role ARN with spaces around it (the reader would trim them, the writer would not)', () => {
    assert.ok(validateRoleArn(' arn:aws:iam::222222222222:role/Ops'));
    assert.equal(validateRoleArn('arn:aws:iam::222222222222:role/Ops'), undefined);
  });
});

describe('Config writes: through symlinks, no debris, fsynced, no lost edit (defect 6)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir('config-atomic-');
  });
  afterEach(() => removeTempDir(dir));

  const profile: NewRoleProfile = { name: 'ops', roleArn: 'arn:aws:iam::222222222222:role/Ops', sourceProfile: 'base' };
  const tmpFiles = async (...dirs: string[]) => (await Promise.all(dirs.map((d) => fs.readdir(d)))).flat().filter((f) => f.endsWith('.tmp'));

  it('writes through a symlinked config: the link stays a link, its target gets the profile', async () => {
    const dotfiles = path.join(dir, 'dotfiles', 'aws');
    const aws = path.join(dir, 'home', '.aws');
    await fs.mkdir(dotfiles, { recursive: true });
    await fs.mkdir(aws, { recursive: true });
    const target = path.join(dotfiles, 'config');
    await fs.writeFile(target, '[profile base]\n', { mode: 0o640 });
    await fs.chmod(target, 0o640);
    const link = path.join(aws, 'config');
    await fs.symlink(path.relative(aws, target), link);
    await addRoleProfileToFile(link, profile, new Set(['base']));
    assert.ok((await fs.lstat(link)).isSymbolicLink(), 'the link is still a link');
    assert.equal(await fs.readFile(target, 'utf8'), '[profile base]\n\n[profile ops]\nrole_arn = arn:aws:iam::222222222222:role/Ops\nsource_profile = base\n');
    assert.equal((await fs.stat(target)).mode & 0o777, 0o640);
    assert.deepEqual(await tmpFiles(dotfiles, aws), []);
  });

  it('creates a dangling symlink\'s target (Open Config on a fresh dotfiles link), keeping the link', async () => {
    const link = path.join(dir, 'config');
    const target = path.join(dir, 'dotfiles', 'config');
    await fs.symlink(target, link);
    await createConfigFileIfMissing(link);
    assert.ok((await fs.lstat(link)).isSymbolicLink());
    assert.equal(await fs.readFile(target, 'utf8'), CONFIG_TEMPLATE);
  });

  it('leaves no temp file and the config untouched when the disk is full', async () => {
    const file = path.join(dir, 'config');
    await fs.writeFile(file, '[profile base]\n');
    const io = fullDiskFs();
    await assert.rejects(addRoleProfileToFile(file, profile, new Set(['base']), io), /ENOSPC/);
    assert.equal(io.opened.length, 1, 'the temp file was created before the write failed');
    assert.deepEqual(await tmpFiles(dir), []);
    assert.equal(await fs.readFile(file, 'utf8'), '[profile base]\n');
  });

  it('fsyncs the temp file before renaming it over the config', async () => {
    const file = path.join(dir, 'config');
    const events: string[] = [];
    const io: AtomicFs = {
      ...(fs as unknown as AtomicFs),
      async open(f: string, flags: string, mode?: number) {
        const handle = await fs.open(f, flags, mode);
        if (flags === 'r') return handle;
        return { chmod: (m: number) => handle.chmod(m), writeFile: (t: string) => handle.writeFile(t, 'utf8'), close: () => handle.close(), sync: () => (events.push('sync'), handle.sync()) };
      },
      rename: (a: string, b: string) => (events.push('rename'), fs.rename(a, b)),
    };
    await addRoleProfileToFile(file, profile, new Set(['base']), io);
    assert.deepEqual(events, ['sync', 'rename']);
  });

  it('refuses when the file changed between the read and the rename, keeping the other edit', async () => {
    const file = path.join(dir, 'config');
    await fs.writeFile(file, '[profile base]\n');
    const edited = '[profile base]\nregion = eu-west-1\n';
    // Someone saves the file (an editor, aws configure) while the write is under way.
    const io: AtomicFs = { ...(fs as unknown as AtomicFs), mkdir: async (d, o) => (await fs.writeFile(file, edited), fs.mkdir(d, o)) };
    await rejectsCode(addRoleProfileToFile(file, profile, new Set(['base']), io), 'FileChanged', /changed while it was being updated/, /Try again/);
    assert.equal(await fs.readFile(file, 'utf8'), edited);
    assert.deepEqual(await tmpFiles(dir), []);
    // A file created in between counts too.
    const fresh = path.join(dir, 'fresh-config');
    await assert.rejects(writeFileAtomically(fresh, 'x', { expected: null, fs: { ...(fs as unknown as AtomicFs), mkdir: async (d, o) => (await fs.writeFile(fresh, 'theirs'), fs.mkdir(d, o)) } }), /changed while/);
    assert.equal(await fs.readFile(fresh, 'utf8'), 'theirs');
  });
});

describe('Add Role Profile: what the new profile takes from its source', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('config-source-');
  });
  after(() => removeTempDir(dir));

  const CONFIG = [
    '[services local]',
    'sts =',
    '  endpoint_url = http://127.0.0.1:4566',
    '',
    '[profile base]',
    'region = eu-west-1',
    'services = local',
    'endpoint_url = http://127.0.0.1:4566',
    '',
    '[profile plain]',
    'region = us-east-1',
    '',
    '[profile dev]',
    'role_arn = arn:aws:iam::222222222222:role/Dev',
    'source_profile = base',
    'mfa_serial = arn:aws:iam::111111111111:mfa/alice',
    '',
    '[profile prod]',
    'role_arn = arn:aws:iam::333333333333:role/Prod',
    'source_profile = base',
    'mfa_serial = arn:aws:iam::111111111111:mfa/alice',
    '',
    '[profile other]',
    'role_arn = arn:aws:iam::333333333333:role/Other',
    'source_profile = plain',
    'mfa_serial = arn:aws:iam::999999999999:mfa/bob',
    '',
    '[profile broken]',
    'role_arn = arn:aws:iam::333333333333:role/Other',
    'source_profile = plain',
    'mfa_serial = x',
    '',
  ].join('\n');

  it('carries the source\'s endpoint_url and services, and the new profile reads them back', async () => {
    const set = await profileSetFrom(dir, CONFIG, '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n');
    const carried = sourceEndpointSettings(set.profiles.get('base'));
    assert.deepEqual(carried, { endpointUrl: 'http://127.0.0.1:4566', services: 'local' });
    assert.deepEqual(sourceEndpointSettings(set.profiles.get('plain')), {});
    const added: NewRoleProfile = { name: 'new', roleArn: 'arn:aws:iam::444444444444:role/New', sourceProfile: 'base', region: 'eu-west-1', ...carried };
    const text = appendRoleProfile(CONFIG, added);
    assert.ok(text.endsWith('[profile new]\nrole_arn = arn:aws:iam::444444444444:role/New\nsource_profile = base\nregion = eu-west-1\nservices = local\nendpoint_url = http://127.0.0.1:4566\n'), text);
    const reread = (await profileSetFrom(dir, text, '')).profiles.get('new');
    assert.equal(reread?.settings.services, 'local');
    assert.equal(reread?.settings.endpoint_url, 'http://127.0.0.1:4566');
  });

  it('refuses an endpoint that is not an http(s) URL and a services name with a line break', () => {
    const base: NewRoleProfile = { name: 'new', roleArn: 'arn:aws:iam::444444444444:role/New', sourceProfile: 'base' };
    const existing = new Set(['base']);
    assert.equal(validateNewRoleProfile({ ...base, endpointUrl: 'https://sts.example.com' }, existing), undefined);
    assert.match(validateNewRoleProfile({ ...base, endpointUrl: 'file:///etc/passwd' }, existing) ?? '', /endpoint URL/);
    assert.match(validateNewRoleProfile({ ...base, endpointUrl: 'not a url' }, existing) ?? '', /endpoint URL/);
    assert.match(validateNewRoleProfile({ ...base, services: 'local\ncredential_process = evil' }, existing) ?? '', /Services section: a value must be one line/);
    assert.match(validateNewRoleProfile({ ...base, services: 'two words' }, existing) ?? '', /services section name/);
    assert.throws(() => appendRoleProfile('', { ...base, endpointUrl: 'http://x\n[profile y]' }), /Endpoint URL/);
  });

  it('lists the MFA devices already in use, those used with the same source first, and leaves out invalid ones', async () => {
    const set = await profileSetFrom(dir, CONFIG, '');
    assert.deepEqual(mfaSerialsInUse(set, 'plain'), [
      { serial: 'arn:aws:iam::999999999999:mfa/bob', usedBy: ['other'], sameSource: true },
      { serial: 'arn:aws:iam::111111111111:mfa/alice', usedBy: ['dev', 'prod'], sameSource: false },
    ]);
    assert.equal(mfaSerialsInUse(set, 'base')[0].serial, 'arn:aws:iam::111111111111:mfa/alice');
    assert.equal(mfaSerialsInUse(set).length, 2);
  });
});
