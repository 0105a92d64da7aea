// Fixture files kept next to the tests (test/**/fixtures/), read from the source tree: the tests
// run compiled from out/test/..., where tsc copies no fixture, so paths start at the repo root.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the first folder above this file holding a package.json (out/ has none). */
export const REPO_ROOT = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

/**
 * A fixture file (path from the repo root) with its `{{name}}` placeholders filled in from
 * `values`; a placeholder without a value is an error, not a literal left in the file.
 */
export function readFixture(relativePath: string, values: Record<string, string> = {}): string {
  const file = path.join(REPO_ROOT, relativePath);
  const text = fs.readFileSync(file, 'utf8');
  return text.replace(/\{\{([\w.]+)\}\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`${relativePath}: no value for {{${name}}}`);
    return values[name];
  });
}
