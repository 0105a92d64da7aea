import type { Clock } from '../../clock';
import { RoleSwitchError } from '../../errors';
import { listenForCallback } from './loopbackCallback';
import { authorizeUrl, codeChallenge, createCodeVerifier, createState, REGISTERED_REDIRECT_URI } from './pkce';
import { SsoApiError, type DeviceAuthorization, type RegisterClientRequest, type SsoOidcApi, type SsoTarget, type TokenResult } from './ssoApi';
import { DEFAULT_SSO_SCOPES, describeSsoSession, type SsoSession } from './ssoConfig';
import { describeWait, SIGN_IN_COMMAND_TITLE, SsoSignInError } from './ssoErrors';
import { probeStartUrl, resolveStartUrl, type StartUrlProbe } from './startUrlProbe';
import { tokenFilePath, tokenFromResult, writeToken, type SsoToken } from './tokenCache';

/**
 * Signing in to IAM Identity Center as the AWS CLI v2 does (awscli/botocore/utils.py,
 * SSOTokenFetcherAuth and SSOTokenFetcher): register a public client (reused while it fits),
 * send the user to the browser, get a token, and write it to the token file the CLI and the SDKs
 * read. The client registration is kept by the caller (SecretStorage), never in the CLI's cache.
 */

export const CLIENT_NAME = 'AWS Role Switcher for VS Code';
const AUTH_CODE_GRANT_TYPES = ['authorization_code', 'refresh_token'];
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The CLI (BaseSSOTokenFetcher._EXPIRY_WINDOW) registers again when less than this is left. */
export const REGISTRATION_EXPIRY_WINDOW_MS = 15 * 60_000;
/** RFC 8628 §3.5: the default polling interval, and what slow_down adds to it. */
const DEFAULT_POLL_INTERVAL_MS = 5000;
const SLOW_DOWN_MS = 5000;

export type SignInFlow = 'authorizationCode' | 'deviceCode';

/** A client registration and what it was made for: it is reused only for the same. */
export interface StoredRegistration {
  clientId: string;
  /** A secret. */
  clientSecret: string;
  /** ms since the epoch. */
  expiresAt: number;
  authorizationEndpoint?: string;
  startUrl: string;
  region: string;
  /** The OIDC endpoint override it was registered at; undefined: the SDK's endpoint for the region. */
  oidcEndpoint?: string;
  issuerUrl?: string;
  scopes?: string[];
  grantTypes?: string[];
}

/** Where registrations are kept between sign-ins (the VS Code side: SecretStorage). */
export interface RegistrationStore {
  get(key: string): Promise<StoredRegistration | undefined>;
  put(key: string, registration: StoredRegistration): Promise<void>;
  /** Forgets a registration the service refused (nothing else can clear SecretStorage). */
  delete(key: string): Promise<void>;
}

export interface SignInDeps {
  oidc: SsoOidcApi;
  registrations: RegistrationStore;
  clock: Clock;
  /** Opens the URL in the user's browser; false when it was not opened (declined, no browser). */
  openUrl(url: string): Promise<boolean>;
  /** Waits; rejects when the signal aborts. Default: a timer on `clock`. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  signal?: AbortSignal;
  /** How long the user has to finish in the browser (the device code's own expiry also ends the wait). */
  timeoutMs?: number;
  /** The custom-domain probe (default: one HEAD request over https). */
  probeStartUrl?: StartUrlProbe;
  /** The token folder (default ~/.aws/sso/cache). */
  cacheDir?: string;
  /** Receives every secret obtained (client secret, tokens), for the redactor. */
  onSecret?(...values: (string | undefined)[]): void;
}

export interface DeviceCodeDeps extends SignInDeps {
  /** Shows the code the portal asks the user to confirm, and where to go if the browser did not open. */
  showUserCode(userCode: string, verificationUri: string): void | Promise<void>;
}

