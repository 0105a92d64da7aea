import type { Clock } from '../clock';
import type { Session } from './session';
import { StsCallError, RoleSwitchError } from '../errors';
import { describeStsFailure } from '../credentials/stsErrors';
import { isAcceptedDuration, CHAINED_MAX_SECONDS, DEFAULT_DURATION_SECONDS, MAX_DURATION_SECONDS, MIN_DURATION_SECONDS, type Profile, type ProfileSet } from '../config/profiles';
import { isValidMfaCode } from '../credentials/mfaCode';
import { defaultSessionName, sanitizeSessionName } from '../credentials/roleSessionName';
import { rootCredentials, type CredentialSourceApi } from '../credentials/sourceCredentials';
import { chainNames, resolveSourceChain, rootIsRoleSession, type ChainRoot, type RoleHop, type SourceChain } from '../config/sourceChain';
import { cliCacheKey, type CachedRole } from '../credentials/cliCache';
import { mfaSessionKey, type MfaSession, type MfaSessionCache } from '../credentials/mfaSessions';
import type { AssumeRoleRequest, AwsCredentials, StsApi } from '../credentials/stsApi';
import type { Env } from '../config/filePaths';
import { resolveRegion, resolveStsEndpoint } from '../credentials/stsEndpoint';

/**
 * Asks the user for an MFA code; resolves undefined when they cancel. On a re-ask after STS
 * refused the previous code, `attempt` (2, 3…) of `attempts` and STS's reason come along.
 */
export type MfaCodeProvider = (request: MfaCodeRequest) => Promise<string | undefined>;

export interface MfaCodeRequest {
  profile: string;
  mfaSerial: string;
  roleArn: string;
  attempt?: number;
  attempts?: number;
  previousError?: string;
}

/**
 * How many codes one switch asks for when STS refuses them (a typo, or a code that just rolled
 * over): each refusal re-asks, never resends; after the last the refusal is the switch's error.
 */
export const MFA_CODE_ATTEMPTS = 3;

export interface ResolveDeps {
  loadSts: () => Promise<StsApi>;
  mfaCode: MfaCodeProvider;
  clock: Clock;
  env: Env;
  sessionName?: () => string;
  signal?: AbortSignal;
  /** The SDK's providers for process, SSO, web identity, container and IMDS sources; loaded on first need. */
  loadSources?: () => Promise<CredentialSourceApi>;
  /** Absent: the AWS CLI's way, a code on every AssumeRole with mfa_serial. */
  mfaSessions?: { cache: MfaSessionCache; durationSeconds: number };
  /** The AWS CLI's assumed-role cache: read before each hop, written after it when `write` is set. */
  cliCache?: {
    read: (key: string, now: number) => Promise<CachedRole | undefined>;
    write?: (key: string, role: CachedRole & { assumedRoleId?: string }) => Promise<void>;
    onWriteError?: (e: unknown) => void;
  };
}

/**
 * What the status bar calls a non-role session: the permission set for IAM Identity Center,
 * the role of an assumed-role ARN, or the IAM user name.
 */
export function identityName(arn: string, profile: Profile): string | undefined {
  if (profile.settings.sso_role_name) return profile.settings.sso_role_name;
  const assumed = /:assumed-role\/([^/]+)\//.exec(arn);
  if (assumed) return assumed[1];
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return user?.[1];
}


/** The AssumeRole parameters for one hop, as the AWS CLI builds them from the hop's own profile. */
export function buildAssumeRoleRequest(hop: RoleHop, sessionName: string): AssumeRoleRequest {
  const p = hop.profile;
  const request: AssumeRoleRequest = {
    RoleArn: hop.role.arn,
    RoleSessionName: p.roleSessionName ?? sessionName,
  };
  // Like the CLI, send DurationSeconds only when the profile sets it; STS defaults to one hour.
  if (p.durationSeconds !== undefined) request.DurationSeconds = p.durationSeconds;
  if (p.externalId !== undefined) request.ExternalId = p.externalId;
  if (p.mfaSerial) request.SerialNumber = p.mfaSerial;
  return request;
}

