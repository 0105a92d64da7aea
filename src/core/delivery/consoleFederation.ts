import { CHAINED_MAX_SECONDS, MAX_DURATION_SECONDS } from '../config/profiles';
import { errorMessage, RoleSwitchError } from '../errors';
import type { Session } from '../session/session';

/**
 * Signing in to the AWS Management Console as the active session through the federation
 * endpoint: getSigninToken with the session's temporary credentials, then the login URL.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
 */

const PARTITIONS: Record<string, { signin: string; console: string }> = {
  aws: { signin: 'https://signin.aws.amazon.com/federation', console: 'https://console.aws.amazon.com' },
  'aws-cn': { signin: 'https://signin.amazonaws.cn/federation', console: 'https://console.amazonaws.cn' },
  'aws-us-gov': { signin: 'https://signin.amazonaws-us-gov.com/federation', console: 'https://console.amazonaws-us-gov.com' },
};


export function partitionOf(session: Session): string {
  return /^arn:(aws[a-z-]*):/.exec(session.roleArn ?? session.arn)?.[1] ?? 'aws';
}

export interface ConsoleOptions {
  /** A service name (`ec2`, `s3`) or a full console URL; empty for the console home. */
  startPage: string;
  /** Empty: the session's region. */
  region: string;
  /** Empty: the partition's own federation endpoint. */
  federationEndpoint: string;
  issuer: string;
}

export function destinationUrl(session: Session, options: Pick<ConsoleOptions, 'startPage' | 'region'>): string {
  const page = options.startPage.trim();
  if (/^https:\/\//.test(page)) return page;
  const host = (PARTITIONS[partitionOf(session)] ?? PARTITIONS.aws).console;
  const region = encodeURIComponent(options.region.trim() || session.region);
  const service = page.replace(/[^a-z0-9-]/gi, '').toLowerCase() || 'console';
  return `${host}/${service}/home?region=${region}`;
}

/** Whether the session's credentials came from role chaining (a role assumed from a role or an MFA session). */
export function isChainedSession(session: Session): boolean {
  return session.kind === 'role' && Boolean(session.chained);
}

/** What federation allows for this session: 900..43200 s, one hour for chained role sessions. */
export function consoleSessionSeconds(session: Session): number {
  return isChainedSession(session) ? CHAINED_MAX_SECONDS : MAX_DURATION_SECONDS;
}

export type FetchJson = (url: string) => Promise<{ status: number; body: unknown }>;

/** The login URL to open; asks the federation endpoint for a sign-in token first. Holds a bearer token: never log it. */
export async function buildConsoleUrl(session: Session, options: ConsoleOptions, fetchJson: FetchJson): Promise<{ url: string; sessionSeconds: number }> {
  const c = session.credentials;
  if (!c.sessionToken) {
    throw new RoleSwitchError(
      `Profile "${session.profileName}" uses long-term IAM user keys. The console sign-in endpoint only accepts temporary credentials of a role: assume a role profile (role_arn) and try again, or sign in to the console with your IAM user's password.`,
      'NoSession',
      session.profileName,
    );
  }
  if (session.kind !== 'role' && session.kind !== 'sso' && session.kind !== 'webIdentity' && session.kind !== 'credentialSource') {
    throw new RoleSwitchError(`The credentials of profile "${session.profileName}" are not role credentials, which the console sign-in endpoint needs. Assume a role profile and try again.`, 'NoSession', session.profileName);
  }
  const endpoint = options.federationEndpoint.trim() || (PARTITIONS[partitionOf(session)] ?? PARTITIONS.aws).signin;
  const sessionSeconds = consoleSessionSeconds(session);
  const sessionJson = JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken });
  const tokenUrl = `${endpoint}?Action=getSigninToken&SessionDuration=${sessionSeconds}&Session=${encodeURIComponent(sessionJson)}`;
  let answer: { status: number; body: unknown };
  try {
    answer = await fetchJson(tokenUrl);
  } catch (e) {
    throw new RoleSwitchError(`The console sign-in endpoint ${endpoint} could not be reached: ${errorMessage(e)}. Check your network or awsRoles.console.federationEndpoint.`, 'Unreachable', session.profileName);
  }
  const token = (answer.body as { SigninToken?: unknown } | undefined)?.SigninToken;
  if (answer.status !== 200 || typeof token !== 'string' || !token) {
    throw new RoleSwitchError(
      `The console sign-in endpoint refused the credentials of "${session.profileName}" (HTTP ${answer.status}). Role sessions made by role chaining allow at most one hour; credentials that expired or were not made by AssumeRole cannot sign in.`,
      'AccessDenied',
      session.profileName,
    );
  }
  const destination = destinationUrl(session, options);
  const url = `${endpoint}?Action=login&Issuer=${encodeURIComponent(options.issuer)}&Destination=${encodeURIComponent(destination)}&SigninToken=${encodeURIComponent(token)}`;
  return { url, sessionSeconds };
}
