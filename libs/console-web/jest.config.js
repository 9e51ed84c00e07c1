module.exports = { ...require('../../jest.preset.js'), displayName: 'console-web', rootDir: __dirname };