// The AWS CLI refuses these before calling STS (botocore validates DurationSeconds against the
// API's 900..43200), so we do too, and before asking for an MFA code that would be wasted.
/** What botocore's parameter validation refuses, refused the same way: before STS and before an MFA code is asked for. */
function checkParameters(hop: RoleHop, profile: string): void {
  const tooShort = hop.profile.problems.find((p) => p.code === 'parameterTooShort');
  if (tooShort) throw new RoleSwitchError(tooShort.message, 'InvalidProfile', profile);
}

function checkDuration(request: AssumeRoleRequest, hop: RoleHop, profile: string): void {
  const d = request.DurationSeconds;
  if (d === undefined || isAcceptedDuration(d)) return;
  throw new RoleSwitchError(
    `duration_seconds ${d} of profile "${hop.profile.name}" is outside what STS accepts (${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS} seconds). Set it in that range, or remove it for one hour.`,
    'InvalidProfile',
    profile,
  );
}

const noSources = (): Promise<CredentialSourceApi> => Promise.reject(new Error('No credential sources are available here.'));

async function askMfa(deps: ResolveDeps, profile: string, hop: RoleHop, retry?: { attempt: number; previousError: string }): Promise<string> {
  const serial = hop.profile.mfaSerial as string;
  const request: MfaCodeRequest = { profile: hop.profile.name, mfaSerial: serial, roleArn: hop.role.arn };
  if (retry) Object.assign(request, { attempt: retry.attempt, attempts: MFA_CODE_ATTEMPTS, previousError: retry.previousError });
  const code = (await deps.mfaCode(request))?.trim();
  if (code === undefined) throw new RoleSwitchError(`Switching to "${profile}" was cancelled: no MFA code was entered.`, 'MfaCancelled', profile);
  if (!isValidMfaCode(code)) throw new RoleSwitchError(`"${code.replace(/./g, '*')}" is not an MFA code for profile "${hop.profile.name}": enter the 6 digits shown by ${serial}.`, 'MfaCodeInvalid', profile);
  return code;
}

/**
 * Asks for a code and makes the STS call that carries it; a code STS refuses is asked for again
 * with the reason (up to MFA_CODE_ATTEMPTS), any other failure, a cancel or a superseded switch stops.
 */
async function withMfaCode<T>(deps: ResolveDeps, profile: string, hop: RoleHop, describe: (e: StsCallError) => RoleSwitchError, call: (code: string) => Promise<T>): Promise<T> {
  let retry: { attempt: number; previousError: string } | undefined;
  for (let attempt = 1; ; attempt++) {
    const code = await askMfa(deps, profile, hop, retry);
    try {
      return await call(code);
    } catch (e) {
      if (!(e instanceof StsCallError)) throw e;
      const failure = describe(e);
      if (failure.code !== 'MfaCodeRejected' || attempt >= MFA_CODE_ATTEMPTS || deps.signal?.aborted) throw failure;
      retry = { attempt: attempt + 1, previousError: failure.message };
    }
  }
}

/**
 * Resolves a profile to a session: static keys at the root of its source chain,
 * then one AssumeRole per hop, asking for an MFA code on hops whose profile sets
 * mfa_serial. Nothing is stored or applied here; the caller decides.
 */
export async function resolveSession(set: ProfileSet, profileName: string, deps: ResolveDeps): Promise<Session> {
  const chain = resolveSourceChain(set, profileName);
  const picked = set.profiles.get(profileName) as Profile;
  const region = resolveRegion(picked, deps.env);
  const endpoint = resolveStsEndpoint(set, picked, deps.env);
  const sessionName = sanitizeSessionName(deps.sessionName?.() ?? defaultSessionName());
  const root = await rootCredentials(set, chain.root, profileName, {
    loadSources: deps.loadSources ?? noSources,
    env: deps.env,
    region,
    stsEndpoint: endpoint,
    sessionName,
  });
  if (deps.signal?.aborted) throw new RoleSwitchError(`Switching to "${profileName}" was superseded by a newer switch or a drop.`, 'Superseded', profileName);
  const sts = await deps.loadSts();
  const context: ResolveContext = { profileName, chain, sessionName, region, endpoint };

  if (chain.hops.length === 0) return await callerSession(sts, deps, context, root);
  const assumed: AssumedHop[] = [];
  let credentials = root;
  for (const [index, hop] of chain.hops.entries()) {
    const result = await assumeHop(sts, deps, context, index, hop, credentials);
    assumed.push(result);
    credentials = result.credentials;
  }
  return roleSession(deps, context, assumed);
}

