// Everything that reads, resolves or checks profiles, in one lazily required chunk
// (dist/engine.js): activation loads none of it, the first look at profiles does.
// The VS Code layer reaches it through vscode/lazyChunks.ts only.
export { loadAwsFiles } from './config/sharedFiles';
export { readCliCache, writeCliCache } from './credentials/cliCache';
export { diagnoseConfig, diagnosticsByProfile } from './config/diagnostics';
export { profileHeader } from './config/diagnostics';
export { configCompletions, configHover } from './config/configAssist';
export { addRoleProfileToFile, createConfigFileIfMissing, mfaSerialsInUse, sourceEndpointSettings, validateMfaSerial, validateProfileName, validateRegion, validateRoleArn, validateSessionName } from './config/configEdits';
export { buildConsoleUrl } from './delivery/consoleFederation';
export { CredentialEndpoint } from './delivery/credentialEndpoint';
export { buildProfileSet } from './config/profiles';
export { profileProblem, summarizeProfile } from './config/profileSummary';
export { resolveSession } from './session/resolveSession';
export { needsMfaCode } from './config/sourceChain';
export { addSsoSessionToFile, convertLegacySsoProfilesInFile, validateSsoRegion, validateSsoSessionName, validateStartUrl } from './config/ssoSessionEdits';
export { listSsoSignIns, ssoSessionFromConfig, describeSsoSession } from './credentials/sso/ssoConfig';
export { signInWithAuthorizationCode, signInWithDeviceCode } from './credentials/sso/signIn';
export { SsoTokenService } from './credentials/sso/tokenService';
export { readToken, tokenFilePath } from './credentials/sso/tokenCache';
export { ssoRoleCredentials } from './credentials/sso/ssoRoleCredentials';
export { matchingConfigProfiles, withDiscoveredRoles } from './config/discoveredRoles';
export { planIdentityCenterProfiles, validateProfileNameTemplate, writeIdentityCenterProfiles } from './config/identityCenterProfiles';
export { discoverAccountsAndRoles } from './credentials/sso/discovery';
export { profileEndpoints } from './credentials/configuredEndpoint';

import type { AwsFilePaths } from './config/filePaths';
import { loadAwsFiles } from './config/sharedFiles';
import { buildProfileSet, type ProfileSet } from './config/profiles';

/** Reads both files and builds the profile set: what the catalog needs from the engine. */
export async function loadProfileSet(paths: AwsFilePaths): Promise<ProfileSet> {
  return buildProfileSet(await loadAwsFiles(paths));
}
