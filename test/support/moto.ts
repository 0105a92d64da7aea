/**
 * Runs moto's standalone server (`moto_server`, moto 5.2.1) as a second,
 * independent STS endpoint for tests, with IAM authentication ENFORCED.
 *
 * How moto's auth works (moto/core/authorization.py, moto/iam/access_control.py):
 *  - Auth is off unless INITIAL_NO_AUTH_ACTION_COUNT is set. When it is N, the
 *    first N service requests are let through unchecked (a process-wide
 *    counter); every later request is checked.
 *  - A checked request must carry a SigV4 `Authorization` header. The access
 *    key must belong to an IAM user (AKIA...) or to a role session moto's STS
 *    issued (then X-Amz-Security-Token must equal that session's token);
 *    otherwise -> 403 InvalidClientTokenId. The signature is recomputed with
 *    botocore from the signed headers + body; a mismatch -> 403
 *    SignatureDoesNotMatch. X-Amz-Date skew and credential expiry are NOT
 *    checked.
 *  - Identity policies (user inline/attached/group policies, or the role's
 *    policies for a role session) must Allow the action, with an explicit Deny
 *    winning -> else 403 AccessDenied. sts:GetCallerIdentity is always allowed
 *    (only the signature/key is checked).
 *  - For sts:AssumeRole on a role that exists, the role's trust policy is
 *    checked too: a statement allowing sts:AssumeRole whose Principal.AWS is
 *    "*" or equals (or, for a string, contains) the caller's exact ARN.
 *    An account-root principal (arn:aws:iam::ACCOUNT:root) does NOT match a
 *    user, unlike real AWS. If the role does not exist, moto skips the trust
 *    check and STS happily issues credentials for it (identity policy allowing).
 *
 * The setup below is done with our own SigV4-signed Query-protocol IAM calls
 * (@smithy/signature-v4), exactly SETUP_REQUESTS of them, and
 * INITIAL_NO_AUTH_ACTION_COUNT is set to that number, so every request after
 * setup is authenticated. Startup then self-checks that an unknown key is
 * rejected, so a miscount fails loudly instead of silently disabling auth.
 */
import { spawn, ChildProcess } from 'child_process';
import * as net from 'net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface MotoSts {
  /** e.g. http://127.0.0.1:PORT — use as the SDK `endpoint` (region us-east-1). */
  url: string;
  port: number;
  /** IAM user `alice`, allowed sts:AssumeRole on `role` and sts:GetCallerIdentity. */
  user: { arn: string; accessKeyId: string; secretAccessKey: string };
  /** Role `MotoAdmin`, whose trust policy names alice's ARN. */
  role: { arn: string; name: string };
  /**
   * Role `MotoUntrusted`: alice's identity policy allows sts:AssumeRole on it,
   * but its trust policy names a different principal, so moto must refuse.
   */
  untrustedRole: { arn: string; name: string };
  /** Moto's account id (default 123456789012). */
  accountId: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const REGION = 'us-east-1';
const USER_NAME = 'alice';
const ROLE_NAME = 'MotoAdmin';
const UNTRUSTED_ROLE_NAME = 'MotoUntrusted';
const POLICY_NAME = 'AliceMayAssumeRoles';
/** CreateUser, CreateAccessKey, CreateRole x2, CreatePolicy, AttachUserPolicy. */
const SETUP_REQUESTS = 6;
const START_TIMEOUT_MS = 20_000;
/** Setup requests are not checked, but moto routes by the SigV4 credential scope. */
const SETUP_CREDENTIALS = { accessKeyId: 'AKIASETUPSETUPSETUP0', secretAccessKey: 'setup-not-checked' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const port = addr.port;
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&');
}

function xmlField(xml: string, tag: string, what: string): string {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!m) {
    throw new Error(`moto ${what}: no <${tag}> in response: ${xml.slice(0, 500)}`);
  }
  return xmlUnescape(m[1]);
}

interface QueryResult {
  status: number;
  body: string;
}

/** One SigV4-signed Query-protocol POST to moto. */
export async function signedQuery(
  port: number,
  service: 'iam' | 'sts',
  params: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<QueryResult> {
  const body = new URLSearchParams(params).toString();
  const signer = new SignatureV4({ credentials, region: REGION, service, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: HOST,
    port,
    path: '/',
    query: {},
    headers: {
      host: `${HOST}:${port}`,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body,
  });
  const res = await fetch(`http://${HOST}:${port}/`, {
    method: 'POST',
    headers: signed.headers,
    body,
  });
  return { status: res.status, body: await res.text() };
}

async function iam(port: number, action: string, params: Record<string, string>): Promise<string> {
  const r = await signedQuery(port, 'iam', { Action: action, Version: '2010-05-08', ...params }, SETUP_CREDENTIALS);
  if (r.status !== 200) {
    throw new Error(`moto IAM ${action} failed: HTTP ${r.status}: ${r.body.slice(0, 1000)}`);
  }
  return r.body;
}

function trustPolicy(principalArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' }],
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // group already gone
  }
}

interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<void>;
  isExited: () => boolean;
  exitDescription: () => string;
}

