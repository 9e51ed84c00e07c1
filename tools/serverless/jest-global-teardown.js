'use strict';
const { rmSync } = require('node:fs');

module.exports = () => {
  const dir = process.env.CARGOHOLD_SLS_PACKAGES;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
