import * as assert from 'node:assert/strict';
import { isStale, planRelaunch, staleTerminalsMessage, terminalStartFor, type TerminalStart } from '../../../src/core/delivery/staleTerminals';
import { roleSession, staticSession } from '../../support/sessions';

describe('core/staleTerminals', () => {
  const dev = roleSession();
  const deploy = roleSession({ profileName: 'deploy', arn: 'arn:aws:sts::333333333333:assumed-role/Deploy/alice', accountId: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/Deploy' });

  it('records the identity and access key id a terminal opens with, never a secret', () => {
    const start = terminalStartFor(dev, false);
    assert.deepEqual(start, { kind: 'keys', identity: 'arn:aws:iam::222222222222:role/Dev', accessKeyId: dev.credentials.accessKeyId });
    assert.ok(!JSON.stringify(start).includes(dev.credentials.secretAccessKey));
    assert.deepEqual(terminalStartFor(dev, true), { kind: 'endpoint' });
    assert.deepEqual(terminalStartFor(undefined, false), { kind: 'none' });
    // Keys without a role: the caller ARN.
    const keys = staticSession({ roleArn: undefined, arn: 'arn:aws:iam::111111111111:user/alice' });
    assert.equal((terminalStartFor(keys, false) as { identity: string }).identity, keys.arn);
  });

  it('calls a terminal stale after a switch or a drop, not after a refresh of the same role', () => {
    const devStart = terminalStartFor(dev, false);
    assert.ok(isStale(devStart, terminalStartFor(deploy, false)), 'switch');
    assert.ok(isStale(devStart, terminalStartFor(undefined, false)), 'drop');
    const refreshed = roleSession({ credentials: { accessKeyId: 'ASIAREFRESHED0000001', secretAccessKey: 's', sessionToken: 't' } });
    assert.ok(!isStale(devStart, terminalStartFor(refreshed, false)), 'refresh');
  });

  it('never calls an endpoint terminal stale; one without our variables only once a role is active', () => {
    const endpoint: TerminalStart = { kind: 'endpoint' };
    assert.ok(!isStale(endpoint, terminalStartFor(deploy, false)));
    assert.ok(!isStale(endpoint, terminalStartFor(undefined, false)));
    for (const start of [{ kind: 'none' }, { kind: 'unknown' }] as TerminalStart[]) {
      assert.ok(isStale(start, terminalStartFor(deploy, false)));
      assert.ok(!isStale(start, terminalStartFor(undefined, false)));
    }
  });

  it('relaunches at once only idle terminals that hold our variables; asks about the rest', () => {
    const keys = terminalStartFor(dev, false);
    const plan = planRelaunch([
      { terminal: 'idle', start: keys, busy: false },
      { terminal: 'busy', start: keys, busy: true },
      { terminal: 'unsure', start: keys, busy: undefined },
      { terminal: 'before', start: { kind: 'unknown' }, busy: false },
      { terminal: 'plain', start: { kind: 'none' }, busy: false },
    ]);
    assert.deepEqual(plan, { now: ['idle'], ask: ['busy', 'unsure', 'before', 'plain'] });
  });

  it('says how many terminals and who the window is now', () => {
    assert.match(staleTerminalsMessage(2, deploy), /^2 open terminals still have .* not those of profile deploy/);
    assert.match(staleTerminalsMessage(1, undefined), /^An open terminal still has .* the session was dropped/);
  });
});
