import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { allStsServers, inspect, listFiles } from './helpers';

// Runs last, because index.ts adds it after every other file: after every flow of the run
// (switches, refreshes, endpoint mode, MFA-less faults, console sign-in, exports, debug, tasks),
// no secret any test STS knew or handed out may be anywhere the extension writes or shows things.

/**
 * Every form a secret can take in text: as written, percent-encoded (upper and lower case hex,
 * once and twice), form-encoded, and JSON-escaped (with and without `\/`) and that percent-encoded.
 * Written out here rather than taken from the redactor, so the scan does not share its blind spots.
 */
function searchedForms(secret: string): string[] {
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Set<string>();
  for (const plain of [secret, json, json.replace(/\//g, '\\/')]) {
    const once = encodeURIComponent(plain);
    for (const f of [plain, once, lowerHex(once), new URLSearchParams({ x: plain }).toString().slice(2), encodeURIComponent(once)]) forms.add(f);
  }
  return [...forms];
}

describe('Secrets, after the whole run', function () {
  this.timeout(60000);

  it('no key, secret or session token of the run, as written, URL-encoded or JSON-escaped, is in the logs, state, settings, storage, tree, status bar or messages', async () => {
    const raw = [...new Set(allStsServers.flatMap((s) => s.allSecrets()))].filter((s) => s.length >= 16);
    assert.ok(raw.length > 20, `the secrets of the run are known (${raw.length})`);
    const secrets = [...new Set(raw.flatMap(searchedForms))];
    assert.ok(secrets.length > raw.length, 'the encoded forms are searched too');
    const state = await inspect();
    const userDir = path.dirname(path.dirname(state.storage.globalStorage));
    // The extension host's whole log folder (ours and VS Code's), global and workspace state, settings.
    const roots = [path.dirname(state.storage.logDir), path.dirname(state.storage.globalStorage), path.join(userDir, 'settings.json')];
    if (state.storage.workspaceStorage) roots.push(path.dirname(state.storage.workspaceStorage));
    const files = (await Promise.all(roots.map(listFiles))).flat();
    assert.ok(files.some((f) => f.startsWith(state.storage.logDir)), 'our log is among the files');
    for (const file of files) {
      const content = await fs.readFile(file).catch(() => Buffer.alloc(0));
      for (const secret of secrets) assert.ok(!content.includes(secret), `a secret was found in ${file}`);
    }
    // What is shown: the tree (labels, descriptions, tooltips), the status bar, the last failure, debug notes.
    const shown = JSON.stringify({ tree: state.tree, statusBar: state.statusBar, lastFailure: state.lastFailure, debugNotes: state.debugNotes, consoleDestination: state.consoleDestination });
    for (const secret of secrets) assert.ok(!shown.includes(secret), 'a secret is shown in the UI');
  });
});
