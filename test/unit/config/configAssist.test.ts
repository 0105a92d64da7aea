import * as assert from 'node:assert/strict';
import { configCompletions, configHover, placeAt, type AssistSources, type TextPosition } from '../../../src/core/config/configAssist';
import { KNOWN_KEYS } from '../../../src/core/config/knownKeys';
import { CREDENTIAL_SOURCES } from '../../../src/core/config/sourceChain';
import { ini } from '../../support/awsFiles';

const CONFIG = ini(`
  # my config
  [profile base]
  region = eu-west-1

  [profile dev]
  role_arn = arn:aws:iam::222222222222:role/Dev
  source_profile = ba
  mfa_serial = arn:aws:iam::111111111111:mfa/alice

  [profile ops]
  role_arn = arn:aws:iam::222222222222:role/Ops
  credential_source = Ec2
  sso_session =
  output = json

  [sso-session corp]
  sso_start_url = https://corp.awsapps.com/start
  sso_reg

  [services local]
  sts =
    endpoint_url = http://127.0.0.1:4566

  [ignored]
  region = x
`);

const NONE: AssistSources = { profiles: [] };

/** The position just after the first occurrence of `needle` on the line that starts with `lineStart`, after the header `after`. */
function at(text: string, lineStart: string, needle = lineStart, after?: string): TextPosition {
  const lines = text.split('\n');
  const from = after ? lines.indexOf(after) : 0;
  assert.ok(from >= 0, `fixture has ${after}`);
  const line = lines.findIndex((l, i) => i >= from && l.startsWith(lineStart));
  assert.ok(line >= 0, `fixture has a line starting ${lineStart}`);
  const column = lines[line].indexOf(needle);
  assert.ok(column >= 0);
  return { line, character: column + needle.length };
}

/** The text with `line` inserted after the line that starts with `after`, and the position at its end. */
function typed(text: string, after: string, line: string): { text: string; at: TextPosition } {
  const lines = text.split('\n');
  const n = lines.findIndex((l) => l.startsWith(after));
  lines.splice(n + 1, 0, line);
  return { text: lines.join('\n'), at: { line: n + 1, character: line.length } };
}

const labels = (items: { label: string }[]) => items.map((i) => i.label);

