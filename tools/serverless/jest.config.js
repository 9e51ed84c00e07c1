// Packages the service with `serverless package` (both stages, once per run: packaged.ts) and inspects
// what it produced; the specs live next to serverless.yml's local plugins rather than under src/.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'serverless-package',
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.spec.ts'],
  testTimeout: 180_000,
  globalSetup: '<rootDir>/jest-global-setup.js',
  globalTeardown: '<rootDir>/jest-global-teardown.js',
};
