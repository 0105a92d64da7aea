// Everything that reads, resolves or checks profiles, in one lazily required chunk
// (dist/engine.js): activation loads none of it, the first look at profiles does.
// The VS Code layer reaches it through vscode/engine.ts only.
export { loadAwsFiles } from './awsFiles';
export { readCliCache, writeCliCache } from './cliCache';
export { diagnoseConfig, diagnosticsByProfile, isLineDelete } from './configDiagnostics';
export { appendRoleProfile, validateMfaSerial, validateProfileName, validateRoleArn, validateSessionName, writeFileAtomically } from './configEdit';
export { buildConsoleUrl } from './consoleSignin';
export { CredentialEndpoint } from './credentialEndpoint';
export { buildProfileSet, DEFAULT_DURATION_SECONDS } from './profiles';
export { resolveSession } from './session';
export { chainNames, resolveSourceChain } from './sourceChain';

import type { AwsFilePaths } from './awsFiles';
import { loadAwsFiles } from './awsFiles';
import { buildProfileSet, type ProfileSet } from './profiles';

/** Reads both files and builds the profile set: what the catalog needs from the engine. */
export async function loadProfileSet(paths: AwsFilePaths): Promise<ProfileSet> {
  return buildProfileSet(await loadAwsFiles(paths));
}
