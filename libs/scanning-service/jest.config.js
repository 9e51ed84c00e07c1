module.exports = { ...require('../../jest.preset.js'), displayName: 'scanning-service', rootDir: __dirname };
