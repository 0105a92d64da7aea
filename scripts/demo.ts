// `npm run demo`: the extension in a real VS Code (code-server) with a sandbox AWS config and
// the local test STS, so anyone can try it without an AWS account. Prints the URL to open.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LoopbackSts } from '../test/support/loopbackSts';
import { startCodeServer } from '../test/harness/codeServer';

const repoRoot = path.resolve(__dirname, '..', '..');
const sandbox = path.join(repoRoot, '.cache', 'demo');

// Demo-only keys, valid nowhere but the local STS started here.
const demoUser = { arn: 'arn:aws:iam::111111111111:user/demo', accessKeyId: 'AKIADEMOEXAMPLE00001', secretAccessKey: 'demo-only-secret-not-an-aws-key-000000001' };
const MFA_CODE = '123456';

async function main(): Promise<void> {
  const sts = new LoopbackSts({
    users: [demoUser],
    roles: [
      { arn: 'arn:aws:iam::222222222222:role/Developer', trustedPrincipals: [demoUser.arn] },
      { arn: 'arn:aws:iam::222222222222:role/ReadOnly', trustedPrincipals: [demoUser.arn] },
      { arn: 'arn:aws:iam::333333333333:role/ProdAdmin', trustedPrincipals: [demoUser.arn], requireMfa: true },
      { arn: 'arn:aws:iam::444444444444:role/Deploy', trustedPrincipals: ['arn:aws:iam::222222222222:role/Developer'] },
      { arn: 'arn:aws:iam::555555555555:role/NoTrust', trustedPrincipals: [] },
    ],
    mfaDevices: [{ serial: 'arn:aws:iam::111111111111:mfa/demo', userArn: demoUser.arn, code: MFA_CODE }],
  });
  const { url: stsUrl } = await sts.start(Number(process.env.DEMO_STS_PORT ?? 0));

  const home = path.join(sandbox, 'home');
  const workspace = path.join(sandbox, 'workspace');
  await fs.mkdir(path.join(home, '.aws'), { recursive: true });
  await fs.mkdir(workspace, { recursive: true });
  await fs.writeFile(
    path.join(home, '.aws', 'config'),
    `# Sandbox config for the demo; the STS at ${stsUrl} only exists while the demo runs.
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
`,
  );
  await fs.writeFile(path.join(home, '.aws', 'credentials'), `[demo]\naws_access_key_id = ${demoUser.accessKeyId}\naws_secret_access_key = ${demoUser.secretAccessKey}\n`, { mode: 0o600 });

  const server = await startCodeServer({
    extensionDevelopmentPath: repoRoot,
    workspace,
    testHooks: false,
    env: { HOME: home, SHELL: '/bin/bash', AWS_CONFIG_FILE: path.join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials') },
  });
  console.log(`
AWS Role Switcher demo is running.

  Open:      ${server.url()}
  Local STS: ${stsUrl}   (MFA code for prod-admin: ${MFA_CODE})
  Try:       F1 > "AWS: Assume Role" > dev, then open a terminal and run
             aws sts get-caller-identity --endpoint-url ${stsUrl}

Press Ctrl+C to stop.`);
  const stop = async () => {
    await server.stop();
    await sts.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
