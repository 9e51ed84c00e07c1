module.exports = { ...require('../../../jest.preset.js'), displayName: 'storage-testing', rootDir: __dirname };
