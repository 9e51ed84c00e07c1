module.exports = { ...require('../../jest.preset.js'), displayName: 'local-server', rootDir: __dirname };
