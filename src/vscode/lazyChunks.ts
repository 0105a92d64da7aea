import type * as EngineChunk from '../core/engineChunk';
import type * as SdkCredentialSourcesChunk from '../core/credentials/sdkCredentialSources';
import type { CredentialSourceApi } from '../core/credentials/sourceCredentials';
import type { SsoApis } from '../core/credentials/sso/ssoApi';
import type * as SsoClientsChunk from '../core/credentials/sso/ssoClients';
import type { StsApi } from '../core/credentials/stsApi';
import type * as StsClientChunk from '../core/credentials/stsClient';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

// The one place that loads the lazily bundled chunks (esbuild.js emits them as dist/engine.js,
// dist/stsClient.js, dist/credentialSources.js and dist/ssoClients.js), so activation pays for none of them.
// `require`, not `import()`: esbuild turns it into a plain require of the chunk file. Everything
// else in src/vscode may import only types from the modules in those chunks (a lint rule says so).

let engineChunk: typeof EngineChunk | undefined;

/** The profile engine (reading, resolving, diagnostics), required on first use; synchronous, so tree items and code actions can call it. */
export function engine(): typeof EngineChunk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  engineChunk ??= require('../core/engineChunk') as typeof EngineChunk;
  return engineChunk;
}

export interface SdkLoaders {
  /** The AWS SDK's STS client, made again when the timeout setting changes. */
  loadSts: () => Promise<StsApi>;
  /** The AWS SDK's credential providers (process, SSO, web identity, container, IMDS). */
  loadSources: () => Promise<CredentialSourceApi>;
  /**
   * The AWS SDK's IAM Identity Center clients (sso-oidc, sso), made again when the timeout setting
   * changes. `maxAttempts`: the SDK's own attempts per call (discovery retries throttling itself and asks for 1).
   */
  loadSso: (maxAttempts?: number) => Promise<SsoApis>;
}

export function createSdkLoaders(settings: SettingsService, log: Logger): SdkLoaders {
  let sts: { timeout: number; api: Promise<StsApi> } | undefined;
  let sources: Promise<CredentialSourceApi> | undefined;
  const sso = new Map<number, { timeout: number; apis: Promise<SsoApis> }>();
  return {
    loadSts: () => {
      const timeout = settings.value.stsTimeoutSeconds * 1000;
      if (sts?.timeout !== timeout) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const chunk = Promise.resolve(require('../core/credentials/stsClient') as typeof StsClientChunk);
        sts = { timeout, api: chunk.then((m) => m.createStsApi({ requestTimeoutMs: timeout, maxAttempts: 3, log: (line) => log.warn(line) })) };
      }
      return sts.api;
    },
    loadSources: () => {
      sources ??= Promise.resolve()
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        .then(() => require('../core/credentials/sdkCredentialSources') as typeof SdkCredentialSourcesChunk)
        .then((m) => m.createCredentialSourceApi({ timeoutMs: settings.value.stsTimeoutSeconds * 1000, log: (line) => log.debug(line) }));
      // A chunk that failed to load is tried again on the next call, not remembered as failed.
      sources.catch(() => (sources = undefined));
      return sources;
    },
    loadSso: (maxAttempts = 3) => {
      const timeout = settings.value.stsTimeoutSeconds * 1000;
      let entry = sso.get(maxAttempts);
      if (entry?.timeout !== timeout) {
        const apis = Promise.resolve()
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          .then(() => require('../core/credentials/sso/ssoClients') as typeof SsoClientsChunk)
          .then((m) => m.createSsoApi({ requestTimeoutMs: timeout, maxAttempts, log: (line) => log.warn(line) }));
        entry = { timeout, apis };
        sso.set(maxAttempts, entry);
        apis.catch(() => sso.delete(maxAttempts));
      }
      return entry.apis;
    },
  };
}