describe('core/configAssist: completion and hover in the shared files', () => {
  it('knows each key once per kind of section, with a summary and documentation', () => {
    const seen = new Set<string>();
    for (const k of KNOWN_KEYS) {
      const id = `${k.section}:${k.key}`;
      assert.ok(!seen.has(id), `${id} twice`);
      seen.add(id);
      assert.ok(k.summary && k.doc, id);
    }
    for (const key of ['role_arn', 'source_profile', 'credential_source', 'mfa_serial', 'sso_session', 'aws_access_key_id', 'credential_process', 'endpoint_url', 'services', 'web_identity_token_file', 'login_session']) assert.ok(seen.has(`profile:${key}`), key);
    for (const key of ['sso_start_url', 'sso_region', 'sso_registration_scopes']) assert.ok(seen.has(`sso-session:${key}`), key);
  });

  it('offers the profile keys not set yet on an empty line of a profile, with their meaning', () => {
    const { text, at: pos } = typed(CONFIG, 'mfa_serial', '');
    const items = configCompletions(text, 'config', pos, NONE);
    const keys = labels(items);
    assert.ok(keys.includes('external_id') && keys.includes('duration_seconds') && keys.includes('region'), JSON.stringify(keys));
    assert.ok(!keys.includes('role_arn') && !keys.includes('source_profile'), 'keys already in the section are left out');
    assert.ok(!keys.includes('sso_registration_scopes'), 'sso-session keys belong in their own section');
    const externalId = items.find((i) => i.label === 'external_id');
    assert.equal(externalId?.insertText, 'external_id = ');
    assert.match(externalId?.documentation ?? '', /ExternalId/);
    assert.equal(externalId?.retrigger, false);
    assert.equal(items.find((i) => i.label === 'credential_source')?.retrigger, true, 'its values open next');
    assert.deepEqual(externalId?.range, { line: pos.line, start: 0, end: 0 });
  });

  it('replaces the part of the key already typed, and only the key when the line has its = already', () => {
    const { text, at: pos } = typed(CONFIG, 'mfa_serial', 'dur');
    const items = configCompletions(text, 'config', pos, NONE);
    const duration = items.find((i) => i.label === 'duration_seconds');
    assert.deepEqual(duration?.range, { line: pos.line, start: 0, end: 3 });
    const withValue = typed(CONFIG, 'mfa_serial', 'dur = 3600');
    const inKey = configCompletions(withValue.text, 'config', { line: withValue.at.line, character: 2 }, NONE).find((i) => i.label === 'duration_seconds');
    assert.equal(inKey?.insertText, 'duration_seconds');
    assert.deepEqual(inKey?.range, { line: withValue.at.line, start: 0, end: 3 });
  });

  it('offers credentials-file keys in the credentials file, and nothing in comments, headers or ignored sections', () => {
    const credentials = '[base]\naws_access_key_id = AKIAEXAMPLE\n\n';
    const keys = labels(configCompletions(credentials, 'credentials', { line: 2, character: 0 }, NONE));
    assert.ok(keys.includes('aws_secret_access_key') && keys.includes('region') && keys.includes('credential_process'), JSON.stringify(keys));
    assert.ok(!keys.includes('aws_access_key_id') && !keys.includes('role_arn'), JSON.stringify(keys));
    assert.deepEqual(configCompletions(CONFIG, 'config', at(CONFIG, '# my'), NONE), []);
    assert.deepEqual(configCompletions(CONFIG, 'config', at(CONFIG, '[profile base]', '[profile'), NONE), []);
    assert.deepEqual(configCompletions(CONFIG, 'config', at(CONFIG, 'region = x', 'reg', '[ignored]'), NONE), []);
    assert.deepEqual(configCompletions('region = x\n', 'config', { line: 0, character: 3 }, NONE), [], 'before any section');
  });

  it('offers sso-session keys in an [sso-session] section and the service blocks in [services]', () => {
    const items = configCompletions(CONFIG, 'config', at(CONFIG, 'sso_reg'), NONE);
    assert.deepEqual(labels(items).sort(), ['sso_region', 'sso_registration_scopes']);
    const empty = { line: 1, character: 0 };
    assert.deepEqual(labels(configCompletions('[services other]\n', 'config', empty, NONE)), ['sts'], 'sts is the block we read');
    assert.equal(configCompletions('[services other]\n', 'config', empty, NONE)[0].insertText, 'sts =\n  endpoint_url = ');
    const afterSts = typed(CONFIG, '    endpoint_url', '');
    assert.deepEqual(configCompletions(afterSts.text, 'config', afterSts.at, NONE), [], 'sts is set already');
    const nested = typed(CONFIG, '[services local]', '  end');
    assert.deepEqual(labels(configCompletions(nested.text, 'config', nested.at, NONE)), ['endpoint_url']);
  });

  it('offers profile names after source_profile =, the other file\'s too, never the profile itself', () => {
    const sources: AssistSources = { profiles: [{ name: 'from-credentials', detail: 'access keys' }, { name: 'base', detail: 'no credentials' }] };
    const items = configCompletions(CONFIG, 'config', at(CONFIG, 'source_profile = ba'), sources);
    assert.deepEqual(labels(items), ['from-credentials', 'base', 'ops']);
    assert.equal(items[0].detail, 'access keys');
    const line = at(CONFIG, 'source_profile = ba').line;
    assert.deepEqual(items[0].range, { line, start: 'source_profile = '.length, end: 'source_profile = ba'.length });
    assert.equal(items[0].insertText, 'from-credentials');
    const credentials = '[a]\naws_access_key_id = x\n[b]\nsource_profile = \n';
    assert.deepEqual(labels(configCompletions(credentials, 'credentials', { line: 3, character: 17 }, NONE)), ['a']);
  });

  it('offers the credential_source values, the sso-session names and the fixed values of other keys', () => {
    const sources = configCompletions(CONFIG, 'config', at(CONFIG, 'credential_source = Ec2'), NONE);
    assert.deepEqual(labels(sources), [...CREDENTIAL_SOURCES]);
    assert.match(sources.find((s) => s.label === 'Ec2InstanceMetadata')?.documentation ?? '', /instance metadata/);
    assert.deepEqual(labels(configCompletions(CONFIG, 'config', at(CONFIG, 'sso_session ='), { profiles: [], ssoSessions: ['other', 'corp'] })), ['corp', 'other']);
    assert.ok(labels(configCompletions(CONFIG, 'config', at(CONFIG, 'output = json'), NONE)).includes('text'));
    const mfa = typed(CONFIG, 'credential_source', 'mfa_serial = ');
    assert.deepEqual(labels(configCompletions(mfa.text, 'config', mfa.at, NONE)), ['arn:aws:iam::111111111111:mfa/alice'], 'devices already used in the file');
    const services = typed(CONFIG, 'credential_source', 'services = ');
    assert.deepEqual(labels(configCompletions(services.text, 'config', services.at, NONE)), ['local']);
    assert.deepEqual(configCompletions(CONFIG, 'config', at(CONFIG, 'role_arn = arn', 'arn:aws', '[profile dev]'), NONE), [], 'no list for a free value');
  });

  it('explains the key under the cursor, and a known value, and nothing else', () => {
    const hover = configHover(CONFIG, 'config', { ...at(CONFIG, 'source_profile = ba'), character: 3 });
    assert.match(hover?.markdown ?? '', /^\*\*source_profile\*\* \(config file\)/);
    assert.deepEqual(hover?.range, { line: at(CONFIG, 'source_profile').line, start: 0, end: 'source_profile'.length });
    assert.match(configHover(CONFIG, 'config', { ...at(CONFIG, 'output = json'), character: 1 })?.markdown ?? '', /does not use it/);
    assert.match(configHover(CONFIG, 'config', at(CONFIG, 'sso_start_url', 'sso_st', '[sso-session corp]'))?.markdown ?? '', /access portal URL/);
    const value = typed(CONFIG, 'credential_source', 'credential_source = EcsContainer');
    assert.match(configHover(value.text, 'config', value.at)?.markdown ?? '', /ECS task/);
    assert.equal(configHover(CONFIG, 'config', at(CONFIG, 'role_arn = arn', 'arn:aws', '[profile dev]')), undefined);
    assert.equal(configHover('[p]\nnot_a_key = 1\n', 'credentials', { line: 1, character: 2 }), undefined);
  });

  it('knows where the cursor is: key or value, and in which profile', () => {
    assert.deepEqual(placeAt(CONFIG, 'config', at(CONFIG, 'source_profile = ba')), {
      kind: 'value',
      section: 'profile',
      profile: 'dev',
      key: 'source_profile',
      range: { line: at(CONFIG, 'source_profile').line, start: 17, end: 19 },
    });
    assert.equal(placeAt('[DEFAULT]\nreg', 'config', { line: 1, character: 3 }).kind, 'key');
    assert.equal(placeAt('[profile x]\nrole_arn is here', 'config', { line: 1, character: 16 }).kind, 'none', 'two words are not a key');
  });
});
