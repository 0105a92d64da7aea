import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InspectSnapshot } from '../../../src/vscode/testHooks';

export const EXTENSION_ID = 'aws-role-switcher.aws-role-switcher';

export async function inspect(): Promise<InspectSnapshot> {
  return (await vscode.commands.executeCommand('awsRoles.inspectState')) as InspectSnapshot;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Runs a command line in a NEW integrated terminal and waits for the marker file it writes last. */
export async function runInNewTerminal(name: string, dir: string, script: string, timeoutMs = 30000): Promise<vscode.Terminal> {
  const done = path.join(dir, `${name}.done`);
  await fs.rm(done, { force: true });
  const terminal = vscode.window.createTerminal({ name, cwd: dir, env: {} });
  terminal.sendText(`${script}; echo done > ${JSON.stringify(done)}`);
  await waitFor(`terminal "${name}" to finish`, async () => (await fs.readFile(done, 'utf8').catch(() => '')).includes('done'), timeoutMs);
  return terminal;
}

export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** Runs AWS: Assume Role for a profile and fails with the extension's own reason when it did not switch. */
export async function assumeOrExplain(profileName: string): Promise<void> {
  const ok = await vscode.commands.executeCommand('awsRoles.assumeRole', profileName);
  if (ok !== true) throw new Error(`Assuming "${profileName}" failed: ${(await inspect()).lastFailure ?? 'no reason recorded'}`);
}

/** Every test STS of the run, so the last suite can look for any secret they handed out. */
export const allStsServers: { allSecrets(): string[] }[] = [];
export function trackSts<T extends { allSecrets(): string[] }>(sts: T): T {
  allStsServers.push(sts);
  return sts;
}

/** Every file below root (or root itself when it is a file); nothing when it does not exist. */
export async function listFiles(root: string): Promise<string[]> {
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat) return [];
  if (!stat.isDirectory()) return [root];
  const entries = await fs.readdir(root, { withFileTypes: true });
  return (await Promise.all(entries.map((e) => listFiles(path.join(root, e.name))))).flat();
}
