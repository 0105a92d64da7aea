import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LoopbackSts, STS_XMLNS, type FakeFault } from '../../support/loopbackSts';
import { EXTENSION_ID, inspect, trackSts, waitFor } from './helpers';

// STS misbehaving on purpose, in a real VS Code: for each fault, the message the user gets, and
// proof that the previous session is untouched (status bar, terminal environment, tree, the
// session kept in SecretStorage). Also 100 switches fired at once.
const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIAFAULTSITALICE001', secretAccessKey: 'alice-it-faults-secret-0000000000000001' };
const roles = ['Good', 'Target', 'A', 'B', 'C'].map((r) => `arn:aws:iam::222222222222:role/${r}`);

const noCredentials = `<AssumeRoleResponse xmlns="${STS_XMLNS}"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/Target/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`;

interface FaultCase {
  name: string;
  fault?: FakeFault;
  count?: number;
  profile?: string;
  says: RegExp;
  /** A line the log must show (the SDK's retries). */
  logs?: RegExp;
}

const CASES: FaultCase[] = [
  { name: 'a timeout (given up after the setting, 1 s per attempt)', fault: { delayMs: 2500 }, count: 3, says: /did not answer in time for profile "target"/ },
  { name: 'connection refused', profile: 'refused', says: /could not be reached for profile "refused" \(ECONNREFUSED\)/ },
  { name: '500 Internal Failure', fault: { status: 500 }, count: 3, says: /InternalFailure/, logs: /failed with InternalFailure after 3 attempts \(the SDK retried 2 times/ },
  { name: '503 Service Unavailable', fault: { status: 503, code: 'ServiceUnavailable', message: 'Service unavailable' }, count: 3, says: /ServiceUnavailable/, logs: /failed with ServiceUnavailable after 3 attempts/ },
  { name: 'throttling', fault: { status: 400, code: 'Throttling', message: 'Rate exceeded' }, count: 3, says: /Throttling/, logs: /failed with Throttling after 3 attempts \(the SDK retried 2 times/ },
  { name: 'malformed XML', fault: { rawBody: '<html><body>proxy error' }, count: 3, says: /profile "target"/ },
  { name: 'a response missing its credentials', fault: { rawBody: noCredentials }, says: /without credentials/ },
  { name: 'an expired source session (ExpiredToken)', fault: { status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' }, says: /have expired \(ExpiredToken\)/ },
  { name: 'clock skew (SignatureDoesNotMatch with the skew hint)', fault: { status: 403, code: 'SignatureDoesNotMatch', message: 'Signature expired: 20261201T100000Z is now earlier than 20261201T110000Z (20261201T111500Z - 5 min.)' }, count: 3, says: /sync the clock/ },
  { name: 'a wrong MFA code', fault: { status: 403, code: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ' }, says: /MFA code for profile "target" was not accepted/ },
  { name: 'a reused MFA code (STS answers as for a wrong one)', fault: { status: 403, code: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ' }, says: /each code works only once/ },
];

describe('STS faults and races, in a real VS Code', function () {
  this.timeout(90000);
  let sts: LoopbackSts;
  let stsUrl: string;
  let dir: string;
  const settings = () => vscode.workspace.getConfiguration('awsRoles');
  const global = vscode.ConfigurationTarget.Global;

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    await ext?.activate();
    sts = trackSts(new LoopbackSts({ users: [alice], roles: roles.map((arn) => ({ arn, trustedPrincipals: [alice.arn] })) }));
    stsUrl = (await sts.start()).url;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aws-roles-faults-'));
    const profile = (name: string, role: string, endpoint = stsUrl) => `[profile ${name}]\nrole_arn = ${role}\nsource_profile = base\nregion = eu-west-1\nendpoint_url = ${endpoint}\n`;
    await fs.writeFile(path.join(dir, 'config'), [profile('good', roles[0]), profile('target', roles[1]), profile('refused', roles[1], 'http://127.0.0.1:1'), profile('a', roles[2]), profile('b', roles[3]), profile('c', roles[4])].join('\n'));
    await fs.writeFile(path.join(dir, 'credentials'), `[base]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`, { mode: 0o600 });
    await settings().update('configFile', path.join(dir, 'config'), global);
    await settings().update('credentialsFile', path.join(dir, 'credentials'), global);
    await settings().update('stsTimeoutSeconds', 1, global);
    await waitFor('the faults fixture in the tree', async () => (await inspect()).tree.some((g) => (g.children ?? [g]).some((p) => p.label === 'refused')));
    assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', 'good'), true);
    await waitFor('the session in SecretStorage', async () => (await inspect()).storedSessionKeyId ?? undefined);
  });

  after(async () => {
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    for (const key of ['configFile', 'credentialsFile', 'stsTimeoutSeconds']) await settings().update(key, undefined, global);
    await sts.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const snapshot = async () => {
    const s = await inspect();
    // The countdown ticks on its own; everything else must be exactly as before.
    return { active: s.active, terminalEnv: s.terminalEnv, statusBar: { state: s.statusBar.state, text: s.statusBar.text.replace(/ \d+:\d\d(:\d\d)?$/, '') }, marked: s.tree.flatMap((n) => n.children ?? [n]).filter((n) => n.icon === 'pass-filled').map((n) => n.label), stored: s.storedSessionKeyId };
  };

  for (const c of CASES) {
    it(`${c.name}: says what happened and leaves the session as it was`, async () => {
      const before = await snapshot();
      assert.equal(before.active?.profileName, 'good');
      sts.reset();
      if (c.fault) sts.failNext(c.fault, c.count ?? 1);
      assert.equal(await vscode.commands.executeCommand('awsRoles.assumeRole', c.profile ?? 'target'), false);
      const state = await inspect();
      assert.match(state.lastFailure ?? '', c.says);
      assert.deepEqual(await snapshot(), before);
      if (c.logs) {
        const logFiles = await fs.readdir(state.storage.logDir);
        const log = (await Promise.all(logFiles.map((f) => fs.readFile(path.join(state.storage.logDir, f), 'utf8')))).join('\n');
        assert.match(log, c.logs);
      }
    });
  }

  it('100 switches fired at once end with the last one picked, one STS call per switch at most, no timers left over', async () => {
    const diag = vscode.extensions.getExtension<{ timers(): { scheduled: number; pending: number } }>(EXTENSION_ID)!.exports;
    sts.reset();
    const names = ['a', 'b', 'c'];
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => vscode.commands.executeCommand<boolean>('awsRoles.assumeRole', names[i % 3])));
    const last = names[99 % 3];
    const state = await inspect();
    assert.equal(state.active?.profileName, last);
    assert.equal(results[99], true, 'the last switch applied');
    assert.ok(results.slice(0, 99).every((r) => r === false || r === true));
    const calls = sts.requests.filter((r) => r.action === 'AssumeRole');
    assert.ok(calls.length >= 1 && calls.length <= 100, `${calls.length} AssumeRole calls for 100 switches`);
    assert.equal(state.terminalEnv.AWS_ACCESS_KEY_ID, state.active?.accessKeyId);
    // Expiry, refresh and the countdown: nothing else is left scheduled.
    assert.ok(diag.timers().pending <= 3, `pending timers: ${JSON.stringify(diag.timers())}`);
  });

  it('dropping credentials while a switch is in flight leaves none behind', async () => {
    sts.reset();
    sts.failNext({ delayMs: 500 });
    const switching = vscode.commands.executeCommand<boolean>('awsRoles.assumeRole', 'target');
    await waitFor('the switch to reach STS', () => (sts.requests.length > 0 ? true : undefined), 5000, 10);
    await vscode.commands.executeCommand('awsRoles.dropCredentials');
    assert.equal(await switching, false);
    const state = await inspect();
    assert.equal(state.active, undefined);
    assert.deepEqual(state.terminalEnv, {});
    await waitFor('the stored session to go', async () => ((await inspect()).storedSessionKeyId === undefined ? true : undefined));
  });
});
