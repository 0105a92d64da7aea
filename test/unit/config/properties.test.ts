/**
 * Property-based tests (fast-check) over the core: random and mutated real-shaped INI files never
 * throw out of the core, never hang, and every profile either resolves to a usable chain or fails
 * with a RoleSwitchError that names it. `npm test` runs a few thousand cases; `npm run fuzz` sets
 * FUZZ_RUNS (100,000 by default there) and prints the totals.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadAwsFiles } from '../../../src/core/config/sharedFiles';
import { diagnoseConfig } from '../../../src/core/config/diagnostics';
import { RoleSwitchError } from '../../../src/core/errors';
import { readIni } from '../../../src/core/config/iniDocument';
import { buildProfileSet, type ProfileSet } from '../../../src/core/config/profiles';
import { chainNames, resolveSourceChain } from '../../../src/core/config/sourceChain';
import { buildProfileGroups } from '../../../src/core/config/profileGroups';
import { rejectsCode } from '../../support/assertions';
import { generateIdentityCenterConfig } from '../../support/generateConfig';
import { makeTempDir, removeTempDir } from '../../support/awsFiles';

const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
export const fuzzTotals = { cases: 0, profiles: 0, resolved: 0, refused: 0, slowest: 0 };

/** Everything the core does with a pair of files; throws only if an invariant breaks. */
function checkEverything(set: ProfileSet): void {
  const diagnostics = diagnoseConfig(set);
  for (const d of diagnostics) assert.ok(typeof d.message === 'string' && d.message.length > 0);
  const groups = buildProfileGroups(set);
  const listed = groups.flatMap((g) => g.profiles.map((p) => p.name));
  assert.equal(listed.length, set.profiles.size, 'every profile in exactly one group');
  assert.equal(new Set(listed).size, set.profiles.size);
  buildProfileGroups(set, 'a');
  for (const name of set.profiles.keys()) {
    fuzzTotals.profiles++;
    try {
      const chain = resolveSourceChain(set, name);
      fuzzTotals.resolved++;
      assert.ok(chain.hops.length <= set.profiles.size, 'a chain is never longer than the profiles');
      for (const hop of chain.hops) assert.ok(hop.role.arn.startsWith('arn:'), 'every hop has a role');
    } catch (e) {
      fuzzTotals.refused++;
      assert.ok(e instanceof RoleSwitchError, `only RoleSwitchError leaves the core, got ${String(e)}`);
      assert.ok(e.message.includes(name) || e.code === 'ConfigRefused', `the error names the profile "${name}": ${e.message}`);
      if (e.code === 'SourceProfileCycle') assert.match(e.message, / -> /);
    }
  }
}

/** Writes the files, reads them as the extension does and runs checkEverything. */
async function readAndCheck(dir: string, config: string, credentials: string): Promise<ProfileSet> {
  const paths = { configPath: path.join(dir, 'config'), credentialsPath: path.join(dir, 'credentials') };
  await fs.writeFile(paths.configPath, config);
  await fs.writeFile(paths.credentialsPath, credentials);
  const t = performance.now();
  const set = buildProfileSet(await loadAwsFiles(paths));
  checkEverything(set);
  const elapsed = performance.now() - t;
  fuzzTotals.cases++;
  fuzzTotals.slowest = Math.max(fuzzTotals.slowest, elapsed);
  return set;
}

/**
 * A generated case through the files. How long it takes is not asserted here (a wall-clock
 * limit fails under load or instrumentation): a real hang is caught by mocha's timeout, and the
 * slowest case is in the fuzz report (`npm run fuzz`).
 */
async function throughFiles(dir: string, config: string, credentials: string): Promise<void> {
  await readAndCheck(dir, config, credentials);
}

// Pieces real configs are made of, to build files that look like configs but go wrong in every way.
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
const keyLine = (names: string[]) =>
  fc.oneof(
    fc.constantFrom('region = eu-west-1', 'Region = us-east-1', 'output = json', 'duration_seconds = 3600', 'duration_seconds = 99999', 'duration_seconds = abc', 'external_id = x ; comment', 'credential_source = Environment', 'credential_source = Ec2Metadata', 'mfa_serial = arn:aws:iam::111111111111:mfa/me', 'web_identity_token_file = /nonexistent', 'credential_process = /bin/false', 'sso_session = corp', 'sso_start_url = https://x.awsapps.com/start', 'aws_access_key_id = AKIAFUZZ', 'aws_secret_access_key = fuzz-secret', 'aws_session_token = tok', 'role_arn = arn:aws:iam::222222222222:role/R', 'role_arn = arn:aws:iam::2222:user/bad', 'services = svc', 'sts =\n  endpoint_url = http://127.0.0.1:1', 'no equals sign here', '  indented continuation', '# comment', '; comment', ''),
    fc.constantFrom(...names).map((n) => `source_profile = ${n}`),
    fc.string({ maxLength: 40 }).map((v) => `k${v.length} = ${v}`),
  );
