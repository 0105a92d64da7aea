/**
 * A loopback stand-in for the AWS console federation endpoint (signin.aws.amazon.com/federation):
 * getSigninToken takes Action, SessionDuration and Session as an application/x-www-form-urlencoded
 * POST body (stricter than AWS, which also takes them in a GET query: here a Session in the query
 * string is refused), checks the Session JSON (sessionId, sessionKey, sessionToken) against the
 * credentials the LoopbackSts issued, refuses long-term keys, a SessionDuration outside
 * 900..43200 and, for role-chained sessions, over one hour (as AWS does); login records what it
 * was asked to open.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './fakeCredentialEndpoints';
import type { LoopbackSts } from './loopbackSts';

export interface FederationRequest {
  action: string;
  method?: string;
  /** getSigninToken was sent the session (or its duration) in the query string, and refused. */
  sessionInQuery?: boolean;
  sessionDuration?: number;
  /** The session ARN the credentials belonged to, when they were valid. */
  sessionArn?: string;
  status: number;
  /** For login: where it would land. */
  destination?: string;
  issuer?: string;
  signinTokenValid?: boolean;
}

export class FakeFederation {
  readonly requests: FederationRequest[] = [];
  readonly #tokens = new Set<string>();
  #listener?: { stop(): Promise<void> };
  url = '';

  constructor(private readonly sts: LoopbackSts) {}

  async start(): Promise<string> {
    const listener = await listenOnLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#answer(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.#listener = listener;
    this.url = `${listener.origin}/federation`;
    return this.url;
  }

  #answer(req: IncomingMessage, bodyText: string, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    const isForm = req.method === 'POST' && (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
    const form = isForm ? new URLSearchParams(bodyText) : new URLSearchParams();
    const action = form.get('Action') ?? u.searchParams.get('Action') ?? '';
    if (action === 'getSigninToken') {
      const rec: FederationRequest = { action, method: req.method, status: 400 };
      this.requests.push(rec);
      // Strict: credentials only in a form body, never in the URL (where logs, proxies and error messages see them).
      if (u.searchParams.has('Session') || u.searchParams.has('SessionDuration')) {
        rec.sessionInQuery = true;
        return send(400, 'Session must be sent in a POST form body', 'text/plain');
      }
      if (!isForm) return send(400, 'getSigninToken takes an application/x-www-form-urlencoded POST', 'text/plain');
      const durationText = form.get('SessionDuration');
      const duration = durationText === null ? undefined : /^\d+$/.test(durationText) ? Number(durationText) : NaN;
      rec.sessionDuration = duration;
      let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown } = {};
      try {
        session = JSON.parse(form.get('Session') ?? '{}') as typeof session;
      } catch {
        return send(400, 'Bad Session parameter', 'text/plain');
      }
      const keys = Object.keys(session).sort().join(',');
      if (keys !== 'sessionId,sessionKey,sessionToken' || typeof session.sessionToken !== 'string') return send(400, 'Session must hold sessionId, sessionKey and sessionToken', 'text/plain');
      const valid = this.sts.verifyCredentials(String(session.sessionId), String(session.sessionKey), session.sessionToken);
      if (!valid || valid.kind !== 'AssumeRole') {
        rec.status = 400;
        return send(400, 'Invalid credentials', 'text/plain');
      }
      rec.sessionArn = valid.arn;
      // 900..43200 seconds; at most one hour for credentials made by role chaining.
      if (duration !== undefined && (!Number.isInteger(duration) || duration < 900 || duration > 43200 || (valid.chained && duration > 3600))) {
        return send(400, 'Invalid SessionDuration', 'text/plain');
      }
      const token = randomBytes(24).toString('base64url');
      this.#tokens.add(token);
      rec.status = 200;
      return send(200, JSON.stringify({ SigninToken: token }));
    }
    if (action === 'login') {
      const token = u.searchParams.get('SigninToken') ?? '';
      const rec: FederationRequest = { action, method: req.method, status: 200, destination: u.searchParams.get('Destination') ?? undefined, issuer: u.searchParams.get('Issuer') ?? undefined, signinTokenValid: this.#tokens.has(token) };
      this.requests.push(rec);
      const escape = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      const verdict = rec.signinTokenValid ? 'Signed in (fake console)' : 'Sign-in refused: unknown SigninToken (fake console)';
      return send(200, `<html><body><h1>${verdict}</h1><p>A local stand-in for the AWS console; a real sign-in would land on ${escape(rec.destination ?? 'the console home')}.</p></body></html>`, 'text/html');
    }
    this.requests.push({ action, method: req.method, status: 400 });
    return send(400, 'Unknown action', 'text/plain');
  }

  /** Whether a token this fake handed out appears in a URL (the one the extension opened). */
  issuedToken(token: string): boolean {
    return this.#tokens.has(token);
  }

  async stop(): Promise<void> {
    await this.#listener?.stop();
    this.#listener = undefined;
  }
}
