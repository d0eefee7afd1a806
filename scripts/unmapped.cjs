// Loads strata's CommonJS dependencies that ship source maps before the runner turns source maps on
// (scripts/run.mjs, and each synth job thread, lib/synth/jobs.ts). Node keeps the map of every
// module loaded while they are on, for the life of the thread: cdk8s-plus-27 inlines its maps with
// the whole TypeScript source of its bindings, ajv has a map file per module; ~3 MB of every
// thread's heap, and a base64 map decoded at every start. Strata's and the program's bundles, loaded
// after, are still mapped: stacks name main.ts:42, and these packages' frames name their .js files.
// Resolved from here, the package's own folder, as strata's library resolves them.
'use strict';

const PACKAGES = ['constructs', 'cdk8s', 'cdk8s-plus-27', 'ajv', 'ajv/dist/2019.js', 'ajv/dist/2020.js'];

module.exports = function loadUnmapped() {
  for (const name of PACKAGES) {
    try {
      require(name);
    } catch {
      // Not installed here: whoever imports it says so, in its own words.
    }
  }
};
