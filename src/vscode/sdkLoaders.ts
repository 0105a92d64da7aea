import type { CredentialSourceApi } from '../core/credentials/sourceCredentials';
import type { StsApi } from '../core/credentials/stsApi';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

/**
 * The AWS SDK's STS client and credential providers are separate chunks (dist/stsClient.js,
 * dist/credentialSources.js), required on first use so activation never pays for them.
 * `require`, not `import()`: esbuild turns it into a plain require of the chunk.
 */
export function createSdkLoaders(settings: SettingsService, log: Logger): { loadSts: () => Promise<StsApi>; loadSources: () => Promise<CredentialSourceApi> } {
  let sts: { timeout: number; api: Promise<StsApi> } | undefined;
  let sources: Promise<CredentialSourceApi> | undefined;
  return {
    loadSts: () => {
      const timeout = settings.value.stsTimeoutSeconds * 1000;
      if (sts?.timeout !== timeout) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const api = Promise.resolve(require('../core/credentials/stsClient') as typeof import('../core/credentials/stsClient')).then((m) => m.createStsApi({ requestTimeoutMs: timeout, maxAttempts: 3, log: (line) => log.warn(line) }));
        sts = { timeout, api };
      }
      return sts.api;
    },
    loadSources: () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      sources ??= Promise.resolve(require('../core/credentials/sdkCredentialSources') as typeof import('../core/credentials/sdkCredentialSources')).then((m) => m.createCredentialSourceApi({ timeoutMs: settings.value.stsTimeoutSeconds * 1000, log: (line) => log.debug(line) }));
      return sources;
    },
  };
}
