import { resolveAwsFilePaths, type AwsFilePaths, type PathOverrides } from './filePaths';
import { Emitter } from '../events';
import type { ProfileSet } from './profiles';
import type { Env } from './filePaths';

/**
 * The profiles as last read from disk. Reads lazily on first use, and again on
 * reload(); concurrent callers share one read, and a reload that finishes after a
 * newer one started is dropped so the newest file contents always win.
 */
export class ProfileCatalog {
  private current: ProfileSet | undefined;
  private pending: Promise<ProfileSet> | undefined;
  private generation = 0;
  private readonly changed = new Emitter<ProfileSet>();
  readonly onDidChange = this.changed.event;

  constructor(
    private overrides: () => PathOverrides,
    private readonly env: Env,
    /** Reads and builds the set; the extension passes the lazily loaded engine's, tests the engine itself. */
    private readonly load: (paths: AwsFilePaths) => Promise<ProfileSet>,
  ) {}

  paths(): AwsFilePaths {
    return resolveAwsFilePaths(this.overrides(), this.env);
  }

  /** The loaded set, without reading; undefined until something asked for profiles. */
  get loaded(): ProfileSet | undefined {
    return this.current;
  }

  get(): Promise<ProfileSet> {
    // The settings may point at other files since the last read: never hand out the old files' profiles.
    const paths = this.paths();
    const fresh = (set: ProfileSet | undefined) => set && set.files.paths.configPath === paths.configPath && set.files.paths.credentialsPath === paths.credentialsPath;
    if (this.pending) return this.pending.then((set) => (fresh(set) ? set : this.reload()));
    if (fresh(this.current)) return Promise.resolve(this.current as ProfileSet);
    return this.reload();
  }

  reload(): Promise<ProfileSet> {
    const generation = ++this.generation;
    const read = this.load(this.paths()).then((set) => {
      if (generation === this.generation) {
        this.current = set;
        this.pending = undefined;
        this.changed.fire(set);
      }
      // A newer reload is under way: hand out its result, not this stale one.
      // (still pending, or already finished and kept as current).
      return generation === this.generation ? set : (this.pending ?? this.current ?? set);
    });
    this.pending = read;
    return read;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
