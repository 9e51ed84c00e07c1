module.exports = { ...require('../../jest.preset.js'), displayName: 'replicator', rootDir: __dirname };
