import { runMochaSuite } from './mochaRunner';

/** Entry point VS Code calls in the extension host (extensionTestsPath). */
export function run(): Promise<void> {
  // The secret scan checks what every other test left behind (logs, state, settings, UI), so it
  // must run after all of them, whatever the files are called.
  return runMochaSuite(__dirname, /\.test\.js$/, { last: ['secretScan.test.js'] });
}