const section = (names: string[]) =>
  fc.tuple(fc.constantFrom(...names), fc.constantFrom('profile ', 'profile  ', 'profile "', '', 'Profile ', 'sso-session ', 'services ', 'DEFAULT'), fc.array(keyLine(names), { maxLength: 8 })).map(([n, prefix, lines]) =>
    [`[${prefix === 'DEFAULT' ? 'DEFAULT' : prefix === 'profile "' ? `profile "${n}"` : prefix + n}]`, ...lines].join('\n'),
  );
const configFile = fc.uniqueArray(name, { minLength: 1, maxLength: 12 }).chain((names) =>
  fc.tuple(fc.array(section(names), { maxLength: 14 }), fc.boolean(), fc.boolean()).map(([sections, crlf, bom]) => {
    const text = sections.join('\n\n') + '\n';
    return (bom ? '\ufeff' : '') + (crlf ? text.replace(/\n/g, '\r\n') : text);
  }),
);

/** A profile graph: every profile a role pointing at a random other (or itself, or nothing), some with keys. */
const chainGraph = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.tuple(fc.array(fc.integer({ min: -1, max: n - 1 }), { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }), fc.array(fc.constantFrom('role', 'keys', 'both', 'source', 'nothing'), { minLength: n, maxLength: n })).map(([links, keys, kinds]) => {
    const config: string[] = [];
    const credentials: string[] = [];
    for (let i = 0; i < n; i++) {
      const lines = [`[profile p${i}]`];
      if (kinds[i] !== 'keys' && kinds[i] !== 'nothing') lines.push(`role_arn = arn:aws:iam::${String(100000000000 + i)}:role/R${i}`);
      if (kinds[i] === 'source') lines.push('credential_source = Environment');
      if (links[i] >= 0 && kinds[i] !== 'source') lines.push(`source_profile = p${links[i]}`);
      else if (links[i] < 0 && kinds[i] === 'role') lines.push('source_profile = missing');
      config.push(lines.join('\n'));
      if (keys[i] || kinds[i] === 'keys' || kinds[i] === 'both') credentials.push(`[p${i}]\naws_access_key_id = AKIA${i}\naws_secret_access_key = s${i}`);
    }
    return { config: config.join('\n\n') + '\n', credentials: credentials.join('\n\n') + '\n' };
  }),
);

/** A real-shaped Identity Center export with random edits: bytes in, lines doubled or dropped, BOMs, CRLF. */
const base = generateIdentityCenterConfig(60).text;
const mutated = fc
  .array(
    fc.oneof(
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('\ufeff', '\r', '\u0000', '[', ']', '=', '\n[profile x]\n', '\n[profile x]\n', 'x'.repeat(100_000))) }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ op: fc.constant('dupLine' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('crlf' as const) }),
    ),
    { maxLength: 6 },
  )
  .map((edits) => {
    let text = base;
    for (const e of edits) {
      if (e.op === 'insert') {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.text + text.slice(at);
      } else if (e.op === 'delete') {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + text.slice(at + e.length);
      } else if (e.op === 'dupLine') {
        const lines = text.split('\n');
        const i = e.at % lines.length;
        lines.splice(i, 0, lines[i]);
        text = lines.join('\n');
      } else {
        text = text.replace(/\n/g, '\r\n');
      }
    }
    return text;
  });

