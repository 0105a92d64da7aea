import type { AwsFilePaths } from '../config/sharedFiles';
import { RoleSwitchError, errorMessage } from '../errors';
import type { Profile, ProfileSet } from '../config/profiles';
import type { ChainRoot } from '../config/sourceChain';
import type { AwsCredentials } from './stsApi';
import { parseRegistrationScopes, resolveSsoEndpoints } from './sso/ssoConfig';
import type { Env } from '../config/filePaths';

export interface SourceRequest {
  profile: Profile;
  paths: AwsFilePaths;
}

export interface SsoSettings {
  startUrl: string;
  region: string;
  accountId: string;
  roleName: string;
  /** The `[sso-session NAME]` the profile uses; undefined for the legacy sso_start_url keys. */
  session?: string;
  /** The portal's configured endpoint (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, the profile's services section or endpoint_url), as botocore's SSO client resolves it. */
  endpoint?: string;
  /** The sso-oidc endpoint, resolved the same way: where the token is renewed. */
  oidcEndpoint?: string;
  /** The sso-session's `sso_registration_scopes`, if set. */
  scopes?: string[];
}

/** Where a `login_session` profile's sign-in lives and is refreshed. */
export interface LoginSettings {
  /** The login_session value (the signed-in identity's ARN): its SHA-256 names the file in ~/.aws/login/cache. */
  session: string;
  /** The sign-in service's region for a refresh, when the cached login does not name one. */
  region: string;
  /** AWS_ENDPOINT_URL_SIGNIN or AWS_ENDPOINT_URL, for tests and LocalStack-style setups. */
  endpoint?: string;
}

/**
 * The AWS SDK's providers for the sources that are not plain keys, loaded lazily
 * (credentialSources.ts). Injected so unit tests can pass fakes.
 */
export interface CredentialSourceApi {
  process(request: SourceRequest): Promise<AwsCredentials>;
  sso(request: SourceRequest & { sso: SsoSettings }): Promise<AwsCredentials>;
  login(request: SourceRequest & { login: LoginSettings }): Promise<AwsCredentials>;
  webIdentity(request: SourceRequest & { tokenFile: string; roleArn: string; sessionName: string; region: string; stsEndpoint?: string }): Promise<AwsCredentials>;
  container(env: Env): Promise<AwsCredentials>;
  instanceMetadata(): Promise<AwsCredentials>;
}

/** The AWS CLI command that fixes a missing or expired sign-in: `aws sso login ...` or `aws login ...`. */
export interface CliSignIn {
  args: string[];
}

export class SsoLoginRequired extends RoleSwitchError {
  constructor(
    message: string,
    profile: string,
    readonly login: CliSignIn,
  ) {
    super(message, 'SsoLoginRequired', profile);
  }
}

/** A `login_session` profile whose cached `aws login` is missing, or expired beyond what a refresh can renew. */
export class AwsLoginRequired extends RoleSwitchError {
  constructor(
    message: string,
    profile: string,
    readonly login: CliSignIn,
  ) {
    super(message, 'AwsLoginRequired', profile);
  }
}

export function loginSettingsOf(p: Profile, region: string, env: Env): LoginSettings {
  return { session: p.settings.login_session, region: p.region ?? region, endpoint: env.AWS_ENDPOINT_URL_SIGNIN || env.AWS_ENDPOINT_URL || undefined };
}

