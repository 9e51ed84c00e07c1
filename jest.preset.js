// Shared jest settings: swc transpiles TypeScript to CommonJS; workspace imports resolve to sources
// through the tsconfig paths, so tests never need a build.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {
  '^@middy/([^/]+)$': path.join(__dirname, 'node_modules/@middy/$1/index.js'),
};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // ESM-only packages swc must transpile for CommonJS jest: middy, and the PEP 440 library the scanner uses.
  transformIgnorePatterns: ['/node_modules/(?!@middy/|@renovatebot/pep440/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper,
  testTimeout: 30000,
};
