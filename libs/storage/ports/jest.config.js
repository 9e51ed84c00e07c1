module.exports = { ...require('../../../jest.preset.js'), displayName: 'storage-ports', rootDir: __dirname };
