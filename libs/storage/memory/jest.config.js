module.exports = { ...require('../../../jest.preset.js'), displayName: 'storage-memory', rootDir: __dirname };
