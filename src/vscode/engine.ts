import type * as Engine from '../core/engineChunk';

let loaded: typeof Engine | undefined;

/**
 * The profile engine (dist/engine.js), required on first use. `require` is synchronous, so
 * tree items and code actions can call it directly; activation never does.
 */
export function engine(): typeof Engine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('../core/engineChunk') as typeof Engine;
  return loaded;
}
