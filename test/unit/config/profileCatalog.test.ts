import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadProfileSet } from '../../../src/core/engineChunk';
import { ProfileCatalog } from '../../../src/core/config/profileCatalog';
import type { PathOverrides } from '../../../src/core/config/sharedFiles';
import type { ProfileSet } from '../../../src/core/config/profiles';
import { makeTempDir, removeTempDir } from '../../support/awsFiles';
import { deferred } from '../../support/fakeClock';

describe('core/profileCatalog', () => {
  let dir: string;
  let configFile: string;
  let credentialsFile: string;
  let overrideCalls: number;
  let catalog: ProfileCatalog;

  const overrides = (): PathOverrides => {
    overrideCalls++;
    return { configFile, credentialsFile };
  };
  const names = (set: ProfileSet) => [...set.profiles.keys()];

  beforeEach(async () => {
    dir = await makeTempDir();
    configFile = path.join(dir, 'config');
    credentialsFile = path.join(dir, 'credentials');
    overrideCalls = 0;
    catalog = new ProfileCatalog(overrides, {}, loadProfileSet);
  });
  afterEach(async () => {
    catalog.dispose();
    await removeTempDir(dir);
  });

  it('reads nothing until get() is called', async () => {
    assert.equal(catalog.loaded, undefined);
    assert.equal(overrideCalls, 0);
    // Written after construction: a catalog that read eagerly would have seen no file.
    await fs.writeFile(configFile, '[profile late]\nregion = eu-west-1\n');
    const set = await catalog.get();
    assert.deepEqual(names(set), ['late']);
    assert.equal(catalog.loaded, set);
  });

  it('concurrent get() calls share one read', async () => {
    await fs.writeFile(configFile, '[profile a]\nregion = x\n');
    let reads = 0;
    catalog.onDidChange(() => reads++);
    const [one, two, three] = await Promise.all([catalog.get(), catalog.get(), catalog.get()]);
    assert.equal(one, two);
    assert.equal(two, three);
    assert.equal(reads, 1, 'one read');
  });

  it('get() after loading returns the cached set without reading again', async () => {
    await fs.writeFile(configFile, '[profile a]\nregion = x\n');
    const first = await catalog.get();
    await fs.writeFile(configFile, '[profile b]\nregion = x\n');
    const second = await catalog.get();
    assert.equal(second, first);
    assert.equal(second.profiles.has('b'), false, 'not read again');
  });

  it('get() reads again when the settings point at other files, never handing out the old files\' profiles', async () => {
    await fs.writeFile(configFile, '[profile a]\nregion = x\n');
    const first = await catalog.get();
    assert.ok(first.profiles.has('a'));
    const other = path.join(path.dirname(configFile), 'other-config');
    await fs.writeFile(other, '[profile z]\nregion = x\n');
    configFile = other;
    const second = await catalog.get();
    assert.deepEqual([...second.profiles.keys()], ['z']);
  });

  it('reload picks up edits and fires onDidChange with the new set', async () => {
    await fs.writeFile(configFile, '[profile a]\nregion = x\n');
    await catalog.get();
    const fired: ProfileSet[] = [];
    catalog.onDidChange((s) => fired.push(s));
    await fs.writeFile(configFile, '[profile a]\nregion = x\n\n[profile b]\nregion = y\n');
    const reloaded = await catalog.reload();
    assert.deepEqual(names(reloaded), ['a', 'b']);
    assert.equal(fired.length, 1);
    assert.equal(fired[0], reloaded);
    assert.equal(catalog.loaded, reloaded);
    assert.equal(await catalog.get(), reloaded);
  });

  it('reload uses the current path settings', async () => {
    await fs.writeFile(configFile, '[profile a]\nregion = x\n');
    await catalog.get();
    const other = path.join(dir, 'other-config');
    await fs.writeFile(other, '[profile z]\nregion = x\n');
    configFile = other;
    assert.deepEqual(names(await catalog.reload()), ['z']);
    assert.equal(catalog.paths().configPath, other);
  });

  it('paths() falls back to AWS_CONFIG_FILE from the injected env', () => {
    const envCatalog = new ProfileCatalog(() => ({}), { AWS_CONFIG_FILE: path.join(dir, 'env-config') }, loadProfileSet);
    assert.equal(envCatalog.paths().configPath, path.join(dir, 'env-config'));
    envCatalog.dispose();
  });

  it('overlapping reloads: only the newest result is kept and announced', async () => {
    await fs.writeFile(configFile, '[profile one]\nregion = x\n');
    const fired: string[][] = [];
    catalog.onDidChange((s) => fired.push(names(s)));
    const first = catalog.reload();
    await fs.writeFile(configFile, '[profile two]\nregion = x\n');
    const second = catalog.reload();
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(names(b), ['two']);
    assert.deepEqual(names(catalog.loaded!), ['two']);
    assert.deepEqual(fired.at(-1), ['two']);
    // Whoever awaited the first reload also gets the newest contents.
    assert.deepEqual(names(a), ['two']);
  });

  // Guards against a bug reload() (src/core/config/profileCatalog.ts) had: when an older reload
  // finished after a newer one had already finished, `this.pending` was undefined and the older
  // reload's promise resolved to its own stale set. The catalog state stayed right (current was
  // the newer set), but the caller of the older reload() got old profiles.
  it('an older reload that finishes after a newer one resolves to the newer contents', async function () {
    this.timeout(10_000);
    // The older reload reads a file whose read is held until the test lets it go (a slow disk),
    // through the catalog's injected loader rather than a FIFO, so no mkfifo is needed.
    const slow = path.join(dir, 'slow-config');
    const release = deferred<void>();
    catalog.dispose();
    catalog = new ProfileCatalog(overrides, {}, async (paths) => {
      if (paths.configPath === slow) await release.promise;
      return loadProfileSet(paths);
    });
    await fs.writeFile(configFile, '[profile fresh]\nregion = x\n');
    const fired: string[][] = [];
    catalog.onDidChange((s) => fired.push(names(s)));

    const real = configFile;
    configFile = slow;
    const older = catalog.reload();
    configFile = real;
    const newer = await catalog.reload();
    assert.deepEqual(names(newer), ['fresh']);

    await fs.writeFile(slow, '[profile stale]\nregion = x\n');
    release.resolve();
    const olderResult = await older;

    assert.deepEqual(names(catalog.loaded!), ['fresh'], 'the catalog keeps the newest set');
    assert.deepEqual(fired, [['fresh']], 'the stale read is not announced');
    assert.deepEqual(names(olderResult), ['fresh'], 'the older reload hands out the newest set, not its stale one');
  });
});
