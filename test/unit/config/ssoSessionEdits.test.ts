import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addSsoSessionToFile, appendSsoSession, convertLegacySsoProfiles, convertLegacySsoProfilesInFile, validateNewSsoSession, validateStartUrl } from '../../../src/core/config/ssoSessionEdits';
import { rejectsCode } from '../../support/assertions';

const corp = { name: 'corp', startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', scopes: 'sso:account:access' };

describe('sso-session edits of the config', () => {
  it('appends the section after what is there, keeping CRLF', () => {
    assert.equal(appendSsoSession('[profile a]\r\nregion = x\r\n', corp), '[profile a]\r\nregion = x\r\n\r\n[sso-session corp]\r\nsso_start_url = https://corp.awsapps.com/start\r\nsso_region = eu-west-1\r\nsso_registration_scopes = sso:account:access\r\n');
    assert.equal(appendSsoSession('', corp).split('\n')[0], '[sso-session corp]');
  });

  it('refuses what would break the file or what the portal cannot be', () => {
    assert.match(validateNewSsoSession({ ...corp, region: 'eu-west-1\n[profile x]' }, new Set()) ?? '', /Region: a value must be one line/);
    assert.match(validateNewSsoSession({ ...corp, name: 'a b' }, new Set()) ?? '', /letters, digits/);
    assert.match(validateNewSsoSession(corp, new Set(['corp'])) ?? '', /already exists/);
    assert.match(validateStartUrl('http://corp.awsapps.com/start') ?? '', /https/);
    assert.match(validateStartUrl('corp.awsapps.com') ?? '', /looks like https/);
    assert.equal(validateNewSsoSession(corp, new Set()), undefined);
  });

  it('adds the section to a file in one write, and refuses invalid input without touching it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sso-edit-'));
    const file = path.join(dir, 'config');
    await fs.writeFile(file, '# mine\n');
    await rejectsCode(addSsoSessionToFile(file, { ...corp, startUrl: 'ftp://x' }, new Set()), 'InvalidProfile');
    assert.equal(await fs.readFile(file, 'utf8'), '# mine\n');
    await addSsoSessionToFile(file, corp, new Set());
    assert.match(await fs.readFile(file, 'utf8'), /^# mine\n\n\[sso-session corp\]\nsso_start_url = https:\/\/corp\.awsapps\.com\/start\n/);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('converts legacy profiles: sso_session after each header, the section appended, the rest byte for byte', () => {
    const text = '[default]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile  dev ] # mine\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111111111111\n\n[profile other]\nregion = x\n';
    const out = convertLegacySsoProfiles(text, corp, ['default', 'dev']);
    assert.equal(
      out,
      '[default]\nsso_session = corp\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile  dev ] # mine\nsso_session = corp\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111111111111\n\n[profile other]\nregion = x\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n',
    );
  });

  it('refuses to convert when a profile is not in the file, and writes nothing', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sso-edit-'));
    const file = path.join(dir, 'config');
    await fs.writeFile(file, '[profile dev]\nsso_start_url = https://corp.awsapps.com/start\n');
    await rejectsCode(convertLegacySsoProfilesInFile(file, corp, ['dev', 'gone'], new Set()), 'FileChanged');
    assert.equal(await fs.readFile(file, 'utf8'), '[profile dev]\nsso_start_url = https://corp.awsapps.com/start\n');
    await fs.rm(dir, { recursive: true, force: true });
  });
});
