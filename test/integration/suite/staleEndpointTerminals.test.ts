import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './helpers';

// After a reload, terminals restored from before it still hold the old credential endpoint's
// address (another local user could bind that freed port). The check that runs at activation
// is driven here through a test hook, with the user's answer given.
describe('Terminals holding an old credential endpoint address', () => {
  const created: vscode.Terminal[] = [];
  afterEach(() => {
    for (const t of vscode.window.terminals) if (t.name.startsWith('stale-endpoint-')) t.dispose();
    created.length = 0;
  });

  it('are relaunched when the user says so, with their names, and left alone otherwise', async () => {
    created.push(vscode.window.createTerminal({ name: 'stale-endpoint-a' }), vscode.window.createTerminal({ name: 'stale-endpoint-b' }));
    await waitFor('the terminals to open', async () => (vscode.window.terminals.filter((t) => t.name.startsWith('stale-endpoint-')).length === 2 ? true : undefined), 10_000);
    const before = vscode.window.terminals.filter((t) => t.name.startsWith('stale-endpoint-'));

    // Declined: nothing is touched.
    assert.equal(await vscode.commands.executeCommand('awsRoles.test.checkStaleEndpointTerminals', 45678, 'Not now'), 0);
    assert.ok(before.every((t) => vscode.window.terminals.includes(t)));

    const relaunched = (await vscode.commands.executeCommand('awsRoles.test.checkStaleEndpointTerminals', 45678, 'Relaunch Terminals')) as number;
    assert.ok(relaunched >= 2, `relaunched ${relaunched}`);
    await waitFor('new terminals with the same names', async () => {
      const now = vscode.window.terminals.filter((t) => t.name.startsWith('stale-endpoint-'));
      return now.length === 2 && now.every((t) => !before.includes(t)) ? true : undefined;
    }, 10_000);
  });
});