/** The profile being resolved and where its STS calls go: the same for every hop. */
interface ResolveContext {
  profileName: string;
  chain: SourceChain;
  sessionName: string;
  region: string;
  endpoint?: string;
}

/** One hop's outcome: the role's credentials and how they were obtained. */
interface AssumedHop {
  hop: RoleHop;
  request: AssumeRoleRequest;
  credentials: AwsCredentials;
  arn: string;
  fromCliCache: boolean;
  viaMfaSession: boolean;
}

/**
 * One AssumeRole of a chain, from `caller`'s credentials: the AWS CLI's cached role when it
 * holds one, otherwise the STS call, with the MFA session or a code when the hop's profile
 * sets mfa_serial, its failure told in the user's words, and its result written to the cache.
 */
async function assumeHop(sts: StsApi, deps: ResolveDeps, context: ResolveContext, index: number, hop: RoleHop, caller: AwsCredentials): Promise<AssumedHop> {
  const { profileName, chain } = context;
  const request = buildAssumeRoleRequest(hop, context.sessionName);
  checkParameters(hop, profileName);
  checkDuration(request, hop, profileName);
  const cacheKey = deps.cliCache ? cliCacheKey(request, hop.profile.roleSessionName !== undefined) : undefined;
  // What the AWS CLI already holds for this hop: no STS call, no MFA code.
  const cached = cacheKey && deps.cliCache ? await deps.cliCache.read(cacheKey, deps.clock.now()) : undefined;
  if (cached) return { hop, request, credentials: cached.credentials, arn: cached.assumedRoleArn, fromCliCache: true, viaMfaSession: false };

  let signer = caller;
  let sent = request;
  let viaMfaSession = false;
  const sourceProfile = index === 0 ? chain.root.profile.name : chain.hops[index - 1].profile.name;
  const mfaKey = index === 0 && request.SerialNumber && deps.mfaSessions && canUseMfaSession(chain.root.kind, caller, request) ? mfaSessionKey(chain.root.profile.name, caller.accessKeyId, request.SerialNumber) : undefined;
  const describe = (e: StsCallError) =>
    describeStsFailure(e, {
      profile: profileName,
      hopProfile: hop.profile.name,
      action: 'AssumeRole',
      roleArn: hop.role.arn,
      sourceProfile,
      durationSeconds: request.DurationSeconds,
      chained: index > 0 || rootIsRoleSession(chain.root) || signer !== caller,
      mfaSerial: request.SerialNumber,
    });
  try {
    if (mfaKey && deps.mfaSessions) {
      const mfa = deps.mfaSessions.cache.usable(mfaKey, deps.clock.now()) ?? (await startMfaSession(sts, deps, profileName, hop, caller, { region: context.region, endpoint: context.endpoint, key: mfaKey, sourceProfile: chain.root.profile.name }));
      // The role is assumed from the MFA session: its MFA context satisfies the role's MFA condition.
      signer = mfa.credentials;
      sent = { ...request };
      delete sent.SerialNumber;
      viaMfaSession = true;
    }
    const assume = () => sts.assumeRole({ credentials: signer, region: context.region, endpoint: context.endpoint, signal: deps.signal }, sent);
    const result = request.SerialNumber && !viaMfaSession
      ? await withMfaCode(deps, profileName, hop, describe, (code) => {
          request.TokenCode = code;
          return assume();
        })
      : await assume();
    if (cacheKey && deps.cliCache?.write) await deps.cliCache.write(cacheKey, result).catch((e: unknown) => deps.cliCache?.onWriteError?.(e));
    return { hop, request, credentials: result.credentials, arn: result.assumedRoleArn, fromCliCache: false, viaMfaSession };
  } catch (e) {
    if (!(e instanceof StsCallError)) throw e;
    throw describe(e);
  }
}

