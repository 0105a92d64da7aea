import { runMochaSuite } from './mochaRunner';

/** Entry point VS Code calls in the extension host (extensionTestsPath). */
export function run(): Promise<void> {
  return runMochaSuite(__dirname, /\.test\.js$/);
}