function spawnMoto(port: number): Spawned {
  const env: NodeJS.ProcessEnv = { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(SETUP_REQUESTS) };
  // These would change which account moto uses / how it behaves; keep the server self-contained.
  delete env.MOTO_ACCOUNT_ID;
  delete env.TEST_SERVER_MODE;
  delete env.MOTO_CALL_RESET_API;
  const bin = process.env.MOTO_SERVER_BIN || 'moto_server';
  const child = spawn(bin, ['-H', HOST, '-p', String(port)], {
    env,
    detached: true, // own process group, so stop() can kill the whole tree
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let exitInfo: string | undefined;
  child.stdout?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 100_000) {
      stderr = stderr.slice(-50_000);
    }
  });
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      exitInfo = `failed to spawn ${bin}: ${err.message}`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitInfo = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });
  return {
    child,
    stderr: () => stderr,
    exited,
    isExited: () => exitInfo !== undefined,
    exitDescription: () => exitInfo ?? 'running',
  };
}

async function waitUntilUp(port: number, p: Spawned): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  // /moto-api/* is not a service request, so it does not consume the no-auth budget.
  for (;;) {
    if (p.isExited()) {
      throw new Error(`moto_server ${p.exitDescription()} before answering.\nstderr:\n${p.stderr()}`);
    }
    try {
      const res = await fetch(`http://${HOST}:${port}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`moto_server did not answer within ${START_TIMEOUT_MS} ms.\nstderr:\n${p.stderr()}`);
    }
    await sleep(50);
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  // Last resort against orphans if a test run ends without calling stop().
  process.once('exit', () => {
    for (const child of running) {
      killGroup(child, 'SIGKILL');
    }
  });
}

/**
 * Starts moto_server on a free loopback port, creates alice / her access key /
 * her policy / MotoAdmin (+ MotoUntrusted), and returns once every subsequent
 * request is authenticated. Typically ~1.5-2.5 s.
 */
export async function startMotoSts(): Promise<MotoSts> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const p = spawnMoto(port);
    running.add(p.child);
    installExitHook();
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      if (!stopped) {
        stopped = (async () => {
          if (!p.isExited()) {
            killGroup(p.child, 'SIGTERM');
            const timer = setTimeout(() => killGroup(p.child, 'SIGKILL'), 3000);
            await p.exited;
            clearTimeout(timer);
          }
          // The leader may be gone while other group members linger.
          killGroup(p.child, 'SIGKILL');
          running.delete(p.child);
        })();
      }
      return stopped;
    };
    try {
      await waitUntilUp(port, p);
      const setup = await setUp(port);
      return { url: `http://${HOST}:${port}`, port, ...setup, stop };
    } catch (e) {
      await stop();
      lastError = e instanceof Error ? e : new Error(String(e));
      if (/address already in use/i.test(p.stderr())) {
        continue; // lost the race for the port; try another
      }
      if (!/stderr:/.test(lastError.message)) {
        lastError.message += `\nmoto_server stderr:\n${p.stderr()}`;
      }
      throw lastError;
    }
  }
  throw lastError ?? new Error('moto_server could not be started');
}

async function setUp(port: number): Promise<Omit<MotoSts, 'url' | 'port' | 'stop'>> {
  // --- exactly SETUP_REQUESTS service requests, all inside the no-auth window ---
  const userXml = await iam(port, 'CreateUser', { UserName: USER_NAME }); // 1
  const userArn = xmlField(userXml, 'Arn', 'CreateUser');
  const accountId = userArn.split(':')[4];

  const keyXml = await iam(port, 'CreateAccessKey', { UserName: USER_NAME }); // 2
  const accessKeyId = xmlField(keyXml, 'AccessKeyId', 'CreateAccessKey');
  const secretAccessKey = xmlField(keyXml, 'SecretAccessKey', 'CreateAccessKey');

  const roleXml = await iam(port, 'CreateRole', {
    // 3
    RoleName: ROLE_NAME,
    AssumeRolePolicyDocument: trustPolicy(userArn),
  });
  const roleArn = xmlField(roleXml, 'Arn', 'CreateRole');

  const untrustedXml = await iam(port, 'CreateRole', {
    // 4
    RoleName: UNTRUSTED_ROLE_NAME,
    AssumeRolePolicyDocument: trustPolicy(`arn:aws:iam::${accountId}:user/bob`),
  });
  const untrustedArn = xmlField(untrustedXml, 'Arn', 'CreateRole');

  const policyXml = await iam(port, 'CreatePolicy', {
    // 5
    PolicyName: POLICY_NAME,
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [roleArn, untrustedArn] },
        { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
      ],
    }),
  });
  const policyArn = xmlField(policyXml, 'Arn', 'CreatePolicy');

  await iam(port, 'AttachUserPolicy', { UserName: USER_NAME, PolicyArn: policyArn }); // 6
  // --- from here on moto authenticates every request ---

  // Self-check: an unknown key must now be refused. This cannot eat into the
  // budget: if the count were wrong this request would succeed and we throw.
  const probe = await signedQuery(port, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' }, {
    accessKeyId: 'AKIAUNKNOWNUNKNOWN00',
    secretAccessKey: 'nope',
  });
  if (probe.status !== 403 || !probe.body.includes('InvalidClientTokenId')) {
    throw new Error(
      `moto is not enforcing authentication after ${SETUP_REQUESTS} setup requests ` +
        `(unknown key got HTTP ${probe.status}: ${probe.body.slice(0, 300)})`,
    );
  }

  return {
    accountId,
    user: { arn: userArn, accessKeyId, secretAccessKey },
    role: { arn: roleArn, name: ROLE_NAME },
    untrustedRole: { arn: untrustedArn, name: UNTRUSTED_ROLE_NAME },
  };
}
