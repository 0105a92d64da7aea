// The only module that loads the AWS SDK's IAM Identity Center clients (sso-oidc and sso). esbuild
// emits it as its own chunk (dist/ssoClients.js), required on the first sign-in, refresh or
// portal call, keeping the SDK off the activation path.
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { GetRoleCredentialsCommand, ListAccountRolesCommand, ListAccountsCommand, LogoutCommand, SSOClient } from '@aws-sdk/client-sso';
import { encodedForms, redactPatterns } from '../../redact';
import { sdkLogger } from '../sdkLogger';
import { SsoApiError, type SsoApis, type SsoTarget } from './ssoApi';

export interface SsoClientSettings {
  /** Per-attempt time limit. */
  requestTimeoutMs: number;
  /** The SDK's attempts per call; discovery retries throttling itself and asks for 1. */
  maxAttempts: number;
  /** Receives the SDK's warnings and retry notes, never request contents. */
  log?: (message: string) => void;
}

const MAX_CACHED_CLIENTS = 8;

type Metadata = { attempts?: number; totalRetryDelay?: number; httpStatusCode?: number };

/**
 * A message fit for a log or a notification: the secrets of the request (in every encoded form),
 * query strings of URLs and credential-shaped text removed. Service messages rarely carry any of
 * these; this makes "never" hold rather than "rarely".
 */
