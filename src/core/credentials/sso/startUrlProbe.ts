import * as https from 'node:https';

/**
 * Start URLs on a custom domain (https://sso.example.com) that redirect to the AWS-owned portal.
 * The AWS CLI v2 (2.35.13+, awscli/customizations/sso/resolve.py) sends one HEAD request to such
 * a URL and follows one redirect to an AWS-owned host; the result becomes RegisterClient's
 * `issuerUrl` and StartDeviceAuthorization's `startUrl`, while the token file's name and its
 * `startUrl` keep the configured URL. The CLI fails the login when the probe fails; here a failed
 * probe never blocks sign-in: it proceeds with the configured URL.
 */

/** Returns the absolute URL `startUrl` redirects to, or undefined (no redirect, any failure). */
export type StartUrlProbe = (startUrl: string, signal?: AbortSignal) => Promise<string | undefined>;

// resolve.py's _AWS_OWNED_SUFFIXES and _AWS_OWNED_EXACT.
const AWS_OWNED_SUFFIXES = ['.app.aws', '.portal.amazonaws.com', '.portal.amazonaws.com.cn', '.app.amazonwebservices.com.cn', '.portal.amazonaws.eu', '.api.amazonwebservices.eu', '.awsapps.com', '.awsapps.cn'];
const AWS_OWNED_EXACT = ['identitycenter.amazonaws.com', 'identitycenter.amazonaws.com.cn', 'identitycenter.amazonaws.eu', 'identitycenter.us-gov.amazonaws.com'];

export function isAwsOwnedHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return AWS_OWNED_EXACT.includes(host) || AWS_OWNED_SUFFIXES.some((suffix) => host === suffix.slice(1) || host.endsWith(suffix));
}

/** Whether a start URL is worth probing: https on a host AWS does not own. */
export function needsProbe(startUrl: string): boolean {
  try {
    const url = new URL(startUrl);
    return url.protocol === 'https:' && !isAwsOwnedHost(url.hostname);
  } catch {
    return false;
  }
}

/** resolve.py's _normalize_url: scheme, host, a non-default port and the path without a trailing slash; no query or fragment. */
export function normalizeStartUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

const PROBE_TIMEOUT_MS = 5000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function request(url: string, method: 'HEAD' | 'GET', signal: AbortSignal | undefined): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, timeout: PROBE_TIMEOUT_MS, signal }, (res) => {
      // The body is never needed: only the status and Location.
      res.destroy();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The probe over the network: HEAD (GET when HEAD is not allowed, as the CLI), one redirect at most. */
export const probeStartUrl: StartUrlProbe = async (startUrl, signal) => {
  if (!needsProbe(startUrl)) return undefined;
  try {
    let answer = await request(startUrl, 'HEAD', signal);
    if (answer.status === 405 || answer.status === 501) answer = await request(startUrl, 'GET', signal);
    if (!REDIRECTS.has(answer.status) || !answer.location) return undefined;
    return new URL(answer.location, startUrl).href;
  } catch {
    return undefined;
  }
};

/**
 * The URL to sign in with: for a custom domain, the redirect target when it is https on an
 * AWS-owned host (normalised as the CLI does); else, and on any failure, the configured URL.
 */
export async function resolveStartUrl(startUrl: string, probe: StartUrlProbe, signal?: AbortSignal): Promise<string> {
  if (!needsProbe(startUrl)) return startUrl;
  try {
    const location = await probe(startUrl, signal);
    if (!location) return startUrl;
    const target = new URL(location, startUrl);
    return target.protocol === 'https:' && isAwsOwnedHost(target.hostname) ? normalizeStartUrl(target) : startUrl;
  } catch {
    return startUrl;
  }
}
