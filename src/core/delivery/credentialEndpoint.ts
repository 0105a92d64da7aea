import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Session } from '../session/session';

/**
 * Serves the active session on 127.0.0.1 in the format of the ECS container credentials
 * endpoint, so every AWS SDK and CLI in a terminal fetches the current credentials itself
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN): a terminal opened
 * this morning keeps working after every refresh and switch.
 * Guarded three ways: loopback only, a random token per window (compared in constant time),
 * and a Host check so a web page cannot reach it through DNS rebinding. Never logs credentials.
 */
/**
 * Limits for a server only local tools call, once a minute at most: a caller that opens a
 * connection and sends nothing (or a header a byte a second) is dropped in seconds, not after
 * Node's 60-second defaults, and a flood of connections cannot pile up.
 */
export const ENDPOINT_LIMITS = { headersTimeoutMs: 3000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 2000, maxConnections: 16 } as const;

/**
 * Serves the active session on 127.0.0.1 in the format of the ECS container credentials
 * endpoint, so every AWS SDK and CLI in a terminal fetches the current credentials itself
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN): a terminal opened
 * this morning keeps working after every refresh and switch.
 * Guarded three ways: loopback only, a random token per window (compared in constant time),
 * and a Host check so a web page cannot reach it through DNS rebinding. Never logs credentials.
 * One object serves once: after stop() it never listens or answers again (start() is refused,
 * and a stop() while listen is pending closes the server as soon as it is bound); a new start
 * needs a new object, with a new token.
 */
export class CredentialEndpoint {
  /** Random per window; the only secret a terminal gets in this mode. */
  readonly token = randomBytes(32).toString('base64url');
  private readonly path = `/credentials/${randomBytes(8).toString('hex')}`;
  private server: http.Server | undefined;
  private starting: Promise<string> | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  /** Counts by outcome, for tests and the log; no request content. */
  readonly served = { ok: 0, unauthorized: 0, forbidden: 0, noSession: 0, badHost: 0 };

  constructor(private readonly current: () => Session | undefined) {}

  /** The full URI, once listening. Rejects once stop() was called, before or during the listen. */
  start(): Promise<string> {
    if (this.stopped) return Promise.reject(new Error('This credential endpoint was stopped; a new start needs a new endpoint.'));
    this.starting ??= new Promise<string>((resolve, reject) => {
      const server = http.createServer(
        {
          headersTimeout: ENDPOINT_LIMITS.headersTimeoutMs,
          requestTimeout: ENDPOINT_LIMITS.requestTimeoutMs,
          // Node checks the two timeouts above only this often (30 s by default).
          connectionsCheckingInterval: 1000,
        },
        (req, res) => this.handle(req, res),
      );
      server.maxConnections = ENDPOINT_LIMITS.maxConnections;
      // A property, not a createServer option: older Node releases (an editor's runtime) ignore the option.
      server.keepAliveTimeout = ENDPOINT_LIMITS.keepAliveTimeoutMs;
      server.on('connection', (s) => {
        if (this.stopped) {
          s.destroy();
          return;
        }
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      // Known at once, so a stop() during the listen can close it.
      this.server = server;
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        if (this.stopped) {
          reject(new Error('This credential endpoint was stopped while it started.'));
          return;
        }
        this.port = (server.address() as AddressInfo).port;
        resolve(this.url);
      });
    });
    return this.starting;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.stopped) {
      req.socket.destroy();
      return;
    }
    const send = (status: number, body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
      res.end(text);
    };
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) {
      this.served.badHost++;
      send(403, { code: 'Forbidden', message: 'Only loopback callers may use this endpoint.' });
      return;
    }
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== this.path) {
      send(404, { code: 'NotFound', message: 'Not found.' });
      return;
    }
    const given = req.headers.authorization;
    if (!given) {
      this.served.unauthorized++;
      send(401, { code: 'Unauthorized', message: 'The Authorization header is missing.' });
      return;
    }
    // Equal-length digests make the comparison constant-time whatever the caller sent.
    const digest = (v: string) => createHash('sha256').update(v).digest();
    if (!timingSafeEqual(digest(given), digest(this.token))) {
      this.served.forbidden++;
      send(403, { code: 'Forbidden', message: 'The authorization token is not valid.' });
      return;
    }
    const session = this.current();
    if (!session) {
      this.served.noSession++;
      send(404, { code: 'NoSession', message: 'No AWS role is active in VS Code. Run "AWS: Assume Role".' });
      return;
    }
    const c = session.credentials;
    this.served.ok++;
    send(200, {
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      Token: c.sessionToken,
      Expiration: new Date(session.expiresAt ?? Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      AccountId: session.accountId || undefined,
      RoleArn: session.roleArn,
    });
  }

  /** Stops for good: nothing is answered from now on, and the port is released. */
  stop(): Promise<void> {
    this.stopped = true;
    // Every caller waits for the same close, so "await stop()" always means the port is free.
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.removeAllListeners('request');
    for (const s of this.sockets) s.destroy();
    // A server whose listen is still pending binds later; close() before that would be a no-op
    // and leave it listening, so wait for the bind (or its failure) first.
    if (!server.listening) {
      await new Promise<void>((resolve) => {
        server.once('listening', () => resolve());
        server.once('error', () => resolve());
      });
      if (!server.listening) return;
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
