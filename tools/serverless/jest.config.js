// Packages the service with `serverless package` (both stages) and inspects what it produced; the spec
// lives next to serverless.yml's local plugins rather than under src/.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'serverless-package',
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.spec.ts'],
  testTimeout: 180_000,
};