/** A profile with no role to assume: its own credentials, and who they belong to as STS tells it. */
async function callerSession(sts: StsApi, deps: ResolveDeps, context: ResolveContext, credentials: AwsCredentials): Promise<Session> {
  const { profileName, chain, region, endpoint } = context;
  const identity = await sts.getCallerIdentity({ credentials, region, endpoint, signal: deps.signal }).catch((e: unknown) => {
    throw e instanceof StsCallError ? describeStsFailure(e, { profile: profileName, hopProfile: profileName, action: 'GetCallerIdentity' }) : e;
  });
  return {
    profileName,
    kind: chain.root.kind === 'unsupported' ? 'static' : chain.root.kind,
    credentials,
    expiresAt: credentials.expiration?.getTime(),
    startedAt: deps.clock.now(),
    region,
    arn: identity.arn,
    accountId: identity.account,
    roleName: identityName(identity.arn, chain.root.profile),
    chain: chainNames(chain),
    stsEndpoint: endpoint,
  };
}

/** The session of the last hop's role, and what the whole chain says about it. */
function roleSession(deps: ResolveDeps, context: ResolveContext, assumed: AssumedHop[]): Session {
  const { profileName, chain } = context;
  const final = assumed.at(-1) as AssumedHop;
  const credentials = final.credentials;
  const usedMfaSession = assumed.some((a) => a.viaMfaSession);
  const fromCliCache = assumed.filter((a) => a.fromCliCache).length;
  return {
    profileName,
    kind: 'role',
    credentials,
    expiresAt: credentials.expiration?.getTime(),
    startedAt: deps.clock.now(),
    region: context.region,
    arn: final.arn,
    accountId: final.hop.role.accountId,
    roleName: final.hop.role.roleName,
    roleArn: final.hop.role.arn,
    sessionName: final.request.RoleSessionName,
    sourceProfile: chain.root.profile.name,
    chain: chainNames(chain),
    durationSeconds: final.request.DurationSeconds ?? DEFAULT_DURATION_SECONDS,
    stsEndpoint: context.endpoint,
    mfaSession: usedMfaSession || undefined,
    fromCliCache: fromCliCache || undefined,
    chained: chain.hops.length > 1 || rootIsRoleSession(chain.root) || usedMfaSession || Boolean(chain.root.kind === 'static' && chain.root.profile.settings.aws_session_token) || undefined,
  };
}

/**
 * An MFA session is used for the first hop when its caller is an IAM user's long-term keys
 * (GetSessionToken refuses session credentials) and the role is asked for at most an hour:
 * a role assumed from a GetSessionToken session is role chaining, capped at one hour by STS
 * (https://repost.aws/knowledge-center/iam-role-chaining-limit). Longer durations keep the
 * CLI's way, a code on the AssumeRole call itself.
 */
function canUseMfaSession(rootKind: ChainRoot['kind'], caller: AwsCredentials, request: AssumeRoleRequest): boolean {
  return rootKind === 'static' && !caller.sessionToken && (request.DurationSeconds ?? DEFAULT_DURATION_SECONDS) <= CHAINED_MAX_SECONDS;
}

async function startMfaSession(
  sts: StsApi,
  deps: ResolveDeps,
  profileName: string,
  hop: RoleHop,
  userKeys: AwsCredentials,
  where: { region: string; endpoint?: string; key: string; sourceProfile: string },
): Promise<MfaSession> {
  const serial = hop.profile.mfaSerial as string;
  const describe = (e: StsCallError) => describeStsFailure(e, { profile: profileName, hopProfile: hop.profile.name, action: 'GetSessionToken', sourceProfile: where.sourceProfile, mfaSerial: serial });
  const out = await withMfaCode(deps, profileName, hop, describe, (code) =>
    sts.getSessionToken({ credentials: userKeys, region: where.region, endpoint: where.endpoint, signal: deps.signal }, { SerialNumber: serial, TokenCode: code, DurationSeconds: deps.mfaSessions?.durationSeconds }),
  );
  const session: MfaSession = { key: where.key, sourceProfile: where.sourceProfile, mfaSerial: serial, credentials: out.credentials, expiresAt: out.credentials.expiration.getTime(), obtainedAt: deps.clock.now() };
  deps.mfaSessions?.cache.set(session);
  return session;
}
