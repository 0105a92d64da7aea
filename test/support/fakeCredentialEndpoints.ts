/**
 * Loopback stand-ins for the AWS endpoints that hand out role credentials without SigV4:
 * the IAM Identity Center portal (GetRoleCredentials), EC2 instance metadata (IMDSv2) and
 * the ECS/EKS container credentials endpoint. Each checks its request the way AWS does
 * (bearer token, session token header, authorization header) and issues role sessions
 * through the LoopbackSts, so STS accepts them afterwards and applies role-chaining limits.
 */
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { LoopbackSts } from './loopbackSts';

export interface RecordedCredentialRequest {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | undefined>;
}

/** A server on 127.0.0.1 with a random port, whose stop() also cuts kept-alive connections. */
export async function listenOnLoopback(handler: http.RequestListener): Promise<{ origin: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let stopped: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return stopped;
    },
  };
}

abstract class LoopbackServer {
  readonly requests: RecordedCredentialRequest[] = [];
  #listener?: { stop(): Promise<void> };
  url = '';

  protected abstract handle(req: http.IncomingMessage, url: URL): { status: number; body: unknown; type?: string };

  async start(): Promise<string> {
    const listener = await listenOnLoopback((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let answer: { status: number; body: unknown; type?: string };
      try {
        answer = this.handle(req, url);
      } catch (e) {
        answer = { status: 500, body: { message: String(e) } };
      }
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, status: answer.status, headers: { ...req.headers } as Record<string, string | undefined> });
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'Content-Type': answer.type ?? 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
    this.#listener = listener;
    this.url = listener.origin;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.#listener?.stop();
    this.#listener = undefined;
  }
}

/** IAM Identity Center's portal API: GET /federation/credentials with x-amz-sso_bearer_token. */
export class FakeSsoPortal extends LoopbackServer {
  /** access token -> the account/role pairs its user is assigned to */
  readonly #tokens = new Map<string, { accountId: string; roleName: string }[]>();

  constructor(private readonly sts: LoopbackSts) {
    super();
  }

  allow(accessToken: string, accountId: string, roleName: string): void {
    this.#tokens.set(accessToken, [...(this.#tokens.get(accessToken) ?? []), { accountId, roleName }]);
  }

  /** The IAM role Identity Center provisions for a permission set. */
  static roleArn(accountId: string, roleName: string): string {
    return `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${roleName}_0123456789abcdef`;
  }

  protected handle(req: http.IncomingMessage, url: URL) {
    if (req.method !== 'GET' || url.pathname !== '/federation/credentials') return { status: 404, body: { message: 'Not found' } };
    const token = req.headers['x-amz-sso_bearer_token'];
    const assignments = typeof token === 'string' ? this.#tokens.get(token) : undefined;
    if (!assignments) return { status: 401, body: { message: 'Session token not found or invalid' }, type: 'application/json' };
    const accountId = url.searchParams.get('account_id') ?? '';
    const roleName = url.searchParams.get('role_name') ?? '';
    if (!assignments.some((a) => a.accountId === accountId && a.roleName === roleName)) return { status: 403, body: { message: 'No access' } };
    const s = this.sts.issueRoleSession(FakeSsoPortal.roleArn(accountId, roleName), 'sso-user@example.com');
    return { status: 200, body: { roleCredentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: s.expiresAt } } };
  }
}

/** EC2 instance metadata, IMDSv2 only: a PUT for a session token, then GETs that carry it. */
export class FakeInstanceMetadata extends LoopbackServer {
  readonly #tokens = new Set<string>();

  constructor(
    private readonly sts: LoopbackSts,
    readonly roleArn: string,
  ) {
    super();
  }

  protected handle(req: http.IncomingMessage, url: URL) {
    if (url.pathname === '/latest/api/token') {
      if (req.method !== 'PUT' || !req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return { status: 400, body: '', type: 'text/plain' };
      const token = randomBytes(24).toString('base64');
      this.#tokens.add(token);
      return { status: 200, body: token, type: 'text/plain' };
    }
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (typeof token !== 'string' || !this.#tokens.has(token)) return { status: 401, body: '', type: 'text/plain' };
    const roleName = this.roleArn.slice(this.roleArn.lastIndexOf('/') + 1);
    if (url.pathname === '/latest/meta-data/iam/security-credentials/') return { status: 200, body: roleName, type: 'text/plain' };
    if (url.pathname === `/latest/meta-data/iam/security-credentials/${roleName}`) {
      const s = this.sts.issueRoleSession(this.roleArn, 'i-0123456789abcdef0', 6 * 3600);
      return {
        status: 200,
        body: { Code: 'Success', LastUpdated: new Date().toISOString(), Type: 'AWS-HMAC', AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, Token: s.sessionToken, Expiration: new Date(s.expiresAt).toISOString() },
      };
    }
    return { status: 404, body: '', type: 'text/plain' };
  }
}

/** The ECS agent / EKS Pod Identity endpoint: GET with the Authorization token it was started with. */
export class FakeContainerCredentials extends LoopbackServer {
  readonly authorizationToken = randomBytes(16).toString('hex');

  constructor(
    private readonly sts: LoopbackSts,
    readonly roleArn: string,
  ) {
    super();
  }

  protected handle(req: http.IncomingMessage, url: URL) {
    if (url.pathname !== '/v2/credentials') return { status: 404, body: { message: 'Not found' } };
    if (req.headers.authorization !== this.authorizationToken) return { status: 403, body: { code: 'AccessDenied', message: 'Invalid authorization token' } };
    const s = this.sts.issueRoleSession(this.roleArn, 'ecs-task-0123', 6 * 3600);
    return { status: 200, body: { RoleArn: this.roleArn, AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, Token: s.sessionToken, Expiration: new Date(s.expiresAt).toISOString() } };
  }
}
