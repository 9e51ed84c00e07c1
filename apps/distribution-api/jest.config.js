module.exports = { ...require('../../jest.preset.js'), displayName: 'distribution-api', rootDir: __dirname };
