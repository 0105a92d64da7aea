import * as assert from 'node:assert/strict';
import { defaultSessionName, sanitizeSessionName } from '../../../src/core/credentials/roleSessionName';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;

describe('core/sessionName', () => {
  it('keeps a valid name as it is', () => {
    assert.equal(sanitizeSessionName('alice.smith@corp,team=ops+1'), 'alice.smith@corp,team=ops+1');
  });

  it('replaces refused characters with a single dash and trims dashes at the ends', () => {
    assert.equal(sanitizeSessionName('Jane Doe / laptop'), 'Jane-Doe-laptop');
    assert.equal(sanitizeSessionName('  bob  '), 'bob');
    assert.equal(sanitizeSessionName('DOMAIN\\bob'), 'DOMAIN-bob');
  });

  it('cuts names to 64 characters', () => {
    const name = sanitizeSessionName('x'.repeat(100));
    assert.equal(name.length, 64);
    assert.match(name, STS_NAME);
  });

  it('pads names that are too short or empty', () => {
    assert.equal(sanitizeSessionName('a'), 'a-session');
    assert.equal(sanitizeSessionName(''), 'vscode-session');
    assert.equal(sanitizeSessionName('!!!'), 'vscode-session');
  });

  it('always yields something STS accepts', () => {
    for (const raw of ['ü', 'José Ñúñez', '名前', 'a'.repeat(65) + ' b', '-', 'x\ny', '::']) {
      assert.match(sanitizeSessionName(raw), STS_NAME, JSON.stringify(raw));
    }
  });

  it('defaults to <user>-vscode', () => {
    assert.equal(defaultSessionName('alice'), 'alice-vscode');
    assert.equal(defaultSessionName('Jane Doe'), 'Jane-Doe-vscode');
    assert.equal(defaultSessionName(''), 'user-vscode');
  });

  it('uses the OS user when no user is given', () => {
    const name = defaultSessionName();
    assert.match(name, /-vscode$/);
    assert.match(name, STS_NAME);
  });
});
