// Reusable bootstrap for a mocha suite run inside the VS Code extension host (`extensionTestsPath`).
// A suite's index.ts is then just:
//   import * as path from 'path';
//   import { runMochaSuite } from './mochaRunner';
//   export function run(): Promise<void> { return runMochaSuite(__dirname, /\.test\.js$/); }
// Files named in `last` run after all the others, in that order (mocha runs files in the order added).
//
// Output: mocha's spec reporter with colors off. In code-server the extension host's console
// output is forwarded to the browser, where the harness reads it through `codeAutomationLog`.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** All files under `root` (recursively) whose path relative to `root` matches `pattern`, sorted. */
function findFiles(root: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (pattern.test(path.relative(root, full).split(path.sep).join('/'))) {
        out.push(full);
      }
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Runs every file under `testsRoot` whose relative path (with `/` separators) matches `pattern`
 * with mocha (bdd, no colors), those named in `last` (relative paths) after all the others.
 * Resolves when all tests pass; rejects with an Error naming the number of failures otherwise
 * (VS Code then reports exit code 1 through codeAutomationExit), or when a `last` file is missing.
 */
export function runMochaSuite(testsRoot: string, pattern: RegExp, { last = [] }: { last?: string[] } = {}): Promise<void> {
  const timeout = Number(process.env.MOCHA_TIMEOUT ?? 20000);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout, reporter: 'spec' });
  const grep = process.env.MOCHA_GREP;
  if (grep) mocha.grep(grep);
  const files = findFiles(testsRoot, pattern);
  if (files.length === 0) {
    return Promise.reject(new Error(`no test files matching ${pattern} under ${testsRoot}`));
  }
  const lastFiles = last.map((f) => path.join(testsRoot, f));
  const missing = lastFiles.filter((f) => !files.includes(f));
  if (missing.length) {
    return Promise.reject(new Error(`test files to run last are missing: ${missing.join(', ')}`));
  }
  for (const f of [...files.filter((f) => !lastFiles.includes(f)), ...lastFiles]) mocha.addFile(f);
  return new Promise<void>((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
        else resolve();
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