/** The IAM Identity Center settings of a profile, from its `sso_session` section or the legacy keys. */
export function ssoSettingsOf(set: ProfileSet, p: Profile, env: Env): SsoSettings {
  const s = p.settings;
  const sessionName = s.sso_session;
  const session = sessionName ? set.files.configSections[`sso-session.${sessionName}`] : undefined;
  if (sessionName && !session) {
    throw new RoleSwitchError(`Profile "${p.name}" names sso_session "${sessionName}", but there is no [sso-session ${sessionName}] section in ${set.files.paths.configPath}. Add it (aws configure sso-session) or fix the name.`, 'InvalidProfile', p.name);
  }
  const startUrl = session?.sso_start_url ?? s.sso_start_url;
  const region = session?.sso_region ?? s.sso_region;
  const missing = [
    !startUrl && 'sso_start_url',
    !region && 'sso_region',
    !s.sso_account_id && 'sso_account_id',
    !s.sso_role_name && 'sso_role_name',
  ].filter((m): m is string => Boolean(m));
  if (missing.length) {
    throw new RoleSwitchError(`Profile "${p.name}" uses IAM Identity Center but lacks ${missing.join(', ')}. Run "aws configure sso --profile ${p.name}" or add the keys.`, 'InvalidProfile', p.name);
  }
  // The CLI refuses a profile whose own sso_start_url / sso_region disagree with its sso-session.
  if (session && s.sso_start_url && s.sso_start_url !== session.sso_start_url) {
    throw new RoleSwitchError(`Profile "${p.name}" sets sso_start_url ${s.sso_start_url}, which differs from its sso-session "${sessionName}". Remove it from the profile.`, 'InvalidProfile', p.name);
  }
  if (session && s.sso_region && s.sso_region !== session.sso_region) {
    throw new RoleSwitchError(`Profile "${p.name}" sets sso_region ${s.sso_region}, which differs from its sso-session "${sessionName}". Remove it from the profile.`, 'InvalidProfile', p.name);
  }
  const endpoints = resolveSsoEndpoints(set, env, p);
  return {
    startUrl: startUrl as string,
    region: region as string,
    accountId: s.sso_account_id,
    roleName: s.sso_role_name,
    session: sessionName || undefined,
    endpoint: endpoints.portal,
    oidcEndpoint: endpoints.oidc,
    scopes: session?.sso_registration_scopes !== undefined ? parseRegistrationScopes(session.sso_registration_scopes) : undefined,
  };
}

/** credential_source = Environment: the keys the editor itself was started with, as botocore's EnvProvider reads them. */
export function environmentCredentials(p: Profile, env: Env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new RoleSwitchError(
      `Profile "${p.name}" has credential_source = Environment, but VS Code was not started with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its environment. Start VS Code from a shell that has them, or use source_profile.`,
      'NoCredentials',
      p.name,
    );
  }
  const expiration = env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined;
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined, expiration: expiration && !Number.isNaN(expiration.getTime()) ? expiration : undefined };
}

/** What went wrong in a provider, in the user's words, with the profile and the fix. */
function describeSourceFailure(root: ChainRoot, picked: string, e: unknown, sso?: SsoSettings): RoleSwitchError {
  if (e instanceof RoleSwitchError) return e;
  const p = root.profile.name;
  const via = p === picked ? '' : ` (the source of "${picked}")`;
  const text = errorMessage(e);
  switch (root.kind) {
    case 'sso': {
      const args = sso?.session ? ['sso', 'login', '--sso-session', sso.session] : ['sso', 'login', '--profile', p];
      if (/SSO session .*(invalid|expired)|token|ENOENT|refresh/i.test(text)) {
        const state = /expired/i.test(text) ? 'has expired' : 'is missing';
        return new SsoLoginRequired(`The IAM Identity Center sign-in of profile "${p}"${via} ${state}. Run "aws ${args.join(' ')}", then try again.`, picked, { args });
      }
      return new RoleSwitchError(`IAM Identity Center refused credentials for profile "${p}"${via} (account ${sso?.accountId}, role ${sso?.roleName}): ${text} Check that your user is assigned to that account and permission set.`, 'AccessDenied', picked);
    }
    case 'login':
      return describeLoginFailure(p, picked, via, text);
    case 'process':
      return new RoleSwitchError(`The credential_process of profile "${p}"${via} failed: ${text} Run the command in a terminal to see why; it must print JSON with Version 1, AccessKeyId and SecretAccessKey.`, 'NoCredentials', picked);
    case 'webIdentity':
      return new RoleSwitchError(`The web identity of profile "${p}"${via} was refused: ${text} Check web_identity_token_file and that the role trusts the token's issuer.`, 'AccessDenied', picked);
    case 'credentialSource':
      return new RoleSwitchError(
        `Profile "${p}"${via} has credential_source = ${root.source}, but no credentials came from it: ${text} ${root.source === 'EcsContainer' ? 'This only works inside a container with AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI set.' : 'This only works on an EC2 instance with a role attached.'}`,
        'NoCredentials',
        picked,
      );
    default:
      return new RoleSwitchError(`${text} (profile "${p}")`, 'NoCredentials', picked);
  }
}

