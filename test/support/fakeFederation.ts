/**
 * A loopback stand-in for the AWS console federation endpoint (signin.aws.amazon.com/federation):
 * getSigninToken checks the Session JSON (sessionId, sessionKey, sessionToken) against the
 * credentials the LoopbackSts issued, refuses long-term keys and, for role-chained sessions, a
 * SessionDuration over one hour (as AWS does); login records what it was asked to open.
 */
import { randomBytes } from 'node:crypto';
import { listenOnLoopback } from './fakeCredentialEndpoints';
import type { LoopbackSts } from './loopbackSts';

export interface FederationRequest {
  action: string;
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
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const send = (status: number, body: string, type = 'application/json') => {
        res.writeHead(status, { 'Content-Type': type });
        res.end(body);
      };
      const action = u.searchParams.get('Action') ?? '';
      if (action === 'getSigninToken') {
        const rec: FederationRequest = { action, status: 400 };
        this.requests.push(rec);
        const durationText = u.searchParams.get('SessionDuration');
        const duration = durationText === null ? undefined : Number(durationText);
        rec.sessionDuration = duration;
        let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown } = {};
        try {
          session = JSON.parse(u.searchParams.get('Session') ?? '{}') as typeof session;
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
        const rec: FederationRequest = { action, status: 200, destination: u.searchParams.get('Destination') ?? undefined, issuer: u.searchParams.get('Issuer') ?? undefined, signinTokenValid: this.#tokens.has(token) };
        this.requests.push(rec);
        return send(200, '<html><body>Signed in (fake console)</body></html>', 'text/html');
      }
      this.requests.push({ action, status: 400 });
      return send(400, 'Unknown action', 'text/plain');
    });
    this.#listener = listener;
    this.url = `${listener.origin}/federation`;
    return this.url;
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
