/**
 * What a terminal gets, checked against tools nobody here wrote: the AWS CLI v1 and boto3 (pyenv's
 * Python) answer from the profile's own STS endpoint (AWS_ENDPOINT_URL_STS, no --endpoint-url),
 * with the keys or with the loopback endpoint's address; and a [default] profile with keys of its
 * own wins over the endpoint in both, which is why endpoint mode falls back to keys then and is
 * not the default (README: How terminals get credentials).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialEndpoint } from '../../src/core/delivery/credentialEndpoint';
import { buildSessionEnvironment, profileEndpointEnv } from '../../src/core/delivery/terminalEnvVars';
import type { Session } from '../../src/core/session/session';
import { cleanEnv, findCliV1 } from '../support/awsCliV1';
import { LoopbackSts } from '../support/loopbackSts';
import { issuedRoleSession } from '../support/sessions';

const BOTO3 = 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])';

describe('A terminal\'s environment, as the AWS CLI v1 and boto3 read it', function () {
  this.timeout(60000);
  const alice = { arn: 'arn:aws:iam::111111111111:user/alice', accessKeyId: 'AKIATERMINALALICE001', secretAccessKey: 'terminal-alice-secret-000000000000000001' };
  let sts: LoopbackSts;
  let stsUrl: string;
  let endpoint: CredentialEndpoint;
  let current: Session | undefined;
  let dir: string;
  let cli: { file: string; args: string[] };
  let python: string;

  before(async () => {
    cli = findCliV1();
    // The Python the CLI v1 runs on has botocore; boto3 is installed next to it.
    python = cli.args[0] === '-m' ? cli.file : (await fs.readFile(cli.file, 'utf8')).split('\n')[0].replace(/^#!\s*/, '').trim();
    sts = new LoopbackSts({ users: [alice], roles: [] });
    stsUrl = (await sts.start()).url;
    endpoint = new CredentialEndpoint(() => current);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'terminal-env-'));
    current = issuedRoleSession(sts.issueRoleSession('arn:aws:iam::222222222222:role/Dev', 'me'), { profileName: 'dev' });
  });
  after(async () => {
    await endpoint?.stop();
    await sts?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs a tool with nothing but what the terminal would hold (and the given config files). */
  const run = (file: string, args: string[], vars: Record<string, string | undefined>, config = '/dev/null', credentials = '/dev/null') =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
      for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
      execFile(file, args, { env, encoding: 'utf8', timeout: 30000 }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout: stdout.trim(), stderr }));
    });
  const awsV1 = (vars: Record<string, string | undefined>, config?: string, credentials?: string) => run(cli.file, [...cli.args, 'sts', 'get-caller-identity', '--output', 'text', '--query', 'Arn'], vars, config, credentials);
  const boto3 = (vars: Record<string, string | undefined>, config?: string, credentials?: string) => run(python, ['-c', BOTO3], vars, config, credentials);
  const endpoints = () => profileEndpointEnv({ services: { sts: stsUrl } });

  it('keys mode: the CLI v1 and boto3 call the profile\'s STS with no --endpoint-url', async () => {
    const vars: Record<string, string | undefined> = { ...buildSessionEnvironment(current!), ...endpoints() };
    assert.equal(vars.AWS_ENDPOINT_URL_STS, stsUrl);
    for (const tool of [awsV1, boto3]) {
      const r = await tool(vars);
      assert.equal(r.stdout, 'arn:aws:sts::222222222222:assumed-role/Dev/me', r.stderr);
    }
  });

  it('endpoint mode: both fetch the session from the loopback endpoint, and follow a switch', async () => {
    const url = await endpoint.start();
    const vars = { ...buildSessionEnvironment(current!, { url, token: endpoint.token }), ...endpoints() };
    assert.equal(vars.AWS_ACCESS_KEY_ID, undefined);
    for (const tool of [awsV1, boto3]) assert.match((await tool(vars)).stdout, /assumed-role\/Dev\/me$/);
    current = issuedRoleSession(sts.issueRoleSession('arn:aws:iam::333333333333:role/Deploy', 'me'), { profileName: 'deploy' });
    for (const tool of [awsV1, boto3]) {
      const r = await tool(vars);
      assert.equal(r.stdout, 'arn:aws:sts::333333333333:assumed-role/Deploy/me', r.stderr);
    }
  });

  it('a [default] profile with keys wins over the endpoint (but not over keys in the environment)', async () => {
    const url = await endpoint.start();
    const credentials = path.join(dir, 'credentials');
    await fs.writeFile(credentials, `[default]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
    const viaEndpoint = { ...buildSessionEnvironment(current!, { url, token: endpoint.token }), ...endpoints() };
    for (const tool of [awsV1, boto3]) assert.equal((await tool(viaEndpoint, '/dev/null', credentials)).stdout, alice.arn, 'the [default] keys shadow the endpoint');
    const viaKeys = { ...buildSessionEnvironment(current!), ...endpoints() };
    for (const tool of [awsV1, boto3]) assert.match((await tool(viaKeys, '/dev/null', credentials)).stdout, /assumed-role\/Deploy\/me$/);
  });
});
