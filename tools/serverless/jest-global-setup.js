'use strict';
// One directory per jest run for the package-*.int.spec.ts files to share `serverless package` output
// (see packaged.ts). Workers inherit process.env, so they all see the same directory. Cheap when no
// packaging spec runs: creating an empty directory.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = () => {
  process.env.CARGOHOLD_SLS_PACKAGES = mkdtempSync(join(tmpdir(), 'cargohold-sls-'));
};
