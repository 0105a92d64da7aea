// The only module that loads the AWS SDK's STS client. esbuild emits it as its own
// chunk (dist/stsClient.js) that is required on the first STS call, keeping the SDK
// off the activation path.
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { StsCallError } from '../errors';
import { sdkLogger } from './sdkLogger';
import type { AssumeRoleRequest, AssumeRoleResult, CallerIdentity, SessionTokenRequest, StsApi, StsCallOptions } from './stsApi';

export interface StsClientSettings {
  /** Per-attempt time limit; the SDK retries transient failures up to maxAttempts. */
  requestTimeoutMs: number;
  maxAttempts: number;
  /** Receives the SDK's retry and debug lines, already free of credentials. */
  log?: (message: string) => void;
}

const MAX_CACHED_CLIENTS = 16;

function endpointLabel(options: StsCallOptions): string {
  return options.endpoint ?? `https://sts.${options.region}.amazonaws.com`;
}

function toStsCallError(e: unknown, options: StsCallOptions): StsCallError {
  const err = e as { name?: string; code?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const network = err.code ?? err.cause?.code;
  // smithy reports its own request timeout as ETIMEDOUT; that is "no answer in time", not "unreachable".
  const timedOut = /exceeded the configured \d+ ms requestTimeout/.test(err.message ?? '');
  const code = timedOut
    ? 'TimeoutError'
    : network && /^E[A-Z]+$/.test(network)
      ? network
      : err.name === 'TimeoutError' || err.name === 'AbortError'
        ? err.name
        : (err.Code ?? err.name ?? 'Error');
  return new StsCallError(code, err.message ?? String(e), endpointLabel(options), err.$metadata?.httpStatusCode);
}

/**
 * Creates the STS adapter. Clients are kept per (region, endpoint, key) so a warm
 * switch pays only the HTTP round trip, not client construction or a new TLS handshake.
 */
export function createStsApi(settings: StsClientSettings): StsApi {
  const clients = new Map<string, STSClient>();

  const clientFor = (options: StsCallOptions): STSClient => {
    const key = `${options.region}\u0000${options.endpoint ?? ''}\u0000${options.credentials.accessKeyId}\u0000${options.credentials.sessionToken?.slice(-16) ?? ''}`;
    let client = clients.get(key);
    if (client) {
      clients.delete(key);
      clients.set(key, client);
      return client;
    }
    const { accessKeyId, secretAccessKey, sessionToken } = options.credentials;
    client = new STSClient({
      region: options.region,
      endpoint: options.endpoint,
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      maxAttempts: settings.maxAttempts,
      requestHandler: { requestTimeout: settings.requestTimeoutMs, connectionTimeout: settings.requestTimeoutMs, throwOnRequestTimeout: true },
      logger: sdkLogger('STS', settings.log),
    });
    clients.set(key, client);
    if (clients.size > MAX_CACHED_CLIENTS) {
      const [oldestKey, oldest] = clients.entries().next().value as [string, STSClient];
      clients.delete(oldestKey);
      oldest.destroy();
    }
    return client;
  };

  // The SDK retries throttling, 5xx and network errors on its own; the log says so, so a slow
  // switch can be explained (never with request contents).
  const retried = (what: string, options: StsCallOptions, metadata: { attempts?: number; totalRetryDelay?: number } | undefined, outcome: string) => {
    const attempts = metadata?.attempts ?? 1;
    if (attempts > 1) settings.log?.(`STS ${what} at ${endpointLabel(options)} ${outcome} after ${attempts} attempts (the SDK retried ${attempts - 1} times, waiting ${metadata?.totalRetryDelay ?? 0} ms).`);
  };
  const send = async <T>(options: StsCallOptions, run: (client: STSClient) => Promise<T>, what = 'call'): Promise<T> => {
    try {
      return await run(clientFor(options));
    } catch (e) {
      if (e instanceof StsCallError) throw e;
      const failure = toStsCallError(e, options);
      retried(what, options, (e as { $metadata?: { attempts?: number; totalRetryDelay?: number } }).$metadata, `failed with ${failure.code}`);
      throw failure;
    }
  };

  return {
    assumeRole: (options: StsCallOptions, request: AssumeRoleRequest): Promise<AssumeRoleResult> =>
      send(options, async (client) => {
        const out = await client.send(new AssumeRoleCommand(request), { abortSignal: options.signal });
        retried('AssumeRole', options, out.$metadata, 'succeeded');
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration || !out.AssumedRoleUser?.Arn) {
          throw new StsCallError('IncompleteResponse', 'STS answered AssumeRole without credentials or an assumed-role ARN.', endpointLabel(options));
        }
        return {
          credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) },
          assumedRoleArn: out.AssumedRoleUser.Arn,
          assumedRoleId: out.AssumedRoleUser.AssumedRoleId,
        };
      }, 'AssumeRole'),
    getSessionToken: (options: StsCallOptions, request: SessionTokenRequest) =>
      send(options, async (client) => {
        const out = await client.send(new GetSessionTokenCommand(request), { abortSignal: options.signal });
        retried('GetSessionToken', options, out.$metadata, 'succeeded');
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
          throw new StsCallError('IncompleteResponse', 'STS answered GetSessionToken without credentials.', endpointLabel(options));
        }
        return { credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) } };
      }, 'GetSessionToken'),
    getCallerIdentity: (options: StsCallOptions): Promise<CallerIdentity> =>
      send(options, async (client) => {
        const out = await client.send(new GetCallerIdentityCommand({}), { abortSignal: options.signal });
        retried('GetCallerIdentity', options, out.$metadata, 'succeeded');
        if (!out.Arn || !out.Account) throw new StsCallError('IncompleteResponse', 'STS answered GetCallerIdentity without an ARN.', endpointLabel(options));
        return { arn: out.Arn, account: out.Account, userId: out.UserId ?? '' };
      }, 'GetCallerIdentity'),
  };
}
