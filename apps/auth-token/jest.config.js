module.exports = { ...require('../../jest.preset.js'), displayName: 'auth-token', rootDir: __dirname };
