module.exports = { ...require('../../jest.preset.js'), displayName: 'aws-local', rootDir: __dirname };
