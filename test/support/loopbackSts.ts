/**
 * A loopback stand-in for AWS STS that is as strict as the real service about
 * who may call it: every request's SigV4 signature is recomputed and checked,
 * temporary keys expire on a clock the tests control, and trust, ExternalId,
 * MFA and session-duration rules follow the AWS STS API reference.
 * (The core's unit tests mostly inject RecordingStsApi instead, test/support/recordingStsApi.ts:
 * an in-process StsApi without HTTP, signatures or trust policies.)
 *
 * Wire protocol: the AWS Query protocol only (POST form body or GET query
 * string, XML answers), because that is what every client we care about sends:
 * @aws-sdk/client-sts 3.117x (AwsQueryProtocol), botocore/AWS CLI v1 and v2.
 *
 * Standalone use (integration tests, benchmarks, the real AWS CLI):
 *   node out/test/support/loopbackSts.js --fixture path.json [--port 0] [--log]
 * prints one line `{"port":N,"url":"http://127.0.0.1:N"}` to stdout and runs
 * until SIGTERM/SIGINT. `--log` writes one JSON line per request to stderr.
 *
 * Fixture JSON shape (LoopbackStsOptions without `now`):
 *   {
 *     "users":      [{ "arn": "arn:aws:iam::111111111111:user/alice",
 *                      "accessKeyId": "AKIA...", "secretAccessKey": "..." }],
 *     "roles":      [{ "arn": "arn:aws:iam::222222222222:role/Admin",
 *                      "trustedPrincipals": ["arn:aws:iam::111111111111:root"],
 *                      "externalId": "optional", "requireMfa": false,
 *                      "maxSessionDuration": 3600 }],
 *     "mfaDevices": [{ "serial": "arn:aws:iam::111111111111:mfa/alice",
 *                      "userArn": "arn:aws:iam::111111111111:user/alice",
 *                      "code": "123456" }]
 *   }
 */
import * as http from 'http';
import * as fs from 'fs';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'crypto';
import type { AddressInfo, Socket } from 'net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface FakeUser { arn: string; accessKeyId: string; secretAccessKey: string }
export interface FakeRole {
  arn: string;
  /** User ARNs, role ARNs (any session of that role), 'arn:aws:iam::ACCT:root' (any principal of ACCT) or '*'. */
  trustedPrincipals: string[];
  externalId?: string;
  requireMfa?: boolean;
  /** Seconds, 3600..43200, default 3600. */
  maxSessionDuration?: number;
  /** OIDC tokens this role trusts for AssumeRoleWithWebIdentity (stands in for an identity provider trust). */
  webIdentityTokens?: string[];
}
export interface FakeMfaDevice { serial: string; userArn: string; code: string }
export interface LoopbackStsOptions { users: FakeUser[]; roles: FakeRole[]; mfaDevices?: FakeMfaDevice[]; now?: () => number }
export interface RecordedRequest {
  action: string;
  params: Record<string, string>;
  method: string;
  accessKeyId?: string;
  /** Region the client signed for. */
  region?: string;
  callerArn?: string;
  status: number;
  errorCode?: string;
  /** Server-clock ms when the request arrived. */
  time: number;
}
export interface FakeFault {
  status?: number;
  code?: string;
  message?: string;
  /** Wait this long before answering (alone: then answer normally). */
  delayMs?: number;
  /** Send this body verbatim (status defaults to 200). */
  rawBody?: string;
  destroySocket?: boolean;
}
export interface IssuedCredentials { arn: string; expiresAt: number; kind: 'AssumeRole' | 'GetSessionToken'; mfa: boolean }

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const API_VERSION = '2011-06-15';
const MAX_SKEW_MS = 5 * 60_000;
const CHAINED_MAX_SECONDS = 3600;
const MFA_REUSE_MS = 30_000;
const MAX_BODY_BYTES = 1 << 20;

const MSG = {
  invalidToken: 'The security token included in the request is invalid.',
  expiredToken: 'The security token included in the request is expired',
  badSignature: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  chaining: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  overRoleMax: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  mfaBadCode: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
  mfaBadSerial: 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
  gstWithSession: 'Cannot call GetSessionToken with session credentials',
};

class StsError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}
const accessDenied = (msg: string) => new StsError(403, 'AccessDenied', msg);
const badSignature = (msg = MSG.badSignature) => new StsError(403, 'SignatureDoesNotMatch', msg);
const incomplete = (msg: string) => new StsError(400, 'IncompleteSignature', msg);