/** The key a registration is kept under: one per flow and sso-session (legacy: start URL). */
export function registrationKey(session: SsoSession, flow: SignInFlow): string {
  return `${flow}:${session.name ?? session.startUrl}`;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Whether a stored registration serves this request: not within 15 minutes of expiry, and made for the same URL, region, endpoint, scopes and grant types. */
export function registrationFits(stored: StoredRegistration | undefined, wanted: Omit<StoredRegistration, 'clientId' | 'clientSecret' | 'expiresAt' | 'authorizationEndpoint'>, now: number): stored is StoredRegistration {
  return (
    !!stored &&
    stored.expiresAt - now > REGISTRATION_EXPIRY_WINDOW_MS &&
    stored.startUrl === wanted.startUrl &&
    stored.region === wanted.region &&
    (stored.oidcEndpoint ?? '') === (wanted.oidcEndpoint ?? '') &&
    (stored.issuerUrl ?? '') === (wanted.issuerUrl ?? '') &&
    sameList(stored.scopes, wanted.scopes) &&
    sameList(stored.grantTypes, wanted.grantTypes)
  );
}

function targetOf(session: SsoSession, signal?: AbortSignal): SsoTarget {
  return { region: session.region, endpoint: session.endpoints?.oidc, signal };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SsoSignInError('Sign-in was cancelled.', 'cancelled');
}

function sleepOn(clock: Clock): (ms: number, signal?: AbortSignal) => Promise<void> {
  return (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new SsoSignInError('Sign-in was cancelled.', 'cancelled'));
      const onAbort = () => {
        clock.clearTimeout(timer);
        reject(new SsoSignInError('Sign-in was cancelled.', 'cancelled'));
      };
      const timer = clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
}

/** A failed service call during sign-in, as a sign-in error (the adapter's message never holds a secret). */
function signInFailure(e: unknown, what: string, signal: AbortSignal | undefined): Error {
  if (e instanceof SsoSignInError || e instanceof RoleSwitchError) return e;
  if (signal?.aborted || (e instanceof SsoApiError && e.errorName === 'AbortError')) return new SsoSignInError('Sign-in was cancelled.', 'cancelled');
  if (e instanceof SsoApiError) {
    if (e.errorName === 'ExpiredTokenException') return new SsoSignInError(`The sign-in expired before it was completed (${what}). Run "${SIGN_IN_COMMAND_TITLE}" again.`, 'expired', e.errorName);
    if (e.errorName === 'AccessDeniedException') return new SsoSignInError(`IAM Identity Center denied the sign-in (${what}: ${e.message}). Run "${SIGN_IN_COMMAND_TITLE}" again and allow access.`, 'denied', e.errorName);
    return new SsoSignInError(`Sign-in failed: ${what} answered ${e.errorName}${e.message && e.message !== e.errorName ? ` (${e.message})` : ''}. Run "${SIGN_IN_COMMAND_TITLE}" again.`, 'failed', e.errorName);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** The stored registration when it fits (`reused`), else a new one (stored before it is used). */
async function registration(session: SsoSession, flow: SignInFlow, request: Omit<RegisterClientRequest, 'clientName' | 'clientType'>, deps: SignInDeps): Promise<{ reg: StoredRegistration; reused: boolean }> {
  const key = registrationKey(session, flow);
  const wanted = { startUrl: session.startUrl, region: session.region, oidcEndpoint: session.endpoints?.oidc, issuerUrl: request.issuerUrl, scopes: request.scopes, grantTypes: request.grantTypes };
  const stored = await deps.registrations.get(key);
  if (registrationFits(stored, wanted, deps.clock.now())) {
    deps.onSecret?.(stored.clientSecret);
    return { reg: stored, reused: true };
  }
  let registered;
  try {
    registered = await deps.oidc.registerClient(targetOf(session, deps.signal), { clientName: CLIENT_NAME, clientType: 'public', ...request });
  } catch (e) {
    throw signInFailure(e, 'RegisterClient', deps.signal);
  }
  deps.onSecret?.(registered.clientSecret);
  const fresh: StoredRegistration = { ...wanted, clientId: registered.clientId, clientSecret: registered.clientSecret, expiresAt: registered.expiresAt, authorizationEndpoint: registered.authorizationEndpoint };
  await deps.registrations.put(key, fresh);
  return { reg: fresh, reused: false };
}

/**
 * Whether the service refused the client itself (InvalidClientException: it no longer knows the
 * client id or secret). The stored registration is then forgotten: kept, it would fail every
 * sign-in the same way until it expired, months later, and the user cannot clear SecretStorage.
 */
async function forgetIfClientRefused(e: unknown, session: SsoSession, flow: SignInFlow, deps: SignInDeps): Promise<boolean> {
  if (!(e instanceof SsoApiError && e.errorName === 'InvalidClientException')) return false;
  // The sign-in's own error says more than a failure to forget.
  await deps.registrations.delete(registrationKey(session, flow)).catch(() => undefined);
  return true;
}

async function finish(session: SsoSession, result: TokenResult, reg: StoredRegistration, deps: SignInDeps): Promise<SsoToken> {
  deps.onSecret?.(result.accessToken, result.refreshToken);
  const token = tokenFromResult(session, result, reg, deps.clock.now());
  await writeToken(tokenFilePath(session, deps.cacheDir), token);
  return token;
}

/**
 * Authorization code with PKCE, the CLI's default for an sso-session since 2.22: a loopback
 * listener, the browser opened at once on the authorize URL, the code exchanged with the
 * verifier. Legacy profiles (no sso-session) sign in with the device code, as in the CLI.
 */
export async function signInWithAuthorizationCode(session: SsoSession, deps: SignInDeps): Promise<SsoToken> {
  if (session.name === undefined) {
    throw new RoleSwitchError(`Signing in through the browser needs an [sso-session] section; ${describeSsoSession(session)} is set in a profile. Use the device code, or move sso_start_url and sso_region into an sso-session.`, 'InvalidProfile');
  }
  throwIfAborted(deps.signal);
  const issuerUrl = await resolveStartUrl(session.startUrl, deps.probeStartUrl ?? probeStartUrl, deps.signal);
  // `scopes or [default]`, as the CLI: an empty list is no list.
  const scopes = session.scopes?.length ? session.scopes : [...DEFAULT_SSO_SCOPES];
  const { reg } = await registration(session, 'authorizationCode', { grantTypes: AUTH_CODE_GRANT_TYPES, redirectUris: [REGISTERED_REDIRECT_URI], issuerUrl, scopes }, deps);

  const verifier = createCodeVerifier();
  const state = createState();
  const listener = await listenForCallback({ state, timeoutMs: deps.timeoutMs, signal: deps.signal, clock: deps.clock });
  try {
    let oidcBase: string;
    try {
      oidcBase = await deps.oidc.resolveEndpoint(targetOf(session, deps.signal));
    } catch (e) {
      throw signInFailure(e, 'the OIDC endpoint', deps.signal);
    }
    const url = authorizeUrl({ oidcBase, authorizationEndpoint: reg.authorizationEndpoint, clientId: reg.clientId, redirectUri: listener.redirectUri, state, challenge: codeChallenge(verifier), scopes });
    if (!(await deps.openUrl(url))) throw new SsoSignInError('Sign-in was cancelled: the browser was not opened.', 'cancelled');
    const code = await listener.code;
    throwIfAborted(deps.signal);
    let result: TokenResult;
    try {
      result = await deps.oidc.createToken(targetOf(session, deps.signal), { grantType: 'authorization_code', clientId: reg.clientId, clientSecret: reg.clientSecret, code, codeVerifier: verifier, redirectUri: listener.redirectUri });
    } catch (e) {
      await forgetIfClientRefused(e, session, 'authorizationCode', deps);
      throw signInFailure(e, 'CreateToken', deps.signal);
    }
    return await finish(session, result, reg, deps);
  } finally {
    listener.close();
  }
}

/**
 * The device code flow (RFC 8628), for remote windows whose loopback the browser cannot reach:
 * the user confirms a code in the browser while CreateToken is polled. Registration as the CLI's
 * SSOTokenFetcher: no grant types, no issuer URL. Unlike the CLI, an sso-session without
 * `sso_registration_scopes` registers with `sso:account:access`, so its token can be refreshed;
 * a legacy profile registers without scopes (a legacy token), as in the CLI.
 */
export async function signInWithDeviceCode(session: SsoSession, deps: DeviceCodeDeps): Promise<SsoToken> {
  throwIfAborted(deps.signal);
  const sleep = deps.sleep ?? sleepOn(deps.clock);
  const startUrl = await resolveStartUrl(session.startUrl, deps.probeStartUrl ?? probeStartUrl, deps.signal);
  const scopes = session.name === undefined ? (session.scopes?.length ? session.scopes : undefined) : (session.scopes ?? [...DEFAULT_SSO_SCOPES]);
  const target = targetOf(session, deps.signal);

  let reg: StoredRegistration;
  let authorization: DeviceAuthorization;
  for (;;) {
    const registered = await registration(session, 'deviceCode', { scopes: scopes?.length ? scopes : undefined }, deps);
    reg = registered.reg;
    try {
      authorization = await deps.oidc.startDeviceAuthorization(target, { clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl });
      break;
    } catch (e) {
      // A stored client the service no longer knows: the user has seen nothing yet, so register again at once (once: a new one is not reused).
      if (!((await forgetIfClientRefused(e, session, 'deviceCode', deps)) && registered.reused)) throw signInFailure(e, 'StartDeviceAuthorization', deps.signal);
    }
  }
  const started = deps.clock.now();
  const deadline = started + Math.min(authorization.expiresIn * 1000, deps.timeoutMs ?? Infinity);
  await deps.showUserCode(authorization.userCode, authorization.verificationUri);
  // Not opened is not fatal here: the code and the URL are on screen, for another device.
  await deps.openUrl(authorization.verificationUriComplete ?? authorization.verificationUri);

  let interval = authorization.interval ? authorization.interval * 1000 : DEFAULT_POLL_INTERVAL_MS;
  for (;;) {
    throwIfAborted(deps.signal);
    try {
      const result = await deps.oidc.createToken(target, { grantType: DEVICE_CODE_GRANT, clientId: reg.clientId, clientSecret: reg.clientSecret, deviceCode: authorization.deviceCode });
      return await finish(session, result, reg, deps);
    } catch (e) {
      if (!(e instanceof SsoApiError) || (e.errorName !== 'AuthorizationPendingException' && e.errorName !== 'SlowDownException')) {
        await forgetIfClientRefused(e, session, 'deviceCode', deps);
        const failure = signInFailure(e, 'CreateToken', deps.signal);
        if (failure instanceof SsoSignInError && failure.failure === 'expired') {
          throw new SsoSignInError(`The code ${authorization.userCode} expired before it was confirmed in the browser. Run "${SIGN_IN_COMMAND_TITLE}" again.`, 'expired', 'ExpiredTokenException');
        }
        throw failure;
      }
      if (e.errorName === 'SlowDownException') interval += SLOW_DOWN_MS;
    }
    if (deps.clock.now() + interval > deadline) {
      throw new SsoSignInError(`The code ${authorization.userCode} was not confirmed in the browser within ${describeWait(deadline - started)}. Run "${SIGN_IN_COMMAND_TITLE}" again.`, deadline - started < authorization.expiresIn * 1000 ? 'timeout' : 'expired');
    }
    await sleep(interval, deps.signal);
  }
}
