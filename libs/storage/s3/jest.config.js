module.exports = { ...require('../../../jest.preset.js'), displayName: 'storage-s3', rootDir: __dirname };
