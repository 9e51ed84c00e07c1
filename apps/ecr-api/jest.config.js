module.exports = { ...require('../../jest.preset.js'), displayName: 'ecr-api', rootDir: __dirname };
