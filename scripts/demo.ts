// `npm run demo`: the extension in a real VS Code (code-server) with a sandbox AWS config, the
// local test STS and a stand-in for the console federation endpoint, so anyone can try it without
// an AWS account. Prints the URL to open. `--check` (npm run demo:check) starts the same demo,
// drives it from inside the extension host (scripts/demoCheck.ts), and exits 0 when it works.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findCliV1 } from '../test/support/awsCliV1';
import { FakeFederation } from '../test/support/fakeFederation';
import { LoopbackSts } from '../test/support/loopbackSts';
import { runSuiteInCodeServer, startCodeServer } from '../test/harness/codeServer';

const repoRoot = path.resolve(__dirname, '..', '..');
// Outside the repository: a workspace inside it makes VS Code offer the repository's git on every load.
const sandbox = path.join(os.tmpdir(), 'aws-role-switcher-demo');

// Demo-only keys, valid nowhere but the local STS started here.
const demoUser = { arn: 'arn:aws:iam::111111111111:user/demo', accessKeyId: 'AKIADEMOEXAMPLE00001', secretAccessKey: 'demo-only-secret-not-an-aws-key-000000001' };
const MFA_CODE = '123456';
/** A role the demo's config does not name yet: AWS: Add Role Profile adds it (source profile `demo`). */
const DEMO_ADDABLE_ROLE = 'arn:aws:iam::666666666666:role/Sandbox';

function demoConfig(stsUrl: string): string {
  return `# Sandbox config for the demo; the STS at ${stsUrl} only exists while the demo runs.
[services local-sts]
sts =
  endpoint_url = ${stsUrl}

[profile demo]
region = eu-west-1
services = local-sts

[profile dev]
role_arn = arn:aws:iam::222222222222:role/Developer
source_profile = demo
region = eu-west-1
services = local-sts

[profile dev-readonly]
role_arn = arn:aws:iam::222222222222:role/ReadOnly
source_profile = demo
services = local-sts

[profile prod-admin]
role_arn = arn:aws:iam::333333333333:role/ProdAdmin
source_profile = demo
mfa_serial = arn:aws:iam::111111111111:mfa/demo
region = us-east-1
services = local-sts

[profile deploy]
role_arn = arn:aws:iam::444444444444:role/Deploy
source_profile = dev
duration_seconds = 1800
services = local-sts

[profile no-trust]
role_arn = arn:aws:iam::555555555555:role/NoTrust
source_profile = demo
services = local-sts
`;
}

async function main(check: boolean): Promise<number> {
  const sts = new LoopbackSts({
    users: [demoUser],
    roles: [
      { arn: 'arn:aws:iam::222222222222:role/Developer', trustedPrincipals: [demoUser.arn] },
      { arn: 'arn:aws:iam::222222222222:role/ReadOnly', trustedPrincipals: [demoUser.arn] },
      { arn: 'arn:aws:iam::333333333333:role/ProdAdmin', trustedPrincipals: [demoUser.arn], requireMfa: true },
      { arn: 'arn:aws:iam::444444444444:role/Deploy', trustedPrincipals: ['arn:aws:iam::222222222222:role/Developer'] },
      { arn: 'arn:aws:iam::555555555555:role/NoTrust', trustedPrincipals: [] },
      { arn: DEMO_ADDABLE_ROLE, trustedPrincipals: [demoUser.arn] },
    ],
    mfaDevices: [{ serial: 'arn:aws:iam::111111111111:mfa/demo', userArn: demoUser.arn, code: MFA_CODE }],
  });
  const { url: stsUrl } = await sts.start(Number(process.env.DEMO_STS_PORT ?? 0));
  const federation = new FakeFederation(sts);
  const federationUrl = await federation.start();

  const home = path.join(sandbox, 'home');
  const workspace = path.join(sandbox, 'workspace');
  await fs.mkdir(path.join(home, '.aws'), { recursive: true });
  await fs.mkdir(workspace, { recursive: true });
  // Fresh files each run: the STS port changes, and what a previous run added goes.
  await fs.writeFile(path.join(home, '.aws', 'config'), demoConfig(stsUrl));
  await fs.writeFile(path.join(home, '.aws', 'credentials'), `[demo]\naws_access_key_id = ${demoUser.accessKeyId}\naws_secret_access_key = ${demoUser.secretAccessKey}\n`, { mode: 0o600 });

  const options = {
    extensionDevelopmentPath: repoRoot,
    workspace,
    env: {
      HOME: home,
      SHELL: '/bin/bash',
      AWS_CONFIG_FILE: path.join(home, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
      // The extension calls the local STS for every profile, also those AWS: Add Role Profile
      // writes without an endpoint; terminals do not inherit it (below), they get the profile's own.
      AWS_ENDPOINT_URL_STS: stsUrl,
    },
    userSettings: {
      'awsRoles.console.federationEndpoint': federationUrl,
      'terminal.integrated.env.linux': { AWS_ENDPOINT_URL_STS: null },
    },
  };

  if (check) {
    const cliV1 = (() => {
      try {
        const c = findCliV1();
        return JSON.stringify({ file: c.file, args: c.args });
      } catch {
        return undefined;
      }
    })();
    const { exitCode } = await runSuiteInCodeServer({
      ...options,
      env: { ...options.env, DEMO_CHECK_ADDABLE_ROLE: DEMO_ADDABLE_ROLE, ...(cliV1 ? { TEST_AWS_CLI_V1_COMMAND: cliV1 } : {}) },
      extensionTestsPath: path.join(repoRoot, 'out', 'scripts', 'demoCheck.js'),
      timeoutMs: 180_000,
      onLog: (line) => process.stdout.write(`${line}\n`),
    });
    // The browser the harness drives opened the console URL: the stand-in saw a valid sign-in.
    const signedIn = federation.requests.some((r) => r.action === 'login' && r.signinTokenValid);
    const tokens = federation.requests.filter((r) => r.action === 'getSigninToken' && r.status === 200).length;
    console.log(`federation stand-in: ${tokens} sign-in token(s) issued, console login ${signedIn ? 'reached with a valid token' : 'not reached'}`);
    await federation.stop();
    await sts.stop();
    const ok = exitCode === 0 && tokens > 0;
    console.log(ok ? 'demo check: passed' : `demo check: FAILED (exit ${exitCode})`);
    return ok ? 0 : 1;
  }

  const server = await startCodeServer({ ...options, testHooks: false });
  console.log(`
AWS Role Switcher demo is running.

  Open:      ${server.url()}
  Local STS: ${stsUrl}   (MFA code for prod-admin: ${MFA_CODE})
  Console:   Open Console as Role signs in to a local stand-in at ${federationUrl}
  Try:       F1 > "AWS: Assume Role" > dev, then open a terminal and run
             aws sts get-caller-identity
             (the terminal gets the profile's STS endpoint as AWS_ENDPOINT_URL_STS, which the
             AWS CLI honours from v1.29 / v2.13; an older one needs --endpoint-url ${stsUrl})
  Add:       F1 > "AWS: Add Role Profile" > ${DEMO_ADDABLE_ROLE}, source demo > Assume Now

Press Ctrl+C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
  await federation.stop();
  await sts.stop();
  return 0;
}

main(process.argv.includes('--check')).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
