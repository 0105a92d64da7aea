import { CHAINED_MAX_SECONDS, MAX_DURATION_SECONDS, MIN_DURATION_SECONDS } from '../config/profiles';
import { RoleSwitchError } from '../errors';
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
  const host = (PARTITIONS[partitionOf(session)] ?? PARTITIONS.aws).console;
  if (/^https:\/\//i.test(page)) {
    // A full URL only on the partition's own console (its regional and service subdomains): the
    // sign-in token goes to whatever page is named here, so it must never lead anywhere else.
    if (isConsoleUrl(page, host)) return page;
    throw new RoleSwitchError(
      `awsRoles.console.startPage "${page}" is not a page of the AWS console (${new URL(host).host} or one of its subdomains). Use a service name such as ec2, or a console URL.`,
      'InvalidProfile',
      session.profileName,
    );
  }
  const region = encodeURIComponent(options.region.trim() || session.region);
  const service = page.replace(/[^a-z0-9-]/gi, '').toLowerCase() || 'console';
  return `${host}/${service}/home?region=${region}`;
}

function isConsoleUrl(page: string, consoleOrigin: string): boolean {
  try {
    const url = new URL(page);
    const consoleHost = new URL(consoleOrigin).host;
    return url.protocol === 'https:' && !url.username && !url.password && !url.port && (url.host === consoleHost || url.host.endsWith(`.${consoleHost}`));
  } catch {
    return false;
  }
}

/** Whether the session's credentials came from role chaining (a role assumed from a role or an MFA session). */
export function isChainedSession(session: Session): boolean {
  return session.kind === 'role' && Boolean(session.chained);
}

/** What federation allows for this session: the STS duration range, one hour for chained role sessions. */
export function consoleSessionSeconds(session: Session): number {
  return isChainedSession(session) ? CHAINED_MAX_SECONDS : MAX_DURATION_SECONDS;
}

/**
 * Posts an `application/x-www-form-urlencoded` body and reads the JSON answer. The session's
 * credentials go in the body, never in the URL, so no transport error, proxy log or history
 * quotes them.
 */
export type PostForm = (url: string, form: URLSearchParams) => Promise<{ status: number; body: unknown }>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The federation endpoint to call: the partition's own, or the configured one if it is an
 * absolute `https:` URL (`http:` only on the loopback interface, for local stand-ins) without
 * user info, query or fragment. Checked before anything is sent, so a typo never carries
 * credentials anywhere.
 */
export function federationEndpointUrl(session: Session, configured: string): string {
  const raw = configured.trim();
  if (!raw) return (PARTITIONS[partitionOf(session)] ?? PARTITIONS.aws).signin;
  const refuse = (why: string) =>
    new RoleSwitchError(`awsRoles.console.federationEndpoint is not usable: ${why}. Set it to an https:// URL such as https://signin.aws.amazon.com/federation, or clear it.`, 'ConfigRefused', session.profileName);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refuse('it is not an absolute URL (it needs https://)');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname))) throw refuse('it must use https:// (http:// only for 127.0.0.1, localhost or [::1])');
  if (u.username || u.password) throw refuse('it must not hold a user name or password');
  if (u.search || u.hash) throw refuse('it must not hold a query or fragment');
  return `${u.origin}${u.pathname}`;
}

/** A network error code such as ECONNREFUSED, which is safe to show; never the error's text, which can quote the request. */
function transportCode(e: unknown): string | undefined {
  const codeOf = (x: unknown) => (x && typeof x === 'object' && 'code' in x && typeof x.code === 'string' && /^[A-Z][A-Z0-9_]{2,40}$/.test(x.code) ? x.code : undefined);
  const cause = e && typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  if (e instanceof Error && e.name === 'TimeoutError') return 'timeout';
  return codeOf(e) ?? codeOf(cause);
}

/** A sign-in failure; `transportError` is what the transport threw, for a redacted log line only. */
export class ConsoleSigninError extends RoleSwitchError {
  constructor(message: string, code: RoleSwitchError['code'], profile: string, readonly transportError?: unknown) {
    super(message, code, profile);
  }
}

/**
 * How long the console session may last: what federation allows for the session (12 hours, one
 * hour for role chaining) but no longer than its credentials still live, and at least the 15
 * minutes federation requires. Whoever holds the sign-in URL in its 15 minutes gets this much.
 */
export function consoleSessionDuration(session: Session, now: number): number {
  const max = consoleSessionSeconds(session);
  if (session.expiresAt === undefined) return max;
  const left = Math.floor((session.expiresAt - now) / 1000);
  return Math.max(MIN_DURATION_SECONDS, Math.min(max, left));
}


/** The login URL to open; asks the federation endpoint for a sign-in token first. Holds a bearer token: never log it. */
export async function buildConsoleUrl(session: Session, options: ConsoleOptions, postForm: PostForm, now: number = Date.now()): Promise<{ url: string; sessionSeconds: number }> {
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
  const endpoint = federationEndpointUrl(session, options.federationEndpoint);
  // Checked before the token is asked for: a start page outside the console is refused with nothing sent.
  const destination = destinationUrl(session, options);
  const sessionSeconds = consoleSessionDuration(session, now);
  const form = new URLSearchParams({
    Action: 'getSigninToken',
    SessionDuration: String(sessionSeconds),
    Session: JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken }),
  });
  let answer: { status: number; body: unknown };
  try {
    answer = await postForm(endpoint, form);
  } catch (e) {
    const code = transportCode(e);
    throw new ConsoleSigninError(
      `The console sign-in endpoint ${endpoint} could not be reached${code ? ` (${code})` : ''}. Check your network or awsRoles.console.federationEndpoint; the log has details.`,
      'Unreachable',
      session.profileName,
      e,
    );
  }
  const token = (answer.body as { SigninToken?: unknown } | undefined)?.SigninToken;
  if (answer.status !== 200 || typeof token !== 'string' || !token) {
    throw new RoleSwitchError(
      `The console sign-in endpoint refused the credentials of "${session.profileName}" (HTTP ${answer.status}). Role sessions made by role chaining allow at most one hour; credentials that expired or were not made by AssumeRole cannot sign in.`,
      'AccessDenied',
      session.profileName,
    );
  }
  const url = `${endpoint}?Action=login&Issuer=${encodeURIComponent(options.issuer)}&Destination=${encodeURIComponent(destination)}&SigninToken=${encodeURIComponent(token)}`;
  return { url, sessionSeconds };
}
