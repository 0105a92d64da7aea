/**
 * The tools nobody here wrote that test/conformance checks our behaviour against, where the
 * tests find them, and what to do when one is missing. Each conformance suite calls the
 * require* function it needs in its first before() hook: a missing tool fails that suite with
 * a message naming the tool and how to install it, never a silent skip. The integration
 * runners (test/integration/run.ts, runDesktop.ts) check theirs before starting VS Code.
 * `bash scripts/install-test-deps.sh` installs all of them (Debian packages and pyenv's Python).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findCliV1, type CliCommand } from './awsCliV1';

/** Debian's awscli package: the AWS CLI v2 (2.9) with its own botocore. */
export const AWS_CLI_V2 = '/usr/bin/aws';
/** The Python of Debian's awscli package, which imports that botocore as `awscli.botocore`. */
export const BOTOCORE_V2_PYTHON = '/usr/bin/python3';

const INSTALL_ALL = 'bash scripts/install-test-deps.sh installs every tool the conformance and integration tests need';

export class MissingToolError extends Error {
  constructor(tool: string, problem: string, install: string) {
    super(`Missing test tool: ${tool}. ${problem}\nInstall it with: ${install}\n(${INSTALL_ALL}.)`);
    this.name = 'MissingToolError';
  }
}

/** The AWS CLI v1 (awscli 1.x) of the machine's Python: it sends AssumeRole to AWS_ENDPOINT_URL_STS, which v2.9 does not. */
export function requireAwsCliV1(): CliCommand {
  try {
    return findCliV1();
  } catch (e) {
    throw new MissingToolError('the AWS CLI v1 (awscli 1.x in pyenv\'s Python)', (e as Error).message, 'python3 -m pip install "awscli>=1.45,<2" (in pyenv\'s Python, then pyenv rehash)');
  }
}

/** The Debian AWS CLI v2 at /usr/bin/aws (an `aws` on PATH may be pip's v1, so never that). */
export function requireAwsCliV2(): string {
  const res = spawnSync(AWS_CLI_V2, ['--version'], { encoding: 'utf8' });
  const version = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
  if (res.error || res.status !== 0 || !/^aws-cli\/2\./.test(version)) {
    throw new MissingToolError(`the AWS CLI v2 at ${AWS_CLI_V2}`, res.error ? res.error.message : `${AWS_CLI_V2} --version printed "${version}"`, 'sudo apt-get install awscli');
  }
  return AWS_CLI_V2;
}

/** The botocore inside Debian's AWS CLI v2, the code behind `aws configure list-profiles`. */
export function requireBotocoreV2(): string {
  const res = spawnSync(BOTOCORE_V2_PYTHON, ['-c', 'import awscli.botocore'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new MissingToolError(`the AWS CLI v2's botocore (${BOTOCORE_V2_PYTHON} -c "import awscli.botocore")`, res.error ? res.error.message : (res.stderr ?? '').trim(), 'sudo apt-get install awscli');
  }
  return BOTOCORE_V2_PYTHON;
}

/** moto's standalone server: MOTO_SERVER_BIN, else `moto_server` on PATH (pyenv's shim). */
export function requireMotoServer(): string {
  const bin = process.env.MOTO_SERVER_BIN || onPath('moto_server');
  if (!bin) {
    throw new MissingToolError('moto_server (moto[server] 5.2.x)', `No moto_server on PATH (${process.env.PATH ?? ''}) and MOTO_SERVER_BIN is not set.`, 'python3 -m pip install "moto[server]==5.2.1" (in pyenv\'s Python, then pyenv rehash)');
  }
  return bin;
}

/** A python3 on PATH, to compute what botocore computes (json + hashlib, nothing else). */
export function requirePython3(): string {
  const res = spawnSync('python3', ['-c', 'import hashlib, json'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new MissingToolError('python3 on PATH', res.error ? res.error.message : (res.stderr ?? '').trim(), 'sudo apt-get install python3 (or pyenv install)');
  }
  return 'python3';
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
