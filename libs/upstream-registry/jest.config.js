module.exports = { ...require('../../jest.preset.js'), displayName: 'upstream-registry', rootDir: __dirname };