/** Who signed a request, as STS sees it. */
interface Principal {
  /** What GetCallerIdentity reports. */
  arn: string;
  /** What trust policies are matched against: the user ARN, or the role ARN for role sessions. */
  trustArn: string;
  userId: string;
  account: string;
  kind: 'user' | 'role-session' | 'user-session';
  /** The IAM user behind user and GetSessionToken credentials (MFA devices belong to users). */
  userArn?: string;
  mfa: boolean;
}
interface Session { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAt: number; kind: IssuedCredentials['kind']; principal: Principal; chained?: boolean }

const accountOf = (arn: string) => arn.split(':')[4] ?? '';
const lastSegment = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function randomAlnum(n: number): string {
  let out = '';
  for (const b of randomBytes(n)) out += ALNUM[b % ALNUM.length];
  return out;
}
/** AWS unique IDs are stable per entity, so derive them from the ARN rather than at random. */
function uniqueId(prefix: string, arn: string): string {
  let out = prefix;
  for (const b of createHash('sha256').update(arn).digest().subarray(0, 17)) out += ALNUM[b % ALNUM.length];
  return out;
}
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const amzDate = (ms: number) => isoSeconds(ms).replace(/[-:]/g, '');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const leaf = (tag: string, text: string | number) => `<${tag}>${esc(String(text))}</${tag}>`;
const node = (tag: string, ...kids: string[]) => `<${tag}>${kids.join('')}</${tag}>`;