/**
 * The login provider's failures (@aws-sdk/credential-provider-login), told apart by their text as
 * the SDK gives no codes. A cache file that cannot be read is described, never quoted: a JSON
 * error shows a piece of the file, which holds secrets.
 */
function describeLoginFailure(p: string, picked: string, via: string, text: string): RoleSwitchError {
  const args = ['login', '--profile', p];
  const required = (state: string) => new AwsLoginRequired(`The aws login of profile "${p}"${via} ${state}. Run "aws ${args.join(' ')}", then try again.`, picked, { args });
  const file = /^Failed to load token from (.+?\.json):/.exec(text)?.[1];
  if (/insufficient permissions/i.test(text)) {
    return new RoleSwitchError(`The sign-in service refused to refresh the aws login of profile "${p}"${via}: ${text} Attach the SignInLocalDevelopmentAccess policy to the identity you sign in as.`, 'AccessDenied', picked);
  }
  if (file && /ENOENT/.test(text)) return required(`is missing (no ${file})`);
  if (file) return required(`cannot be used: ${file} is unreadable or incomplete`);
  if (/Dpop proof/i.test(text)) return required('cannot be used: its cached proof-of-possession key is unreadable');
  if (/session has expired/i.test(text)) return required('has expired (a login is refreshed for up to 12 hours)');
  if (/change in your password/i.test(text)) return required('ended when the password changed');
  return required(`could not be refreshed (${text.replace(/\.? *Please re-?authenticate.*$/i, '')})`);
}

export interface RootDeps {
  loadSources: () => Promise<CredentialSourceApi>;
  env: Env;
  region: string;
  stsEndpoint?: string;
  sessionName: string;
}

/** The first credentials of a chain, from whichever source its root profile uses. */
export async function rootCredentials(set: ProfileSet, root: ChainRoot, picked: string, deps: RootDeps): Promise<AwsCredentials> {
  const p = root.profile;
  const s = p.settings;
  const request: SourceRequest = { profile: p, paths: set.files.paths };
  let sso: SsoSettings | undefined;
  try {
    switch (root.kind) {
      case 'static':
        return { accessKeyId: s.aws_access_key_id, secretAccessKey: s.aws_secret_access_key, sessionToken: s.aws_session_token || undefined };
      case 'unsupported':
        throw new RoleSwitchError(`${root.reason} (needed by "${picked}").`, 'UnsupportedSource', picked);
      case 'credentialSource':
        if (root.source === 'Environment') return environmentCredentials(p, deps.env);
        if (root.source === 'EcsContainer') return await (await deps.loadSources()).container(deps.env);
        return await (await deps.loadSources()).instanceMetadata();
      case 'process':
        return await (await deps.loadSources()).process(request);
      case 'sso':
        sso = ssoSettingsOf(set, p, deps.env);
        return await (await deps.loadSources()).sso({ ...request, sso });
      case 'login':
        return await (await deps.loadSources()).login({ ...request, login: loginSettingsOf(p, deps.region, deps.env) });
      case 'webIdentity':
        return await (await deps.loadSources()).webIdentity({
          ...request,
          tokenFile: s.web_identity_token_file,
          roleArn: s.role_arn,
          sessionName: s.role_session_name || deps.sessionName,
          region: deps.region,
          stsEndpoint: deps.stsEndpoint,
        });
    }
  } catch (e) {
    throw describeSourceFailure(root, picked, e, sso);
  }
}
