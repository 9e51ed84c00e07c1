module.exports = { ...require('../../../jest.preset.js'), displayName: 'http-ecr', rootDir: __dirname };