function parseForm(raw: string, into: Record<string, string> = {}): Record<string, string> {
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const dec = (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; } };
    into[dec(eq < 0 ? pair : pair.slice(0, eq))] = eq < 0 ? '' : dec(pair.slice(eq + 1));
  }
  return into;
}
/** Duplicate query keys must survive for the canonical query string, so keep arrays here. */
function parseQueryMulti(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const [k, v] = Object.entries(parseForm(pair))[0] ?? ['', ''];
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** AWS's validation-error sentence, e.g. "1 validation error detected: Value 'x' at 'roleSessionName' ...". */
class Validator {
  private readonly problems: string[] = [];
  check(field: string, value: string | undefined, rule: { required?: boolean; min?: number; max?: number; pattern?: RegExp; patternText?: string }): void {
    if (value === undefined) {
      if (rule.required) this.problems.push(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
      return;
    }
    const at = `Value '${value}' at '${field}' failed to satisfy constraint: Member must`;
    if (rule.min !== undefined && value.length < rule.min) this.problems.push(`${at} have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value.length > rule.max) this.problems.push(`${at} have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(value)) this.problems.push(`${at} satisfy regular expression pattern: ${rule.patternText}`);
  }
  int(field: string, value: string | undefined, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must be a number`);
    else if (n < min) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    else if (n > max) this.problems.push(`Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
    return n;
  }
  throwIfAny(): void {
    const n = this.problems.length;
    if (n) throw new StsError(400, 'ValidationError', `${n} validation error${n > 1 ? 's' : ''} detected: ${this.problems.join('; ')}`);
  }
}

export class LoopbackSts {
  readonly requests: RecordedRequest[] = [];
  // Private (#) so secrets never show up when a test prints or deep-compares the instance.
  #now: () => number;
  readonly #users = new Map<string, FakeUser>();
  readonly #roles = new Map<string, FakeRole>();
  readonly #mfa = new Map<string, FakeMfaDevice>();
  readonly #mfaLastUse = new Map<string, { code: string; at: number }>();
  readonly #sessions = new Map<string, Session>();
  readonly #faults: FakeFault[] = [];
  #maxIssuedSeconds: number | undefined;
  readonly #sockets = new Set<Socket>();
  #server?: http.Server;
  /** Called after every request is recorded (the CLI's --log uses it). */
  onRequest?: (r: RecordedRequest) => void;

  constructor(options: LoopbackStsOptions) {
    this.#now = options.now ?? Date.now;
    options.users.forEach(u => this.addUser(u));
    options.roles.forEach(r => this.addRole(r));
    (options.mfaDevices ?? []).forEach(d => this.addMfaDevice(d));
  }

  addUser(user: FakeUser): void {
    if (!/^arn:aws:iam::\d{12}:(user\/.+|root)$/.test(user.arn)) throw new Error(`LoopbackSts: not an IAM user ARN: ${user.arn}`);
    this.#users.set(user.accessKeyId, { ...user });
  }
  addRole(role: FakeRole): void {
    if (!/^arn:aws:iam::\d{12}:role\/.+$/.test(role.arn)) throw new Error(`LoopbackSts: not an IAM role ARN: ${role.arn}`);
    const max = role.maxSessionDuration ?? 3600;
    if (!Number.isInteger(max) || max < 3600 || max > 43200) throw new Error(`LoopbackSts: maxSessionDuration must be 3600..43200, got ${max}`);
    this.#roles.set(role.arn, { ...role, trustedPrincipals: [...role.trustedPrincipals] });
  }
  addMfaDevice(device: FakeMfaDevice): void { this.#mfa.set(device.serial, { ...device }); }
  /** Simulates the device showing a new one-time code. */
  setMfaCode(serial: string, code: string): void {
    const d = this.#mfa.get(serial);
    if (!d) throw new Error(`LoopbackSts: no MFA device ${serial}`);
    d.code = code;
  }
  setClock(now: () => number): void { this.#now = now; }
  /**
   * Test knob for time compression: credentials issued from now on expire after at most this many
   * seconds (undefined: as requested). Lets refresh-before-expiry run in seconds, not an hour.
   */
  setMaxIssuedSeconds(seconds: number | undefined): void { this.#maxIssuedSeconds = seconds; }
  now(): number { return this.#now(); }

  /** Clears recorded requests and any faults still queued. */
  reset(): void {
    this.requests.length = 0;
    this.#faults.length = 0;
  }
  /** The next `count` requests get `fault` instead of normal handling (SDK retries count as requests). */
  failNext(fault: FakeFault, count = 1): void {
    for (let i = 0; i < count; i++) this.#faults.push({ ...fault });
  }
  /**
   * What another AWS endpoint (console federation) learns from a full set of credentials:
   * the role session they belong to, if all three parts match and it has not expired.
   */
  verifyCredentials(accessKeyId: string, secretAccessKey: string, sessionToken: string): { arn: string; kind: IssuedCredentials['kind']; chained: boolean; expiresAt: number } | undefined {
    const s = this.#sessions.get(accessKeyId);
    if (!s || s.secretAccessKey !== secretAccessKey || s.sessionToken !== sessionToken || s.expiresAt <= this.#now()) return undefined;
    return { arn: s.principal.arn, kind: s.kind, chained: Boolean(s.chained), expiresAt: s.expiresAt };
  }
  /** Every secret this STS knows or handed out (user secrets, session secrets and tokens), for secret scans. */
  allSecrets(): string[] {
    const out: string[] = [];
    for (const u of this.#users.values()) out.push(u.secretAccessKey);
    for (const s of this.#sessions.values()) out.push(s.secretAccessKey, s.sessionToken);
    return out;
  }
  issued(accessKeyId: string): IssuedCredentials | undefined {
    const s = this.#sessions.get(accessKeyId);
    return s && { arn: s.principal.arn, expiresAt: s.expiresAt, kind: s.kind, mfa: s.principal.mfa };
  }

  async start(port = 0): Promise<{ port: number; url: string }> {
    if (this.#server) throw new Error('LoopbackSts already started');
    const server = http.createServer((req, res) => { void this.#handle(req, res); });
    server.keepAliveTimeout = 5_000;
    server.on('connection', s => { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    this.#server = server;
    const bound = (server.address() as AddressInfo).port;
    return { port: bound, url: `http://127.0.0.1:${bound}` };
  }
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>(resolve => server.close(() => resolve()));
    // Keep-alive sockets from SDK clients would otherwise hold close() open.
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    const qIdx = rawUrl.indexOf('?');
    const path = qIdx < 0 ? rawUrl : rawUrl.slice(0, qIdx);
    const rawQuery = qIdx < 0 ? '' : rawUrl.slice(qIdx + 1);
    const rec: RecordedRequest = { action: '', params: {}, method: req.method ?? 'GET', status: 0, time: this.#now() };
    const finish = (status: number, body: string, errorCode?: string) => {
      rec.status = status;
      if (errorCode) rec.errorCode = errorCode;
      // The SDK corrects its clock skew from this header, so it must come from our clock.
      res.writeHead(status, {
        'Content-Type': 'text/xml',
        'Content-Length': Buffer.byteLength(body),
        'x-amzn-RequestId': requestId,
        Date: new Date(this.#now()).toUTCString(),
      });
      res.end(body);
      this.onRequest?.(rec);
    };
    const fail = (e: StsError) => finish(e.status, errorXml(e, requestId), e.code);

    let body: Buffer;
    try { body = await readBody(req); } catch (e) {
      this.requests.push(rec);
      fail(e instanceof StsError ? e : new StsError(400, 'MalformedInput', 'Could not read request body'));
      return;
    }
    const params = parseForm(rawQuery);
    if (/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) parseForm(body.toString('utf8'), params);
    rec.action = params.Action ?? '';
    rec.params = { ...params };
    this.requests.push(rec);

    const fault = this.#faults.shift();
    if (fault) {
      if (fault.delayMs) await new Promise(r => setTimeout(r, fault.delayMs));
      if (fault.destroySocket) { rec.errorCode = 'SocketDestroyed'; req.socket.destroy(); this.onRequest?.(rec); return; }
      if (fault.rawBody !== undefined) { finish(fault.status ?? 200, fault.rawBody, fault.code); return; }
      if (fault.status !== undefined || fault.code !== undefined) {
        const status = fault.status ?? 500;
        fail(new StsError(status, fault.code ?? (status >= 500 ? 'InternalFailure' : 'Throttling'),
          fault.message ?? (status >= 500 ? 'We encountered an internal error. Please try again.' : 'Rate exceeded')));
        return;
      }
    }

    try {
      // AssumeRoleWithWebIdentity is the one unsigned action: the OIDC token is the credential.
      if (params.Action === 'AssumeRoleWithWebIdentity' && !req.headers.authorization) {
        finish(200, this.#assumeRoleWithWebIdentity(params, requestId));
        return;
      }
      const principal = await this.#authenticate(req, path, rawQuery, body, rec);
      rec.callerArn = principal.arn;
      finish(200, this.#dispatch(params, principal, requestId));
    } catch (e) {
      fail(e instanceof StsError ? e : new StsError(500, 'InternalFailure', String((e as Error)?.message ?? e)));
    }
  }

  async #authenticate(req: http.IncomingMessage, path: string, rawQuery: string, body: Buffer, rec: RecordedRequest): Promise<Principal> {
    const header = (name: string) => req.headersDistinct[name]?.join(',');
    const auth = header('authorization');
    if (!auth) throw new StsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const m = /^(\S+)\s+(.*)$/.exec(auth);
    if (!m || m[1] !== 'AWS4-HMAC-SHA256') throw incomplete(`Unsupported AWS 'algorithm': '${m?.[1] ?? auth}'`);
    const fields: Record<string, string> = {};
    for (const part of m[2].split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter(k => !fields[k]);
    if (missing.length) throw incomplete(missing.map(k => `Authorization header requires '${k}' parameter.`).join(' ') + ` Authorization=${auth}`);
    const scope = fields.Credential.split('/');
    if (scope.length !== 5) throw incomplete(`Credential should be scoped to a valid region. '${fields.Credential}'`);
    const [accessKeyId, scopeDate, region, service, terminator] = scope;
    rec.accessKeyId = accessKeyId;
    rec.region = region;

    // Key lookup comes first, as in AWS: an unknown key is reported as such even if the signature is also wrong.
    const user = this.#users.get(accessKeyId);
    const session = this.#sessions.get(accessKeyId);
    if (!user && !session) throw new StsError(403, 'InvalidClientTokenId', MSG.invalidToken);
    const token = header('x-amz-security-token');
    if (session ? token !== session.sessionToken : token !== undefined) throw new StsError(403, 'InvalidClientTokenId', MSG.invalidToken);

    if (service !== 'sts') throw badSignature(`Credential should be scoped to correct service: 'sts'. `);
    if (terminator !== 'aws4_request') throw badSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `);
    const xAmzDate = header('x-amz-date');
    const dm = xAmzDate && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xAmzDate);
    if (!dm) throw incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${auth}`);
    const signedAt = Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +dm[4], +dm[5], +dm[6]);
    if (scopeDate !== xAmzDate.slice(0, 8)) {
      throw badSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${xAmzDate.slice(0, 8)}', from '${xAmzDate}'.`);
    }
    const now = this.#now();
    if (signedAt < now - MAX_SKEW_MS) throw badSignature(`Signature expired: ${xAmzDate} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 5 min.)`);
    if (signedAt > now + MAX_SKEW_MS) throw badSignature(`Signature not yet current: ${xAmzDate} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 5 min.)`);

    const signedHeaders = fields.SignedHeaders.split(';');
    if (!signedHeaders.includes('host')) throw incomplete(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const v = header(name);
      if (v === undefined) throw badSignature();
      headers[name] = v;
    }
    // smithy trusts x-amz-content-sha256 as the payload hash, so make sure it really describes the body.
    const claimedHash = headers['x-amz-content-sha256'];
    if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(body).digest('hex')) throw badSignature();

    const signer = new SignatureV4({
      credentials: {
        accessKeyId,
        secretAccessKey: (session ?? user)!.secretAccessKey,
        // Only hand the token to the signer when the client signed it; otherwise smithy would add it to the canonical headers.
        sessionToken: signedHeaders.includes('x-amz-security-token') ? token : undefined,
      },
      region,
      service: 'sts',
      sha256: Sha256,
      applyChecksum: false,
    });
    type SignableRequest = Parameters<SignatureV4['presign']>[0];
    const toSign: SignableRequest = {
      method: req.method ?? 'GET', protocol: 'http:', hostname: headers.host ?? '', path,
      query: parseQueryMulti(rawQuery), headers, body: body.length ? body : undefined,
    };
    const signed = await signer.sign(toSign, { signingDate: new Date(signedAt), signableHeaders: new Set(signedHeaders) });
    const expected = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization ?? '')?.[1] ?? '';
    const given = fields.Signature.toLowerCase();
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) throw badSignature();

    if (session) {
      if (now >= session.expiresAt) throw new StsError(403, 'ExpiredToken', MSG.expiredToken);
      return session.principal;
    }
    const u = user!;
    const isRoot = u.arn.endsWith(':root');
    return { arn: u.arn, trustArn: u.arn, userId: isRoot ? accountOf(u.arn) : uniqueId('AIDA', u.arn), account: accountOf(u.arn), kind: 'user', userArn: u.arn, mfa: false };
  }

  #dispatch(p: Record<string, string>, caller: Principal, requestId: string): string {
    const version = p.Version ?? API_VERSION;
    const wrap = (action: string, ...result: string[]) =>
      `<${action}Response xmlns="${STS_XMLNS}">${node(`${action}Result`, ...result)}${node('ResponseMetadata', leaf('RequestId', requestId))}</${action}Response>\n`;
    if (p.Action === undefined || p.Action === '') throw new StsError(400, 'MissingAction', 'The request is missing an action or a required parameter.');
    if (version !== API_VERSION) throw new StsError(400, 'InvalidAction', `Could not find operation ${p.Action} for version ${version}`);
    switch (p.Action) {
      case 'GetCallerIdentity':
        return wrap('GetCallerIdentity', leaf('Arn', caller.arn), leaf('UserId', caller.userId), leaf('Account', caller.account));
      case 'AssumeRole': {
        const s = this.#assumeRole(p, caller);
        return wrap('AssumeRole',
          node('AssumedRoleUser', leaf('Arn', s.principal.arn), leaf('AssumedRoleId', s.principal.userId)),
          credentialsXml(s),
          ...(p.Policy !== undefined || p['PolicyArns.member.1.arn'] !== undefined ? [leaf('PackedPolicySize', packedPolicySize(p))] : []));
      }
      case 'GetSessionToken':
        return wrap('GetSessionToken', credentialsXml(this.#getSessionToken(p, caller)));
      default:
        throw new StsError(400, 'InvalidAction', `Could not find operation ${p.Action} for version ${version}`);
    }
  }

  #assumeRole(p: Record<string, string>, caller: Principal): Session {
    const v = new Validator();
    v.check('roleArn', p.RoleArn, { required: true, min: 20, max: 2048 });
    v.check('roleSessionName', p.RoleSessionName, { required: true, min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: '[\\w+=,.@-]*' });
    const requested = v.int('durationSeconds', p.DurationSeconds, 900, 43200);
    v.check('externalId', p.ExternalId, { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/, patternText: '[\\w+=,.@:\\/-]*' });
    this.#validateMfaParams(v, p);
    v.throwIfAny();
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(p.RoleArn)) throw new StsError(400, 'ValidationError', `${p.RoleArn} is invalid`);

    // The one-time code is checked before the trust policy is evaluated, so a wrong code fails even for a trusted caller.
    const mfa = this.#verifyMfaIfGiven(p, caller) || caller.mfa;
    const role = this.#roles.get(p.RoleArn);
    const denied = () => accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`);
    if (!role || !trusts(role, caller)) throw denied();
    if (role.externalId !== undefined && p.ExternalId !== role.externalId) throw denied();
    if (role.requireMfa && !mfa) throw denied();

    const duration = requested ?? 3600;
    // AWS treats any temporary credentials (role sessions and GetSessionToken sessions alike) as role chaining.
    if (caller.kind !== 'user' && duration > CHAINED_MAX_SECONDS) throw new StsError(400, 'ValidationError', MSG.chaining);
    if (duration > (role.maxSessionDuration ?? 3600)) throw new StsError(400, 'ValidationError', MSG.overRoleMax);

    const account = accountOf(role.arn);
    const sessionName = p.RoleSessionName;
    return this.#issue('AssumeRole', duration, caller.kind !== 'user', {
      arn: `arn:aws:sts::${account}:assumed-role/${lastSegment(role.arn)}/${sessionName}`,
      trustArn: role.arn,
      userId: `${uniqueId('AROA', role.arn)}:${sessionName}`,
      account,
      kind: 'role-session',
      mfa,
    });
  }

  #assumeRoleWithWebIdentity(p: Record<string, string>, requestId: string): string {
    const v = new Validator();
    v.check('roleArn', p.RoleArn, { required: true, min: 20, max: 2048 });
    v.check('roleSessionName', p.RoleSessionName, { required: true, min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: '[\w+=,.@-]*' });
    v.check('webIdentityToken', p.WebIdentityToken, { required: true, min: 4, max: 20000 });
    const requested = v.int('durationSeconds', p.DurationSeconds, 900, 43200);
    v.throwIfAny();
    const role = this.#roles.get(p.RoleArn);
    if (!role?.webIdentityTokens?.length) throw accessDenied('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    if (!role.webIdentityTokens.includes(p.WebIdentityToken)) throw new StsError(400, 'InvalidIdentityToken', 'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.');
    const duration = requested ?? 3600;
    if (duration > (role.maxSessionDuration ?? 3600)) throw new StsError(400, 'ValidationError', MSG.overRoleMax);
    const s = this.issueRoleSession(role.arn, p.RoleSessionName, duration);
    const session = this.#sessions.get(s.accessKeyId) as Session;
    return `<AssumeRoleWithWebIdentityResponse xmlns="${STS_XMLNS}">${node('AssumeRoleWithWebIdentityResult',
      leaf('SubjectFromWebIdentityToken', 'fake-subject'),
      leaf('Audience', 'sts.amazonaws.com'),
      node('AssumedRoleUser', leaf('Arn', session.principal.arn), leaf('AssumedRoleId', session.principal.userId)),
      credentialsXml(session),
      leaf('Provider', 'fake-oidc'))}${node('ResponseMetadata', leaf('RequestId', requestId))}</AssumeRoleWithWebIdentityResponse>\n`;
  }

  /**
   * Role credentials handed out by another AWS service (IAM Identity Center, instance metadata,
   * the ECS agent): STS accepts them afterwards like any role session, including the chaining limit.
   */
  issueRoleSession(roleArn: string, sessionName: string, durationSeconds = 3600): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAt: number; arn: string } {
    const account = accountOf(roleArn);
    const s = this.#issue('AssumeRole', durationSeconds, false, {
      arn: `arn:aws:sts::${account}:assumed-role/${lastSegment(roleArn)}/${sessionName}`,
      trustArn: roleArn,
      userId: `${uniqueId('AROA', roleArn)}:${sessionName}`,
      account,
      kind: 'role-session',
      mfa: false,
    });
    return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiresAt: s.expiresAt, arn: s.principal.arn };
  }

  #getSessionToken(p: Record<string, string>, caller: Principal): Session {
    if (caller.kind !== 'user') throw accessDenied(MSG.gstWithSession);
    const v = new Validator();
    const requested = v.int('durationSeconds', p.DurationSeconds, 900, 129600);
    this.#validateMfaParams(v, p);
    v.throwIfAny();
    const mfa = this.#verifyMfaIfGiven(p, caller);
    // Root sessions are silently capped at one hour rather than rejected.
    const duration = caller.arn.endsWith(':root') ? Math.min(requested ?? 3600, 3600) : requested ?? 43200;
    // GetCallerIdentity with these credentials reports the IAM user itself, not a federated user.
    return this.#issue('GetSessionToken', duration, false, { ...caller, kind: 'user-session', mfa });
  }

  #validateMfaParams(v: Validator, p: Record<string, string>): void {
    v.check('serialNumber', p.SerialNumber, { min: 9, max: 256, pattern: /^[\w+=/:,.@-]*$/, patternText: '[\\w+=/:,.@-]*' });
    v.check('tokenCode', p.TokenCode, { min: 6, max: 6, pattern: /^\d*$/, patternText: '[\\d]*' });
  }

  /** True when a valid SerialNumber+TokenCode was supplied; throws AccessDenied when one was supplied but is wrong. */
  #verifyMfaIfGiven(p: Record<string, string>, caller: Principal): boolean {
    if (p.SerialNumber === undefined && p.TokenCode === undefined) return false;
    const device = p.SerialNumber === undefined ? undefined : this.#mfa.get(p.SerialNumber);
    if (!device || p.TokenCode === undefined || caller.userArn === undefined || device.userArn !== caller.userArn) throw accessDenied(MSG.mfaBadSerial);
    if (p.TokenCode !== device.code) throw accessDenied(MSG.mfaBadCode);
    const now = this.#now();
    const last = this.#mfaLastUse.get(device.serial);
    // A TOTP code is good for one use; a second use inside the 30 s step is refused like a wrong code.
    if (last && last.code === p.TokenCode && now - last.at < MFA_REUSE_MS) throw accessDenied(MSG.mfaBadCode);
    this.#mfaLastUse.set(device.serial, { code: p.TokenCode, at: now });
    return true;
  }

  #issue(kind: Session['kind'], durationSeconds: number, chained: boolean, principal: Principal): Session {
    const accessKeyId = `ASIA${randomAlnum(16)}`;
    const session: Session = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      // Real tokens are opaque, variable-length and often >400 chars; clients must not assume a size.
      sessionToken: `FwoGZXIvYXdzE${randomBytes(300).toString('base64')}`,
      expiresAt: this.#now() + Math.min(durationSeconds, this.#maxIssuedSeconds ?? Infinity) * 1000,
      kind,
      principal,
      chained,
    };
    this.#sessions.set(accessKeyId, session);
    return session;
  }
}

function trusts(role: FakeRole, caller: Principal): boolean {
  return role.trustedPrincipals.some(t => t === '*' || t === caller.trustArn || t === `arn:aws:iam::${caller.account}:root`);
}

function credentialsXml(s: Session): string {
  return node('Credentials',
    leaf('AccessKeyId', s.accessKeyId),
    leaf('SecretAccessKey', s.secretAccessKey),
    leaf('SessionToken', s.sessionToken),
    leaf('Expiration', isoSeconds(s.expiresAt)));
}

/** Percentage of the allowed packed size; only the presence and rough magnitude matter to clients. */
function packedPolicySize(p: Record<string, string>): number {
  const arns = Object.keys(p).filter(k => /^PolicyArns\.member\.\d+\.arn$/.test(k)).length;
  return Math.min(100, Math.ceil(((p.Policy?.length ?? 0) / 2048) * 100) + arns * 5);
}

function errorXml(e: StsError, requestId: string): string {
  return `<ErrorResponse xmlns="${STS_XMLNS}">${node('Error', leaf('Type', e.status >= 500 ? 'Receiver' : 'Sender'), leaf('Code', e.code), leaf('Message', e.message))}${leaf('RequestId', requestId)}</ErrorResponse>\n`;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) { reject(new StsError(413, 'RequestEntityTooLarge', 'Request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function main(argv: string[]): Promise<void> {
  let port = 0;
  let fixture: string | undefined;
  let log = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') port = Number(argv[++i]);
    else if (a === '--fixture') fixture = argv[++i];
    else if (a === '--log') log = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!fixture || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error('usage: node loopbackSts.js --fixture path.json [--port N] [--log]');
  }
  const opts = JSON.parse(fs.readFileSync(fixture, 'utf8')) as LoopbackStsOptions;
  const sts = new LoopbackSts({ users: opts.users ?? [], roles: opts.roles ?? [], mfaDevices: opts.mfaDevices ?? [] });
  if (log) sts.onRequest = r => process.stderr.write(JSON.stringify(r) + '\n');
  const addr = await sts.start(port);
  process.stdout.write(JSON.stringify(addr) + '\n');
  const shutdown = () => { void sts.stop().then(() => process.exit(0)); };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch(e => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  });
}
