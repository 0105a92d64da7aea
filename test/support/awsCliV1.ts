// Finds the AWS CLI v1 that comes with the machine's Python (awscli 1.x): unlike the Debian v2.9,
// it honours AWS_ENDPOINT_URL_STS in its own assume-role provider, so it can talk to the test STS.
import { execFileSync } from 'node:child_process';

export interface CliCommand { file: string; args: string[]; version: string }

/** The real awscli 1.x: the pyenv version's own bin/aws, else a python3 that imports awscli. */
export function findCliV1(): CliCommand {
  const candidates: { file: string; args: string[] }[] = [];
  const tried: string[] = [];
  // Handed over by a runner whose PATH has it, to a process whose PATH may not (the extension host).
  if (process.env.TEST_AWS_CLI_V1_COMMAND) candidates.push(JSON.parse(process.env.TEST_AWS_CLI_V1_COMMAND) as { file: string; args: string[] });
  try {
    const bin = execFileSync('pyenv', ['which', 'aws'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (bin) candidates.push({ file: bin, args: [] });
  } catch {
    tried.push('pyenv which aws: failed');
  }
  try {
    const python = execFileSync('python3', ['-c', 'import awscli, sys; print(sys.executable)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (python) candidates.push({ file: python, args: ['-m', 'awscli'] });
  } catch {
    tried.push('python3 -c "import awscli": failed');
  }
  for (const c of candidates) {
    try {
      const out = execFileSync(c.file, [...c.args, '--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
      if (/^aws-cli\/1\./.test(out.trim())) return { ...c, version: out.trim() };
      tried.push(`${[c.file, ...c.args].join(' ')}: ${out.trim()}`);
    } catch (e) {
      tried.push(`${[c.file, ...c.args].join(' ')}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`No AWS CLI v1 (awscli 1.x in the machine's Python) found. Tried: ${tried.join('; ') || 'nothing found'}`);
}

/** The parent's environment without any AWS_* variable, so nothing but the test decides. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return env;
}

