module.exports = { ...require('../../../jest.preset.js'), displayName: 'storage-fs', rootDir: __dirname };
