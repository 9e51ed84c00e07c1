// @renovatebot/pep440 ships ES modules only: let swc transpile it like @middy.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'scanning',
  rootDir: __dirname,
  transformIgnorePatterns: ['/node_modules/(?!@middy/|@renovatebot/pep440/)'],
};
