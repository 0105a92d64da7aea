import * as assert from 'node:assert/strict';
import { DEFAULT_IDENTITY_FORMAT, formatIdentityLabel, shownProfileName } from '../../../src/core/session/identityLabel';

describe('core/session/identityLabel: the status bar says who you are', () => {
  const dev = { profile: 'dev', role: 'Developer', accountId: '222222222222' };

  it('says the profile, the role and the account by default', () => {
    assert.equal(formatIdentityLabel(DEFAULT_IDENTITY_FORMAT, dev), 'dev · Developer @ 222222222222');
  });

  it('names the account when its name is known; {accountId} stays the id', () => {
    assert.equal(formatIdentityLabel(DEFAULT_IDENTITY_FORMAT, { ...dev, accountName: 'Development' }), 'dev · Developer @ Development');
    assert.equal(formatIdentityLabel('{role} in {account} ({accountId})', { ...dev, accountName: 'Development' }), 'Developer in Development (222222222222)');
  });

  it('says a name once when the role is named like the profile, or unknown', () => {
    assert.equal(formatIdentityLabel(DEFAULT_IDENTITY_FORMAT, { ...dev, role: 'dev' }), 'dev @ 222222222222');
    assert.equal(formatIdentityLabel(DEFAULT_IDENTITY_FORMAT, { ...dev, role: undefined }), 'dev @ 222222222222');
    assert.equal(formatIdentityLabel('{role} · {profile}', { ...dev, role: 'dev' }), 'dev');
  });

  it('uses a format of the user\'s own, leaves unknown placeholders as written, and falls back to the default when blank', () => {
    assert.equal(formatIdentityLabel('{accountId}/{role}', dev), '222222222222/Developer');
    assert.equal(formatIdentityLabel('{profile} {region}', dev), 'dev {region}');
    assert.equal(formatIdentityLabel('  ', dev), 'dev · Developer @ 222222222222');
  });

  it('takes names literally (no $ patterns)', () => {
    assert.equal(formatIdentityLabel(DEFAULT_IDENTITY_FORMAT, { ...dev, profile: "$&$'" }), "$&$' · Developer @ 222222222222");
  });

  it('a role discovered through IAM Identity Center goes by its role, a profile by its name', () => {
    assert.equal(shownProfileName({ profileName: 'corp/222222222222/Developer', kind: 'sso', accountId: '222222222222', roleName: 'Developer' }), 'Developer');
    assert.equal(shownProfileName({ profileName: 'dev', kind: 'sso', accountId: '222222222222', roleName: 'Developer' }), 'dev');
    assert.equal(shownProfileName({ profileName: 'x/222222222222/Admin', kind: 'role', accountId: '222222222222', roleName: 'Admin' }), 'x/222222222222/Admin');
  });
});
