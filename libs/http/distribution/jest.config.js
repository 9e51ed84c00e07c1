module.exports = { ...require('../../../jest.preset.js'), displayName: 'http-distribution', rootDir: __dirname };