describe(`Property tests over the core (${RUNS} cases each)`, function () {
  this.timeout(Math.max(120_000, RUNS * 20));
  let dir: string;
  before(async () => {
    dir = await makeTempDir('properties-');
  });
  after(() => removeTempDir(dir));

  it('any text at all: the INI reader never throws and reads every line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const reading = readIni(text, 'config');
        assert.ok(Array.isArray(reading.index.sections));
        readIni(text, 'credentials');
      }),
      { numRuns: RUNS },
    );
  });

  it('config-shaped files that go wrong in every way: never throw out of the core, errors name the profile', async () => {
    await fc.assert(fc.asyncProperty(configFile, configFile, (config, credentials) => throughFiles(dir, config, credentials)), { numRuns: RUNS });
  });

  it('source_profile graphs with cycles of every length, self-links and missing targets', async () => {
    await fc.assert(fc.asyncProperty(chainGraph, ({ config, credentials }) => throughFiles(dir, config, credentials)), { numRuns: RUNS });
  });

  it('a real-shaped Identity Center export with random edits (bytes, BOMs, CRLF, huge lines, duplicates)', async () => {
    await fc.assert(fc.asyncProperty(mutated, (config) => throughFiles(dir, config, '')), { numRuns: Math.max(50, Math.floor(RUNS / 4)) });
  });

  // How long these take is measured by `npm run bench`, not asserted here: a time limit fails
  // under load or instrumentation without saying anything about the behaviour.
  it('a thousand-deep chain and a thousand-long cycle: every profile resolved, or refused with the whole cycle', async () => {
    const N = 1000;
    const deep = Array.from({ length: N }, (_, i) => `[profile d${i}]\nrole_arn = arn:aws:iam::222222222222:role/D${i}\nsource_profile = d${i + 1}\n`).join('\n') + `[profile d${N}]\naws_access_key_id = AKIA\naws_secret_access_key = s\n`;
    const deepSet = await readAndCheck(dir, deep, '');
    assert.equal(deepSet.profiles.size, N + 1);
    for (let i = 0; i <= N; i++) {
      // Every profile reaches the keys at the bottom, through every hop below it, in order.
      const chain = resolveSourceChain(deepSet, `d${i}`);
      assert.equal(chain.root.kind, 'static');
      assert.equal(chain.root.profile.name, `d${N}`);
      assert.equal(chain.hops.length, N - i, `d${i}`);
      if (i < N) assert.equal(chain.hops.at(-1)?.role.arn, `arn:aws:iam::222222222222:role/D${i}`, 'the last hop assumes the picked profile\'s role');
    }
    const top = resolveSourceChain(deepSet, 'd0');
    assert.deepEqual(chainNames(top), Array.from({ length: N + 1 }, (_, i) => `d${i}`));
    assert.deepEqual(top.hops.map((h) => h.profile.name), Array.from({ length: N }, (_, i) => `d${N - 1 - i}`), 'hops run from the root outwards');

    const loop = Array.from({ length: N }, (_, i) => `[profile c${i}]\nrole_arn = arn:aws:iam::222222222222:role/C${i}\nsource_profile = c${(i + 1) % N}\n`).join('\n');
    const loopSet = await readAndCheck(dir, loop, '');
    assert.equal(loopSet.profiles.size, N);
    for (let i = 0; i < N; i++) {
      const cycle = [...Array.from({ length: N }, (_, k) => `c${(i + k) % N}`), `c${i}`].join(' -> ');
      await rejectsCode(() => resolveSourceChain(loopSet, `c${i}`), 'SourceProfileCycle', new RegExp(`^Profile "c${i}" has a source_profile cycle: ${cycle}\\.`));
    }
  });

  after(() => {
    if (process.env.FUZZ_REPORT) console.log(`FUZZ_TOTALS ${JSON.stringify(fuzzTotals)}`);
  });
});

describe('Files changing under the reader', function () {
  this.timeout(30000);
  it('a config file replaced (renamed over) again and again while it is read: every read gives a whole file or a clear state, never a throw', async () => {
    const dir = await makeTempDir('replaced-');
    try {
      const paths = { configPath: path.join(dir, 'config'), credentialsPath: path.join(dir, 'credentials') };
      const versions = [generateIdentityCenterConfig(200).text, '[profile only]\nregion = x\n'];
      await fs.writeFile(paths.configPath, versions[0]);
      let stop = false;
      let n = 0;
      const writer = (async () => {
        while (!stop) {
          const temp = path.join(dir, `config.${n}.tmp`);
          await fs.writeFile(temp, versions[n++ % 2]);
          await fs.rename(temp, paths.configPath);
          if (n % 7 === 0) await fs.rm(paths.configPath, { force: true });
        }
      })();
      const sizes = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const files = await loadAwsFiles(paths);
        assert.ok(['ok', 'missing'].includes(files.config.status), files.config.error);
        const set = buildProfileSet(files);
        sizes.add(set.profiles.size);
        checkEverything(set);
      }
      stop = true;
      await writer;
      // Only whole versions were ever seen: the big one, the small one, or none at all.
      for (const size of sizes) assert.ok([0, 1, 201].includes(size), `a torn read gave ${size} profiles`);
    } finally {
      await removeTempDir(dir);
    }
  });
});
