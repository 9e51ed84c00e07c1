module.exports = { ...require('../../../jest.preset.js'), displayName: 'storage-dynamodb', rootDir: __dirname };
