/**
 * Reading the shared files as the AWS CLI does. Each case of the corpus (test/support/
 * readingCases.ts) is written to disk and read twice: by our reader (the SDK loader corrected by the INI scanner) and by the Debian AWS
 * CLI v2's own botocore (`/usr/bin/python3` importing `awscli.botocore`, the code behind
 * `aws configure list-profiles`). Every profile the CLI lists must be ours with the same
 * values, and every file the CLI refuses must be refused by us, with a diagnostic at the line.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeTempDir, removeTempDir } from '../support/awsFiles';
import { requireBotocoreV2 } from '../support/externalTools';
import { assertOurReading, readCase, READING_CASES } from '../support/readingCases';

const DUMP = `
import json, sys
from awscli.botocore.session import Session
try:
    c = Session().full_config
except Exception as e:
    print(json.dumps({"refused": type(e).__name__}))
    sys.exit(0)
print(json.dumps({"profiles": c["profiles"], "sso_sessions": c.get("sso_sessions", {}), "services": c.get("services", {})}))
`;

interface CliView {
  refused?: string;
  profiles?: Record<string, Record<string, string | Record<string, string>>>;
  sso_sessions?: Record<string, Record<string, string>>;
  services?: Record<string, Record<string, Record<string, string>>>;
}

/** The CLI's view flattened the way our sections are: nested values as `parent.key`. */
function flatten(values: Record<string, string | Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string') out[k] = v;
    else for (const [sub, subValue] of Object.entries(v)) out[`${k}.${sub}`] = subValue;
  }
  return out;
}

describe('Reading the shared files as the AWS CLI v2 does', function () {
  this.timeout(30000);
  let dir: string;
  let python: string;

  before(async function () {
    // Not a skip: the comparison is the point of this suite.
    python = requireBotocoreV2();
    dir = await makeTempDir('cli-reading-');
  });
  after(async () => {
    if (dir) await removeTempDir(dir);
  });

  for (const c of READING_CASES) {
    it(c.name, async () => {
      const reading = await readCase(dir, c);
      const { paths, set } = reading;
      const out = execFileSync(python, ['-c', DUMP], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: paths.configPath, AWS_SHARED_CREDENTIALS_FILE: paths.credentialsPath },
      });
      const cli = JSON.parse(out) as CliView;
      if (cli.refused) {
        assert.equal(c.refused, true, `the CLI refused this file (${cli.refused}); the case says it should not`);
      } else {
        assert.notEqual(c.refused, true, 'the CLI read the file; the case expects a refusal');
        assert.deepEqual([...set.profiles.keys()].sort(), Object.keys(cli.profiles ?? {}).sort(), 'the same profiles');
        for (const [name, values] of Object.entries(cli.profiles ?? {})) {
          assert.deepEqual(set.profiles.get(name)?.settings, flatten(values), `profile ${name}`);
        }
        for (const [name, values] of Object.entries(cli.services ?? {})) {
          const ours = set.services[name] ?? {};
          for (const [service, settings] of Object.entries(values)) {
            for (const [k, v] of Object.entries(settings)) assert.equal(ours[`${service}.${k}`], v, `services ${name} ${service}.${k}`);
          }
        }
      }
      // Our problems, refusal and checks, as the unit test checks them without the CLI.
      assertOurReading(c, reading);
    });
  }
});
