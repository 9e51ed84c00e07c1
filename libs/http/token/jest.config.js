module.exports = { ...require('../../../jest.preset.js'), displayName: 'http-token', rootDir: __dirname };
