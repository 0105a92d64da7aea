import type { Clock } from '../core/clock';
import { errorMessage, RoleSwitchError } from '../core/errors';
import type { MfaSessionCache } from '../core/credentials/mfaSessions';
import type { ProfileCatalog } from '../core/config/profileCatalog';
import type { Redactor } from '../core/redact';
import type { Session } from '../core/session/session';
import type { MfaCodeProvider } from '../core/session/resolveSession';
import { engine } from './lazyChunks';
import type { ResolveMode } from '../core/session/sessionManager';
import type { CredentialSourceApi } from '../core/credentials/sourceCredentials';
import type { StsApi } from '../core/credentials/stsApi';
import type { Env } from '../core/config/filePaths';
import type { Logger } from './logger';
import type { SettingsService } from './settings';

export interface SessionResolverDeps {
  catalog: ProfileCatalog;
  settings: SettingsService;
  loadSts: () => Promise<StsApi>;
  loadSources: () => Promise<CredentialSourceApi>;
  mfaCache: MfaSessionCache;
  prompt: MfaCodeProvider;
  clock: Clock;
  env: Env;
  redactor: Redactor;
  log: Logger;
}

/** Resolves a profile with the current settings; a background refresh gets no prompt. */
export function createSessionResolver(d: SessionResolverDeps): (profileName: string, signal: AbortSignal, mode: ResolveMode) => Promise<Session> {
  return async (profileName, signal, mode) => {
    const s = d.settings.value;
    const noPrompt: MfaCodeProvider = async ({ profile, mfaSerial }) => {
      throw new RoleSwitchError(`Renewing the AWS credentials of "${profile}" needs a code from MFA device ${mfaSerial}.`, 'MfaRequired', profileName);
    };
    const session = await engine().resolveSession(await d.catalog.get(), profileName, {
      loadSts: d.loadSts,
      loadSources: d.loadSources,
      mfaCode: mode.interactive ? d.prompt : noPrompt,
      clock: d.clock,
      env: d.env,
      sessionName: s.sessionName ? () => s.sessionName : undefined,
      signal,
      mfaSessions: s.mfaSession ? { cache: d.mfaCache, durationSeconds: Math.round(s.mfaSessionHours * 3600) } : undefined,
      cliCache: s.useCliCache || s.writeCliCache
        ? {
            // On a refresh the cache would hand back the very credentials being renewed.
            read: s.useCliCache && !mode.refresh ? (key, now) => engine().readCliCache(key, now) : async () => undefined,
            write: s.writeCliCache ? (key, role) => engine().writeCliCache(key, role) : undefined,
            onWriteError: (e) => d.log.warn(`Could not write the AWS CLI cache: ${errorMessage(e)}`),
          }
        : undefined,
    });
    d.redactor.remember(session.credentials.accessKeyId, session.credentials.secretAccessKey, session.credentials.sessionToken);
    for (const m of d.mfaCache.all()) d.redactor.remember(m.credentials.accessKeyId, m.credentials.secretAccessKey, m.credentials.sessionToken);
    return session;
  };
}
