import * as assert from 'node:assert/strict';
import { readIni, shlexSplit } from '../../../src/core/config/iniDocument';

describe('core/iniDocument: the INI reader behind the shared files', () => {
  it('shlexSplit groups quotes and collapses blanks like Python', () => {
    assert.deepEqual(shlexSplit('profile "quoted name"'), ['profile', 'quoted name']);
    assert.deepEqual(shlexSplit("profile   'a b'"), ['profile', 'a b']);
    assert.deepEqual(shlexSplit('profile a b'), ['profile', 'a', 'b']);
    assert.equal(shlexSplit('profile "open'), undefined);
  });

  it('indexes keys and values at their columns, for diagnostics and quick fixes', () => {
    const { index } = readIni('[profile x]\n  role_arn = arn:aws:iam::1:role/A\n', 'config');
    const key = index.sections[0].keys[0];
    assert.equal(index.sections[0].name, 'x');
    assert.deepEqual(key.keyRange, { line: 1, start: 2, end: 10 });
    assert.deepEqual(key.valueRange, { line: 1, start: 13, end: 13 + 'arn:aws:iam::1:role/A'.length });
  });

  it('never throws, whatever the text', () => {
    for (const text of ['', '[', ']', '[]', '=', ':', '[a]\n=\n', '\u0000\u0001[x]\n', '[profile "]\n', 'a\r\rb', '[x]\n  indented first\n']) {
      assert.doesNotThrow(() => readIni(text, 'config'));
      assert.doesNotThrow(() => readIni(text, 'credentials'));
    }
  });
});
