module.exports = { ...require('../../jest.preset.js'), displayName: 'registry-core', rootDir: __dirname };