function sanitize(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  const forms = secrets.flatMap((s) => (s && s.length >= 4 ? [...encodedForms(s)] : [])).sort((a, b) => b.length - a.length);
  for (const form of forms) out = out.split(form).join('***');
  out = out.replace(/\b(https?:\/\/[^\s?#"'<>]+)[?#][^\s"'<>]*/gi, '$1');
  return redactPatterns(out);
}

/** Any SDK failure as an SsoApiError: the service's error code, or NetworkError / TimeoutError / AbortError. */
function toSsoApiError(e: unknown, secrets: readonly (string | undefined)[]): SsoApiError {
  if (e instanceof SsoApiError) return e;
  const err = (e ?? {}) as { name?: string; code?: string; message?: string; error_description?: string; $metadata?: Metadata; cause?: { code?: string } };
  const network = err.code ?? err.cause?.code;
  // smithy reports its own request timeout as ETIMEDOUT; that is "no answer in time", not "unreachable".
  const timedOut = /exceeded the configured \d+ ms requestTimeout/.test(err.message ?? '') || err.name === 'TimeoutError';
  const name = timedOut ? 'TimeoutError' : err.name === 'AbortError' ? 'AbortError' : network && /^E[A-Z]+$/.test(network) ? 'NetworkError' : err.name || 'Error';
  // OIDC errors carry their text in error_description (RFC 6749 §5.2); the SDK's message is then just the name.
  const raw = err.error_description || err.message || name;
  const message = name === 'NetworkError' && network && !raw.includes(network) ? `${network}: ${raw}` : raw;
  return new SsoApiError(name, sanitize(message, secrets), err.$metadata?.httpStatusCode);
}

/** The SDK's request for an operation, cut short before it is sent: what remains is the endpoint it resolved. */
function captureEndpoint(operationPath: string, found: (url: string) => void) {
  return (() => async (args: { request: unknown }) => {
    const req = args.request as { protocol: string; hostname: string; port?: number; path: string };
    const base = `${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ''}${req.path.endsWith(operationPath) ? req.path.slice(0, -operationPath.length) : ''}`;
    found(base.replace(/\/+$/, ''));
    return { output: { $metadata: {} }, response: {} };
  }) as never;
}

/** Creates both services. Clients are kept per (region, endpoint), so repeated calls reuse connections. */
export function createSsoApi(settings: SsoClientSettings): SsoApis {
  const oidcClients = new Map<string, SSOOIDCClient>();
  const portalClients = new Map<string, SSOClient>();

  const config = (target: SsoTarget) => ({
    region: target.region,
    endpoint: target.endpoint,
    maxAttempts: settings.maxAttempts,
    requestHandler: { requestTimeout: settings.requestTimeoutMs, connectionTimeout: settings.requestTimeoutMs, throwOnRequestTimeout: true },
    logger: sdkLogger('IAM Identity Center', settings.log),
  });
  const cached = <C extends { destroy(): void }>(clients: Map<string, C>, target: SsoTarget, make: () => C): C => {
    const key = `${target.region}\u0000${target.endpoint ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      client = make();
      clients.set(key, client);
      if (clients.size > MAX_CACHED_CLIENTS) {
        const [oldestKey, oldest] = clients.entries().next().value as [string, C];
        clients.delete(oldestKey);
        oldest.destroy();
      }
    }
    return client;
  };
  const oidcClient = (target: SsoTarget) => cached(oidcClients, target, () => new SSOOIDCClient(config(target)));
  const portalClient = (target: SsoTarget) => cached(portalClients, target, () => new SSOClient(config(target)));

  // The SDK retries throttling, 5xx and network errors itself (up to maxAttempts); the log says so.
  const call = async <T>(what: string, target: SsoTarget, secrets: readonly (string | undefined)[], run: () => Promise<{ value: T; $metadata?: Metadata }>): Promise<T> => {
    try {
      const out = await run();
      const attempts = out.$metadata?.attempts ?? 1;
      if (attempts > 1) settings.log?.(`IAM Identity Center ${what} (${target.region}) succeeded after ${attempts} attempts.`);
      return out.value;
    } catch (e) {
      const failure = toSsoApiError(e, secrets);
      const attempts = (e as { $metadata?: Metadata })?.$metadata?.attempts ?? 1;
      if (attempts > 1) settings.log?.(`IAM Identity Center ${what} (${target.region}) failed with ${failure.errorName} after ${attempts} attempts.`);
      throw failure;
    }
  };
  const incomplete = (what: string) => new SsoApiError('IncompleteResponse', `IAM Identity Center answered ${what} without the expected fields.`);

  return {
    oidc: {
      registerClient: (target, request) =>
        call('RegisterClient', target, [], async () => {
          const out = await oidcClient(target).send(new RegisterClientCommand(request), { abortSignal: target.signal });
          if (!out.clientId || !out.clientSecret || out.clientSecretExpiresAt === undefined) throw incomplete('RegisterClient');
          return { $metadata: out.$metadata, value: { clientId: out.clientId, clientSecret: out.clientSecret, expiresAt: out.clientSecretExpiresAt * 1000, authorizationEndpoint: out.authorizationEndpoint, tokenEndpoint: out.tokenEndpoint } };
        }),
      startDeviceAuthorization: (target, request) =>
        call('StartDeviceAuthorization', target, [request.clientSecret], async () => {
          const out = await oidcClient(target).send(new StartDeviceAuthorizationCommand(request), { abortSignal: target.signal });
          if (!out.deviceCode || !out.userCode || !out.verificationUri || out.expiresIn === undefined) throw incomplete('StartDeviceAuthorization');
          return { $metadata: out.$metadata, value: { deviceCode: out.deviceCode, userCode: out.userCode, verificationUri: out.verificationUri, verificationUriComplete: out.verificationUriComplete, expiresIn: out.expiresIn, interval: out.interval } };
        }),
      createToken: (target, request) => {
        const secrets = [request.clientSecret, 'code' in request ? request.code : undefined, 'codeVerifier' in request ? request.codeVerifier : undefined, 'deviceCode' in request ? request.deviceCode : undefined, 'refreshToken' in request ? request.refreshToken : undefined];
        return call('CreateToken', target, secrets, async () => {
          const out = await oidcClient(target).send(new CreateTokenCommand(request), { abortSignal: target.signal });
          if (!out.accessToken || out.expiresIn === undefined) throw incomplete('CreateToken');
          return { $metadata: out.$metadata, value: { accessToken: out.accessToken, expiresIn: out.expiresIn, refreshToken: out.refreshToken, tokenType: out.tokenType } };
        });
      },
      resolveEndpoint: (target) =>
        call('endpoint resolution', target, [], async () => {
          let base: string | undefined;
          const command = new RegisterClientCommand({ clientName: 'endpoint', clientType: 'public' });
          command.middlewareStack.add(captureEndpoint('/client/register', (url) => (base = url)), { step: 'build', name: 'captureResolvedEndpoint' });
          await oidcClient(target).send(command, { abortSignal: target.signal });
          if (!base) throw new SsoApiError('EndpointResolution', `The AWS SDK resolved no IAM Identity Center OIDC endpoint for region ${target.region}.`);
          return { value: base };
        }),
    },
    portal: {
      listAccounts: (target, request) =>
        call('ListAccounts', target, [request.accessToken], async () => {
          const out = await portalClient(target).send(new ListAccountsCommand(request), { abortSignal: target.signal });
          const items = (out.accountList ?? []).filter((a): a is typeof a & { accountId: string } => !!a.accountId).map((a) => ({ accountId: a.accountId, accountName: a.accountName, emailAddress: a.emailAddress }));
          return { $metadata: out.$metadata, value: { items, nextToken: out.nextToken || undefined } };
        }),
      listAccountRoles: (target, request) =>
        call('ListAccountRoles', target, [request.accessToken], async () => {
          const out = await portalClient(target).send(new ListAccountRolesCommand(request), { abortSignal: target.signal });
          const items = (out.roleList ?? []).filter((r): r is typeof r & { roleName: string } => !!r.roleName).map((r) => ({ roleName: r.roleName, accountId: r.accountId ?? request.accountId }));
          return { $metadata: out.$metadata, value: { items, nextToken: out.nextToken || undefined } };
        }),
      getRoleCredentials: (target, request) =>
        call('GetRoleCredentials', target, [request.accessToken], async () => {
          const out = await portalClient(target).send(new GetRoleCredentialsCommand(request), { abortSignal: target.signal });
          const c = out.roleCredentials;
          if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || c.expiration === undefined) throw incomplete('GetRoleCredentials');
          // The portal gives the expiry in milliseconds since the epoch (not seconds, unlike RegisterClient).
          return { $metadata: out.$metadata, value: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiration) } };
        }),
      logout: (target, request) =>
        call('Logout', target, [request.accessToken], async () => {
          const out = await portalClient(target).send(new LogoutCommand(request), { abortSignal: target.signal });
          return { $metadata: out.$metadata, value: undefined };
        }),
    },
  };
}
